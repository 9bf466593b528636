/* cache.h: petrel's local cache, one SQLite file per account.
 *
 * The cache holds the mailbox list, message summaries, cached body parts,
 * the change queue of flag edits made locally, and a full-text index.
 * Everything the user sees is read from here; the sync engine is the only
 * writer of server state, the UI and the command line write intents (flag
 * edits) through cache_queue_edit().
 *
 * Threads: a struct cache is one SQLite connection and must be used by one
 * thread at a time. Each thread opens its own. The file is in WAL mode, so
 * readers never block the writer and the writer never blocks readers.
 *
 * Errors: every function returns 0 on success and -1 on failure, with the
 * details in err (which may be NULL). Failures of SQLite are PT_E_CACHE and
 * carry SQLite's message; "no such mailbox/message/body" is PT_E_NOTFOUND;
 * a malformed argument coming from the user (a bad flag) is PT_E_DATA.
 * After a failure inside cache_begin()/cache_commit() the caller rolls
 * back with cache_rollback(); nothing is ever half-applied.
 *
 * Ownership: structures filled by the cache belong to the caller and are
 * released with the matching _free() or _clear() function. Strings passed
 * in are copied or used only during the call.
 *
 * Numbers: UIDs and UIDVALIDITY are uint32_t (0 = none/unknown). A
 * mod-sequence is uint64_t in 1..INT64_MAX (RFC 7162 §7, Q-15); "unknown"
 * is a separate bool, never 0, and is stored as SQL NULL. Larger values
 * are refused with PT_E_CACHE (T-16: the caller treats the mailbox as
 * NOMODSEQ). Times are seconds since the epoch, UTC. */
#ifndef PETREL_CACHE_H
#define PETREL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct cache;

/* ------------------------------------------------------------ opening */

/* cache_open() flags. */
#define CACHE_OPEN_READONLY                               \
	0x1 /* a reader: the file must exist; writes fail \
	     */

/* Open (creating if needed, unless CACHE_OPEN_READONLY) the cache at path.
 * A missing parent directory is created with mode 0700 and the file with
 * mode 0600, whatever the umask. The schema is created or upgraded in one
 * transaction; a file written by a newer petrel is refused (PT_E_CACHE).
 * A missing file with CACHE_OPEN_READONLY is PT_E_NOTFOUND; a reader still
 * upgrades an older schema, then refuses every write (PRAGMA query_only).
 * Settings: WAL, synchronous=NORMAL, foreign_keys=ON, a busy timeout of
 * 5 s for writers, and prepared statements kept for the connection. */
int cache_open(const char *path, unsigned flags, struct cache **cache_r,
               struct pt_error *err);
/* Close the connection (rolling back an open transaction); sets *cache to
 * NULL. Accepts NULL and a pointer to NULL. */
void cache_close(struct cache **cache);
/* The path given to cache_open() (borrowed). */
const char *cache_path(const struct cache *c);
/* The schema version this petrel writes (PRAGMA user_version). */
int cache_schema_version(void);

/* ------------------------------------------------------- transactions */

/* Begin a transaction: BEGIN IMMEDIATE for a writer (so the write lock is
 * taken at once, waiting up to the busy timeout), a plain BEGIN for a
 * reader (a consistent snapshot across several reads). Transactions do
 * not nest: beginning twice is an error. Every writing function below
 * also works outside a transaction, as its own atomic unit. The sync
 * engine applies each server batch, with the HIGHESTMODSEQ it vouches
 * for, in one transaction. */
int cache_begin(struct cache *c, struct pt_error *err);
int cache_commit(struct cache *c, struct pt_error *err);
/* Roll back the open transaction, if any. Never fails. */
void cache_rollback(struct cache *c);
bool cache_in_transaction(struct cache *c);
/* A number that changes when another connection commits a change
 * (PRAGMA data_version): the UI polls it to know when to re-read. */
int cache_data_version(struct cache *c, int64_t *version_r,
                       struct pt_error *err);

/* ---------------------------------------------------------- mailboxes */

/* Mailbox attributes (RFC 3501 LIST, RFC 6154 special-use), a bit set. */
#define CACHE_MBOX_NOSELECT (1u << 0)
#define CACHE_MBOX_NOINFERIORS (1u << 1)
#define CACHE_MBOX_SENT (1u << 2)
#define CACHE_MBOX_TRASH (1u << 3)
#define CACHE_MBOX_DRAFTS (1u << 4)
#define CACHE_MBOX_JUNK (1u << 5)
#define CACHE_MBOX_ARCHIVE (1u << 6)
#define CACHE_MBOX_ALL (1u << 7)
#define CACHE_MBOX_FLAGGED (1u << 8)

