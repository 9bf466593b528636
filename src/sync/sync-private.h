/* sync-private.h: state shared by the sync engine's files. */
#ifndef PETREL_SYNC_PRIVATE_H
#define PETREL_SYNC_PRIVATE_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdarg.h>
#include <time.h>

#include "common/text.h"
#include "sync/sync-batch.h"
#include "sync/sync.h"

/* A mailbox from LIST/LSUB, by wire name. */
struct sync_listed {
	char *raw;
	char delimiter;
	unsigned attrs; /* IMAP_LIST_* */
	bool subscribed;
	bool in_list; /* seen in LIST (not only LSUB) */
};

struct sync_status {
	char *raw;
	struct imap_status_data data;
};

/* The mailbox being synced: the selection context of imap-client. */
struct sync_mbox {
	int64_t id;
	const char *name; /* UTF-8 (borrowed) */
	const char *raw;  /* wire name (borrowed) */
	bool use_modseq;  /* MODSEQ may be stored (not NOMODSEQ, Q-11) */
	/* After a UIDVALIDITY mismatch the SELECT's data is meaningless
	 * drop it. */
	bool discard;
	struct sync_batch batch;
	/* While replaying the queue: the highest MODSEQ echoed (T-8). */
	bool storing;
	uint64_t store_max_modseq;
	/* Optional (NULL in sync_mailbox): called with every FETCH of this
	 * mailbox before it is batched, e.g. to take BODY[] data
	 * (sync-body.c). -1 with err set aborts the wait. */
	int (*on_fetch)(struct sync_mbox *m, const struct imap_fetch *f,
	                uint32_t uid, struct pt_error *err);
	void *on_fetch_arg;
	/* New messages stored of those to fetch (sync_params.progress). */
	uint64_t fetched, to_fetch;
	/* sync_params.yield said stop: the fetch of new mail is cut short. */
	bool yielded;
};

/* What a commit records besides the batch. */
struct sync_mark {
	bool set_hms;
	bool has_hms; /* false with set_hms: forget it */
	uint64_t hms;
	uint32_t uidnext; /* 0: unchanged */
	bool set_mode;
	enum cache_modseq_mode mode;
	bool full_sync;
};

struct sync {
	struct cache *cache;
	struct sync_params p;
	struct imap_client *client;
	struct sync_stats stats;

	struct sync_listed *listed;
	size_t nlisted, caplisted;
	struct sync_status *status;
	size_t nstatus, capstatus;
	/* STATUS answers asked before LIST (sync_list), each used once by
	 * the SYNC_SKIP_UNCHANGED test of its mailbox. */
	struct sync_status *early;
	size_t nearly;
	/* UIDs (or sequence numbers) of SEARCH/ESEARCH answers. */
	struct imap_seqset search;
};

/* Write the batch of m (and the mark, if any) in one transaction. */
int sync_commit(struct sync *s, struct sync_mbox *m,
                const struct sync_mark *mark, struct pt_error *err);
void sync_notice(struct sync *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void sync_report_dropped(struct sync *s, const char *mailbox,
                         const struct cache_queue_list *l, const char *why);
void sync_status_clear(struct sync *s);
/* Take the early STATUS answer for raw (0), or say there is none (-1). */
int sync_early_take(struct sync *s, const char *raw,
                    struct imap_status_data *st);

/* Replay the selected mailbox's queued edits (sync-store.c). */
int sync_replay(struct sync *s, struct sync_mbox *m, struct pt_error *err);
/* Our STORE of add/remove on uid succeeded: set the cached server flags
 * (the modseq comes from the echo, Q-27). */
int sync_store_applied(struct sync *s, struct sync_mbox *m, uint32_t uid,
                       const char *add, const char *remove,
                       struct pt_error *err);

#endif
