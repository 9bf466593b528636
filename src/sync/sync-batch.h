/* sync-batch.h: server changes collected while a command runs, written
 * to the cache in one transaction when its tagged response arrives.
 *
 * Internal to src/sync/. */
#ifndef PETREL_SYNC_BATCH_H
#define PETREL_SYNC_BATCH_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"
#include "imap/imap-parser.h"
#include "imap/imap-seqset.h"

struct sync_flagupd {
	uint32_t uid;
	char *flags; /* NULL: flags unchanged */
	bool has_modseq;
	uint64_t modseq;
};

struct sync_batch {
	struct imap_seqset gone; /* VANISHED / EXPUNGE UIDs */
	struct sync_flagupd *upd;
	size_t nupd, capupd;
	struct cache_msg *msgs; /* new messages (FETCH with ENVELOPE) */
	size_t nmsgs, capmsgs;
	/* With track_seen, every UID a FETCH named (plain expunge diff). */
	bool track_seen;
	struct imap_seqset seen;
	/* An EXPUNGE whose UID was unknown: the caller must diff. */
	bool need_diff;
};

void sync_batch_init(struct sync_batch *b);
void sync_batch_clear(struct sync_batch *b);
/* Entries waiting to be written. */
size_t sync_batch_size(const struct sync_batch *b);
/* Record a FETCH for uid (0: ignored). A FETCH with ENVELOPE is a new
 * message; otherwise a flag/modseq change. */
void sync_batch_fetch(struct sync_batch *b, const struct imap_fetch *f,
                      uint32_t uid, bool use_modseq);
/* Write everything (new messages, then changes, then removals) inside the
 * caller's transaction; counters are added to *new_r, *upd_r, *gone_r.
 * The batch is emptied (track_seen and seen are kept). */
int sync_batch_apply(struct sync_batch *b, struct cache *cache, int64_t mbox,
                     uint64_t *new_r, uint64_t *upd_r, uint64_t *gone_r,
                     struct pt_error *err);

/* The IMAP flag list as one space-separated string (owned). */
char *sync_flags_join(const struct imap_strlist *flags);
/* Serialize an argument tree back to IMAP syntax (BODYSTRUCTURE). */
void sync_arg_write(const struct imap_arg *a, struct buf *out);

#endif