/* The bit for a LIST attribute such as "\Sent" (case-insensitive), or 0
 * for an attribute the cache does not record. */
unsigned cache_mailbox_attr(const char *attr);

/* Whether the server keeps mod-sequences for a mailbox (Q-10, T-10). */
enum cache_modseq_mode {
	CACHE_MODSEQ_UNKNOWN = 0, /* never selected with CONDSTORE */
	CACHE_MODSEQ_YES,         /* HIGHESTMODSEQ seen */
	CACHE_MODSEQ_NO,          /* NOMODSEQ, or no CONDSTORE */
};

struct cache_mailbox {
	int64_t id;
	char *name;     /* UTF-8 */
	char *raw_name; /* as on the wire (modified UTF-7), or NULL */
	char delimiter; /* hierarchy delimiter, '\0' for NIL */
	unsigned attrs; /* CACHE_MBOX_* */
	bool subscribed;
	uint32_t uidvalidity; /* 0 = never synced */
	uint32_t uidnext;     /* 0 = unknown */
	bool has_highestmodseq;
	uint64_t highestmodseq; /* valid only if has_highestmodseq */
	enum cache_modseq_mode modseq_mode;
	int64_t last_full_sync; /* 0 = never */
	/* Initial sync progress: every UID <= synced_uid has been fetched,
	 * so an interrupted initial sync resumes after it. */
	uint32_t synced_uid;
	/* Filled by cache_mailbox_list() only (0 elsewhere): */
	uint64_t messages; /* cached messages */
	uint64_t unseen;   /* without \Seen in the user's view */
};

/* Insert a mailbox seen in LIST, or update its name spelling, raw name,
 * delimiter, attributes and subscription; the sync state is kept. */
int cache_mailbox_upsert(struct cache *c, const char *name,
                         const char *raw_name, char delimiter, unsigned attrs,
                         bool subscribed, int64_t *id_r, struct pt_error *err);
/* Look up one mailbox; PT_E_NOTFOUND if absent. Release with
 * cache_mailbox_clear(). */
int cache_mailbox_get(struct cache *c, const char *name,
                      struct cache_mailbox *mb_r, struct pt_error *err);
int cache_mailbox_get_id(struct cache *c, int64_t id,
                         struct cache_mailbox *mb_r, struct pt_error *err);
void cache_mailbox_clear(struct cache_mailbox *mb);

struct cache_mailbox_list {
	struct cache_mailbox *v;
	size_t n;
};
/* All mailboxes sorted by name (byte order), with messages and unseen
 * counted (`petrel mailboxes`). */
int cache_mailbox_list(struct cache *c, struct cache_mailbox_list *list_r,
                       struct pt_error *err);
/* The same without the counts (messages and unseen are 0), which cost a
 * scan of each mailbox's messages. */
int cache_mailbox_names(struct cache *c, struct cache_mailbox_list *list_r,
                        struct pt_error *err);
void cache_mailbox_list_free(struct cache_mailbox_list *list);
/* Messages and unseen-in-the-user's-view of one mailbox. */
int cache_mailbox_counts(struct cache *c, int64_t mailbox_id,
                         uint64_t *messages_r, uint64_t *unseen_r,
                         struct pt_error *err);

struct cache_queue_list; /* below */
/* Delete a mailbox with its messages and bodies. Its queued edits are
 * deleted too and, if dropped_r is not NULL, handed back so the caller can
 * report them. */
int cache_mailbox_delete(struct cache *c, int64_t id,
                         struct cache_queue_list *dropped_r,
                         struct pt_error *err);
/* Rename (RENAME, or a LIST that shows the same mailbox under a new name);
 * messages and queued edits follow. */
int cache_mailbox_rename(struct cache *c, int64_t id, const char *name,
                         const char *raw_name, struct pt_error *err);
/* UIDVALIDITY is new: delete every message of the mailbox,
 * forget HIGHESTMODSEQ, UIDNEXT, the sync progress and the full-sync time,
 * store the new UIDVALIDITY, and drop the mailbox's queued edits, handed
 * back in dropped_r (if not NULL) to be reported. Also used for the first
 * UIDVALIDITY of a mailbox. */
int cache_mailbox_reset(struct cache *c, int64_t id, uint32_t uidvalidity,
                        struct cache_queue_list *dropped_r,
                        struct pt_error *err);
int cache_mailbox_set_uidnext(struct cache *c, int64_t id, uint32_t uidnext,
                              struct pt_error *err);
/* hms NULL forgets the value; otherwise 1..INT64_MAX. */
int cache_mailbox_set_highestmodseq(struct cache *c, int64_t id,
                                    const uint64_t *hms, struct pt_error *err);
