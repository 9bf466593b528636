/* sync-thread.h: the background sync thread of the interface and its
 * event API (DESIGN.md "Threads and data flow").
 *
 * The interface starts one sync thread per account. The thread owns its
 * own cache connection and the IMAP connection: it syncs the account's
 * mailboxes, then waits in IDLE (or polls with NOOP every
 * SYNC_THREAD_POLL_MS where IDLE is absent) on the mailbox the interface
 * shows, so that another device's changes reach the cache within
 * seconds. A lost connection is retried with exponential backoff and
 * jitter, from 1 s up to 5 minutes.
 *
 * This header is the whole interface between ui/ and the engine's
 * thread: it names no IMAP or sync type, so ui/ may include it (the
 * implementation is src/sync/sync-thread.c).
 *
 * Requests (interface -> thread) are flags and small copied values set
 * under a mutex, followed by a wake-up of the thread's descriptor; they
 * never block the caller. The thread reports back through a second
 * wake-up descriptor (sync_thread_fd()) and a small status structure
 * the interface copies with sync_thread_status(): no pointer into the
 * engine's state ever crosses threads. Everything else the interface
 * learns by re-reading the cache (cache_data_version()).
 *
 * Threading: every function below is called by the interface's thread;
 * the struct sync_thread is shared with the sync thread internally. */
#ifndef PETREL_SYNC_THREAD_H
#define PETREL_SYNC_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "config/config.h"

/* NOOP polling interval when the server has no IDLE. */
#define SYNC_THREAD_POLL_MS 60000
/* Reconnect delays (before jitter). */
#define SYNC_THREAD_BACKOFF_MIN_MS 1000
#define SYNC_THREAD_BACKOFF_MAX_MS 300000

enum sync_thread_state {
	SYNC_THREAD_CONNECTING = 0,
	SYNC_THREAD_SYNCING,      /* a sync is running (see mailbox) */
	SYNC_THREAD_ONLINE,       /* connected, waiting for changes */
	SYNC_THREAD_RECONNECTING, /* not connected; retry at retry_at_ms */
	SYNC_THREAD_OFFLINE,      /* not connected and not retrying by itself
	                             (authentication, TLS or configuration
	                             failure): sync_thread_sync_now() retries */
	SYNC_THREAD_STOPPED,
};

/* A copy of the thread's state. Strings are sanitized, one line. */
struct sync_thread_status {
	enum sync_thread_state state;
	/* SYNC_THREAD_RECONNECTING: when the next attempt starts
	 * (CLOCK_MONOTONIC, milliseconds). */
	int64_t retry_at_ms;
	/* SYNC_THREAD_SYNCING: the mailbox, and the position in the list of
	 * mailboxes of a full sync (done of total; total 0 for a single
	 * mailbox). */
	char mailbox[128];
	unsigned done, total;
	/* SYNC_THREAD_SYNCING: of that mailbox's new messages, fetched
	 * are in the cache (the index shows them) of to_fetch; to_fetch 0
	 * when none are being fetched. */
	uint64_t fetched, to_fetch;
	/* The last error, "" if none since the last successful sync. */
	char error[256];
	/* The last notice of the engine (a dropped edit, a UIDVALIDITY
	 * change), "" if none. */
	char notice[256];
	/* A body fetch asked for with sync_thread_fetch_body() failed:
	 * the message (mailbox name and UID); uid 0 if none. */
	char fetch_failed_mailbox[128];
	uint32_t fetch_failed_uid;
	/* The server has IDLE (ONLINE means pushed changes). */
	bool idle;
	/* Bumped at every change of this structure. */
	unsigned seq;
};

struct sync_thread_params {
	/* Borrowed: must stay valid until sync_thread_stop() returned
	 * true. */
	const struct account_conf *acct;
	const char *trace_path; /* -d, or NULL (copied) */
	const char *mailbox;    /* the mailbox shown first, or NULL (copied) */
};

struct sync_thread;

/* Start the thread. Fails (PT_E_INTERNAL) only when no thread or wake-up
 * descriptor can be made; connection problems are reported through the
 * status, never here. */
int sync_thread_start(const struct sync_thread_params *p,
                      struct sync_thread **t_r, struct pt_error *err);
/* Readable (POLLIN) when the status changed or the cache may have
 * changed. sync_thread_status() clears it. */
int sync_thread_fd(const struct sync_thread *t);
/* Copy the status and clear the descriptor's readiness. */
void sync_thread_status(struct sync_thread *t, struct sync_thread_status *st);

/* Sync every mailbox now (also: retry a connection at once). */
void sync_thread_sync_now(struct sync_thread *t);
/* The same, then expunge the messages the user deleted (with petrel) in
 * the shown mailbox: UID EXPUNGE of those only (the "$" key). */
void sync_thread_sync_expunge(struct sync_thread *t);
/* Send the queued edits now (each mailbox that has some is resynced and
 * its edits replayed). */
void sync_thread_flush(struct sync_thread *t);
/* The interface shows another mailbox (UTF-8 name): sync it first and
 * wait for changes there. */
void sync_thread_open_mailbox(struct sync_thread *t, const char *name);
/* Fetch (BODY.PEEK[], never setting \Seen) the body of a message into
 * the cache. Success shows as a cache change; failure in the status. */
void sync_thread_fetch_body(struct sync_thread *t, const char *mailbox,
                            uint32_t uid);

/* Ask the thread to stop (leaving IDLE with DONE, then LOGOUT) and wait
 * up to timeout_ms for it. Returns true when the thread ended and was
 * freed (*tp becomes NULL); false when it is still busy (a network wait):
 * it is then left to end with the process, and the account passed in
 * the parameters must not be freed. Accepts a pointer to NULL. */
bool sync_thread_stop(struct sync_thread **tp, int timeout_ms);

/* Milliseconds of CLOCK_MONOTONIC (for retry_at_ms). */
int64_t sync_thread_now_ms(void);

#endif
