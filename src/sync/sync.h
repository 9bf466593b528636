/* sync.h: the sync engine: keeps a cache (cache.h) current with one IMAP
 * account (imap-client.h).
 *
 * Resynchronization of a mailbox, in order of preference (DESIGN.md):
 *  1. QRESYNC: one SELECT ... (QRESYNC (uidvalidity highestmodseq
 *     known-uids [seq-match-data])) whose VANISHED (EARLIER) and FETCH
 *     responses are the whole change set, then new mail from the cached
 *     UIDNEXT;
 *  2. CONDSTORE only: SELECT (CONDSTORE), UID FETCH 1:<max> (FLAGS)
 *     (CHANGEDSINCE m), and a UID SEARCH for expunges;
 *  3. neither, or a NOMODSEQ mailbox: every flag is fetched and compared.
 *
 * Transactions: server data is collected in memory while a command runs
 * and written in one short transaction when its tagged response arrives,
 * so no write transaction is ever held while waiting on the network.
 * HIGHESTMODSEQ is stored only in the transaction of the tagged OK that
 * covers it (RFC 7162 §6, Q-66..Q-70); UIDNEXT only once every message
 * below it is cached. A connection lost at any point leaves a cache from
 * which the next sync converges.
 *
 * Threading: a struct sync is used by one thread (the CLI's, or the
 * sync thread of the interface). */
#ifndef PETREL_SYNC_H
#define PETREL_SYNC_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cache/cache.h"
#include "common/error.h"
#include "imap/imap-client.h"

struct sync_params {
	struct imap_client_params client;
	/* Written to for notices (dropped edits, UIDVALIDITY changes);
	 * NULL for none. */
	FILE *notices;
	unsigned prefetch_days; /* 0: no body prefetch */
	/* Groups of keywords that exclude each other (each NULL-terminated):
	 * setting one of them, like setting \Deleted, is not forced on a
	 * message another device changed since the user saw it. */
	const char *const *const *exclusive;
	size_t n_exclusive;
	/* Such conflicts wait for the user's answer (the interface) instead
	 * of being reported and dropped (the command line). */
	bool ask_user;
	/* Called (if set) after each committed chunk of new messages of
	 * mailbox (UTF-8): stored of total are in the cache. The newest
	 * chunk of a large fetch comes first, so that the index shows the
	 * latest mail while the rest loads. */
	void (*progress)(void *arg, const char *mailbox, uint64_t stored,
	                 uint64_t total);
	void *progress_arg;
	/* Asked (if set) before each further chunk of new messages: true
	 * stops the fetch once the chunks in flight are stored, and
	 * sync_mailbox() returns 0 with the mailbox incomplete; its next
	 * sync goes on from there (as after a lost connection). For the
	 * interface's requests during a long first sync. */
	bool (*yield)(void *arg);
	void *yield_arg;
};

/* Counters for tests and benchmarks. */
struct sync_stats {
	unsigned selects;         /* SELECT/EXAMINE commands */
	unsigned full_flag_syncs; /* mailboxes whose every flag was fetched */
	unsigned skipped;         /* mailboxes found unchanged by STATUS */
	uint64_t fetched_new;     /* new messages stored */
	uint64_t flag_updates;    /* FETCH flag/modseq changes applied */
	uint64_t expunged;        /* messages removed */
	unsigned dropped_edits;   /* queued edits that could not apply */
	unsigned not_applied;     /* edits reported as not applied (exit 75) */
	uint64_t expunged_own;    /* messages removed by SYNC_EXPUNGE */
};

struct sync;

/* Connect and log in. The cache stays the caller's. */
int sync_open(struct cache *cache, const struct sync_params *p,
              struct sync **s_r, struct pt_error *err);
void sync_close(struct sync **sp);

/* LIST (and LSUB) into the cache: new mailboxes are added, attributes
 * and subscriptions refreshed, mailboxes gone from the server removed
 * (their queued edits reported). */
int sync_list(struct sync *s, const char *const *names, size_t n,
              struct pt_error *err);
/* names (UTF-8, as in the cache; may be NULL with n 0) are the mailboxes
 * about to be synced: for those already cached, sync_list also asks
 * STATUS, pipelined before the LIST, and the next sync_mailbox() with
 * SYNC_SKIP_UNCHANGED of each uses that answer instead of asking again.
 * Dovecot with Maildir answers such a STATUS from its index, but after a
 * LIST it rescans the mailbox's directory (tens of milliseconds for
 * 100,000 messages). Answers not used are dropped by the next sync_list
 * or by sync_forget_status(). */
void sync_forget_status(struct sync *s);

/* sync_mailbox() flags. */
#define SYNC_SKIP_UNCHANGED 0x1 /* no SELECT if STATUS shows no change */
#define SYNC_EXPUNGE 0x2        /* then expunge the user's own deletions */

/* Bring one mailbox (UTF-8 name, as in the cache) up to date, then send
 * its queued edits. With SYNC_SKIP_UNCHANGED, a mailbox whose STATUS
 * shows the cached UIDVALIDITY, UIDNEXT, MESSAGES and HIGHESTMODSEQ (and
 * that has no queued edits) is not selected. With SYNC_EXPUNGE,
 * the messages petrel itself marked \Deleted are expunged with
 * UID EXPUNGE (never another device's: no EXPUNGE or CLOSE is ever sent);
 * without UIDPLUS they are moved to the Trash mailbox when MOVE is
 * offered, else left alone with a notice. PT_E_NOTFOUND when the mailbox
 * is not listed. */
int sync_mailbox(struct sync *s, const char *name, unsigned flags,
                 struct pt_error *err);

/* The names to sync when none are given: the configured list, else the
 * subscribed mailboxes (INBOX always included), from the cache. The
 * caller frees the array and its strings. */
int sync_default_mailboxes(struct sync *s, char ***names_r, size_t *n_r,
                           struct pt_error *err);

/* ------------------------------------------- bodies (sync-body.c) */

/* Fetch the whole message uid of mailbox (UTF-8 name, as in the cache)
 * with BODY.PEEK[] over an EXAMINE, so \Seen is never set, and store it
 * (cache_body_put(), section "") with its search text
 * (mime_text_for_index(), cache_fts_set_text()) in one transaction. Flag
 * changes and expunges the server reports meanwhile are applied to the
 * cache. Errors: PT_E_NOTFOUND when the mailbox or message is not cached,
 * when the message is gone from the server (T-13; it is then removed
 * from the cache too), or when the mailbox's UIDVALIDITY changed (a sync
 * is needed); PT_E_MSG for a message larger than MIME_MAX_MESSAGE;
 * connection errors as for sync_mailbox(). */
int sync_fetch_body(struct sync *s, const char *mailbox, uint32_t uid,
                    struct pt_error *err);

/* prefetch_days (struct sync_params): fetch and store, as above, the
 * bodies of the cached messages of mailbox dated within the last
 * prefetch_days days that have none yet, newest first, several per
 * command; messages past MIME_MAX_MESSAGE are skipped. Does nothing when
 * prefetch_days is 0 or every body is cached (then nothing is sent
 * either). *fetched_r (may be NULL): bodies stored. This is the
 * stand-alone form, with an EXAMINE of its own; sync_mailbox() does the
 * same inside its selection (sync_prefetch_selected(), sync-body.h). */
int sync_prefetch_bodies(struct sync *s, const char *mailbox,
                         uint64_t *fetched_r, struct pt_error *err);

const struct sync_stats *sync_stats(const struct sync *s);
struct imap_client *sync_client(struct sync *s);

#endif