int cache_mailbox_set_modseq_mode(struct cache *c, int64_t id,
                                  enum cache_modseq_mode mode,
                                  struct pt_error *err);
int cache_mailbox_set_full_sync(struct cache *c, int64_t id, int64_t when,
                                struct pt_error *err);
int cache_mailbox_set_synced_uid(struct cache *c, int64_t id, uint32_t uid,
                                 struct pt_error *err);

/* ----------------------------------------------------------- messages */

struct cache_msg {
	uint32_t uid;
	bool has_modseq;
	uint64_t modseq;
	/* Server flags, canonical (cache_flags_normalize()); on input any
	 * spelling is accepted and normalized; NULL means none. */
	char *flags;
	/* Read only: the flags the user sees, server flags with queued
	 * edits applied (canonical). Ignored on input. */
	char *view_flags;
	int64_t internaldate;
	uint64_t size;
	bool has_date; /* a valid Date header */
	int64_t date;
	/* Read only: date if has_date, else internaldate (`ls` DATE). */
	int64_t sort_date;
	/* Decoded UTF-8 (the caller decodes); NULL = absent. */
	char *from; /* first From address, "Name <addr>" or "addr" */
	char *to;
	char *cc;
	char *subject;
	char *message_id;
	char *in_reply_to;
	char *references;
	/* The BODYSTRUCTURE as received; not filled by page reads. */
	char *bodystructure;
	/* Read only, meaningful in CACHE_ORDER_THREAD reads: the position
	 * in the thread order (the page key), the depth in the thread (0 for
	 * a root), and the tree drawing: one character per level below the
	 * root, '|' where an ancestor has a later sibling (a vertical line),
	 * ' ' where it has none, then '+' (more siblings follow) or '`' (the
	 * last child); "" for a root. At most CACHE_THREAD_TREE_MAX levels
	 * are drawn. NULL when the order was never computed. */
	int64_t thread_pos;
	unsigned thread_depth;
	char *thread_tree;
};

/* Free the strings of m (not m itself) and zero it. */
void cache_msg_clear(struct cache_msg *m);

/* Insert a message, or replace every field of an existing one with the
 * same UID (its bodies stay). */
int cache_msg_put(struct cache *c, int64_t mailbox_id,
                  const struct cache_msg *m, struct pt_error *err);
/* A FETCH with FLAGS and/or MODSEQ. flags NULL leaves the flags untouched
 * (a MODSEQ-only FETCH, Q-16); modseq NULL leaves the modseq. *found_r
 * (may be NULL) tells whether the UID is cached; an unknown UID is not an
 * error. */
int cache_msg_set_flags(struct cache *c, int64_t mailbox_id, uint32_t uid,
                        const char *flags, const uint64_t *modseq,
                        bool *found_r, struct pt_error *err);
int cache_msg_delete(struct cache *c, int64_t mailbox_id, uint32_t uid,
                     struct pt_error *err);

/* An inclusive UID range; lo > hi is accepted and means hi:lo (T-20). */
struct cache_uid_range {
	uint32_t lo, hi;
};
/* Delete every cached message in the ranges (VANISHED, expunge diff):
 * one range DELETE each, never expanded (Q-60, T-12), UIDs not cached
 * are ignored. *deleted_r (may be NULL) gets the count. */
int cache_msg_delete_ranges(struct cache *c, int64_t mailbox_id,
                            const struct cache_uid_range *ranges, size_t n,
                            uint64_t *deleted_r, struct pt_error *err);
/* The highest cached UID, 0 if none. */
int cache_msg_max_uid(struct cache *c, int64_t mailbox_id, uint32_t *uid_r,
                      struct pt_error *err);
int cache_msg_count(struct cache *c, int64_t mailbox_id, uint64_t *count_r,
                    struct pt_error *err);

struct cache_uidlist {
	uint32_t *uids; /* ascending */
	size_t n;
};
void cache_uidlist_free(struct cache_uidlist *l);
/* Every cached UID of a mailbox, ascending (known-uids, expunge diff). */
int cache_msg_uids(struct cache *c, int64_t mailbox_id,
                   struct cache_uidlist *uids_r, struct pt_error *err);
/* One message (with bodystructure); PT_E_NOTFOUND if not cached. */
int cache_msg_get(struct cache *c, int64_t mailbox_id, uint32_t uid,
                  struct cache_msg *m_r, struct pt_error *err);

/* Orders for page reads. Date order is by sort_date, then UID.
 *
 * Thread order: threads from Message-ID, In-Reply-To and References
 * within the mailbox. A message's parent is the message named by the last
 * id of its References that is cached in the mailbox (else by its
 * In-Reply-To); without one it is a root (a reference cycle is cut where
 * it closes). Threads come newest first by their latest message (then by
 * the root's UID, highest first); inside a thread, depth first, siblings
 * oldest first. The order is recomputed, in a write transaction, by the
 * first thread read after a change to the mailbox's messages (linear in
 * their number); a read that cannot take the write lock (a read-only
 * connection, a writer holding it past the busy timeout) returns the last
 * computed order, without the messages added since. */
enum cache_order {
	CACHE_ORDER_UID_ASC = 0,
	CACHE_ORDER_UID_DESC,
	CACHE_ORDER_DATE_ASC,
	CACHE_ORDER_DATE_DESC,
	CACHE_ORDER_THREAD,
	CACHE_ORDER_THREAD_REV, /* the reverse, to scroll back */
};
/* Levels drawn in cache_msg.thread_tree. */
#define CACHE_THREAD_TREE_MAX 32
/* A position in an order: the sort key of the last row seen. */
struct cache_page_key {
	/* The sort_date; for the thread orders, the thread_pos. Ignored for
	 * the UID orders. */
	int64_t sort_date;
	uint32_t uid; /* ignored for the thread orders */
};
struct cache_msg_page {
	struct cache_msg *v;
	size_t n;
};
void cache_msg_page_free(struct cache_msg_page *p);
/* Up to limit messages following `after` in `order` (keyset paging; after
 * NULL starts at the beginning). The next page starts after the last row
 * returned; a short page is the end. To scroll back, read the reverse
 * order from the first row shown. */
int cache_msg_page(struct cache *c, int64_t mailbox_id, enum cache_order order,
                   const struct cache_page_key *after, size_t limit,
                   struct cache_msg_page *page_r, struct pt_error *err);

/* petrel's own STORE +\Deleted on uid succeeded (own) or was undone. */
int cache_msg_set_own_deleted(struct cache *c, int64_t mailbox_id, uint32_t uid,
                              bool own, struct pt_error *err);
/* UIDs whose \Deleted flag on the server was set by petrel itself: the
 * only ones an expunge may remove (UID EXPUNGE), ascending. */
int cache_msg_own_deleted(struct cache *c, int64_t mailbox_id,
                          struct cache_uidlist *uids_r, struct pt_error *err);

/* ------------------------------------------------------------- bodies */

/* Store (or replace) a body part: section is the IMAP section spec ("" for
 * the whole message, "1.2", "HEADER"). PT_E_NOTFOUND if the message is not
 * cached. Bodies go away with their message. */
int cache_body_put(struct cache *c, int64_t mailbox_id, uint32_t uid,
                   const char *section, const void *data, size_t len,
                   struct pt_error *err);
/* A cached part: *data_r (NUL-terminated for convenience, freed by the
 * caller) and its length; PT_E_NOTFOUND if it is not cached. */
int cache_body_get(struct cache *c, int64_t mailbox_id, uint32_t uid,
                   const char *section, char **data_r, size_t *len_r,
                   struct pt_error *err);
/* UIDs with a body part `section` cached but no search text yet
 * (cache_fts_set_text()), ascending, at most limit. */
int cache_body_unindexed(struct cache *c, int64_t mailbox_id,
                         const char *section, size_t limit,
                         struct cache_uidlist *uids_r, struct pt_error *err);
/* UIDs whose date is >= since and have no part `section` cached,
 * newest first, at most limit (prefetch). */
int cache_body_missing(struct cache *c, int64_t mailbox_id, const char *section,
                       int64_t since, size_t limit,
                       struct cache_uidlist *uids_r, struct pt_error *err);

/* -------------------------------------------------------- change queue */

enum cache_queue_state {
	CACHE_QUEUE_PENDING = 0,   /* to be sent */
	CACHE_QUEUE_AWAITING_USER, /* a conflict the UI asks about */
};

struct cache_queue_entry {
	int64_t id; /* queue order */
	int64_t mailbox_id;
	char *mailbox; /* name */
	uint32_t uidvalidity;
	uint32_t uid;
	char *add;    /* canonical flag list, "" if none */
	char *remove; /* canonical flag list, "" if none */
	/* The message's modseq when the user first edited it; 0 when the
	 * mailbox has no modseqs (UNCHANGEDSINCE base). */
	uint64_t base_modseq;
	int64_t created;
	enum cache_queue_state state;
	/* Bumped by every change of the row; cache_queue_done() removes the
	 * row only if nobody edited it since it was read. */
	int64_t rev;
};
struct cache_queue_list {
	struct cache_queue_entry *v;
	size_t n;
};
void cache_queue_list_free(struct cache_queue_list *l);

/* The user adds the flags `add` and removes the flags `remove` (either may
 * be NULL or "") on the cached messages uids[0..n). The edit applies to
 * the user's view at once and is queued, coalesced with the message's
 * queued edit: the row holds only what still differs from the server
 * flags (so +X then -X, or a toggle twice, leaves no row), and an edit
 * that changes nothing in the view is not queued. A new row records the
 * message's current modseq as its base. UIDs not cached are skipped.
 * *matched_r: cached messages among uids; *changed_r: messages whose view
 * changed (both may be NULL). A flag both added and removed, or not a
 * valid flag, is PT_E_DATA. Atomic. */
int cache_queue_edit(struct cache *c, int64_t mailbox_id, const uint32_t *uids,
                     size_t n, const char *add, const char *remove,
                     size_t *matched_r, size_t *changed_r,
                     struct pt_error *err);
/* Queued edits in queue order, of one mailbox or (mailbox_id 0) of all
 * (`petrel pending`). */
int cache_queue_list(struct cache *c, int64_t mailbox_id,
                     struct cache_queue_list *list_r, struct pt_error *err);

/* Replay: pending edits of one mailbox (current UIDVALIDITY, message still
 * cached) grouped by identical (add, remove) so they can be sent as one
 * UID STORE per group. Groups come in the queue order of their first edit;
 * the items of a group are sorted by UID. */
struct cache_queue_item {
	int64_t id;
	int64_t rev;
	uint32_t uid;
	uint64_t base_modseq;
};
struct cache_queue_group {
	char *add;
	char *remove;
	struct cache_queue_item *items;
	size_t n;
};
struct cache_queue_groups {
	struct cache_queue_group *v;
	size_t n;
};
void cache_queue_groups_free(struct cache_queue_groups *g);
int cache_queue_groups(struct cache *c, int64_t mailbox_id,
                       struct cache_queue_groups *groups_r,
                       struct pt_error *err);
/* Edits of a mailbox that can no longer apply: their message is not
 * cached any more (expunged) or they belong to another UIDVALIDITY. The
 * caller reports them and removes them. */
int cache_queue_orphans(struct cache *c, int64_t mailbox_id,
                        struct cache_queue_list *list_r, struct pt_error *err);
/* Remove a row unconditionally (reported conflict, user's answer). */
int cache_queue_remove(struct cache *c, int64_t id, struct pt_error *err);
/* The server confirmed the edit read with revision rev: remove the row
 * unless it was edited since (then it stays, to be sent again).
 * *removed_r (may be NULL) tells which. */
int cache_queue_done(struct cache *c, int64_t id, int64_t rev, bool *removed_r,
                     struct pt_error *err);
int cache_queue_set_state(struct cache *c, int64_t id,
                          enum cache_queue_state state, struct pt_error *err);
/* After a MODIFIED merge where the server still has the base value:
 * resend against a new base (DESIGN "Flag edits across devices"). */
int cache_queue_set_base(struct cache *c, int64_t id, uint64_t base_modseq,
                         struct pt_error *err);
/* Remove and hand back (if dropped_r is not NULL) every edit of a mailbox
 * (Q-72). */
int cache_queue_drop_mailbox(struct cache *c, int64_t mailbox_id,
                             struct cache_queue_list *dropped_r,
                             struct pt_error *err);

/* ---------------------------------------------------------- full text */

/* Set the text of a message's body used by search (the caller extracts
 * and decodes it; "" for a message without text). Marks the message as
 * indexed. PT_E_NOTFOUND if the message is not cached. */
int cache_fts_set_text(struct cache *c, int64_t mailbox_id, uint32_t uid,
                       const char *text, struct pt_error *err);

struct cache_search_filter {
	bool unread;  /* without \Seen in the user's view */
	bool flagged; /* with \Flagged in the user's view */
	bool has_before;
	int64_t before; /* sort_date < before */
	bool has_after;
	int64_t after; /* sort_date >= after */
};
/* UIDs of a mailbox, ascending (the `ls` order), that match an FTS5 MATCH
 * expression over the columns from, to, cc, subject and body (e.g.
 * `from:alice AND subject:"weekly report"`), and the filter. match NULL or
 * "" means no text condition; filter may be NULL. A MATCH syntax error is
 * PT_E_DATA. Words match case- and accent-insensitively. */
int cache_fts_search(struct cache *c, int64_t mailbox_id, const char *match,
                     const struct cache_search_filter *filter,
                     struct cache_uidlist *uids_r, struct pt_error *err);

#endif
