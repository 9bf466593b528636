/* sync-thread.c: the interface's background sync thread (sync-thread.h):
 * connecting with backoff, full syncs, IDLE (or NOOP polling) on the
 * mailbox the interface shows, body fetches on request, and the status
 * it reports back. */
#include "sync-thread.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/text.h"
#include "common/wake.h"
#include "common/xmalloc.h"
#include "sync/sync-private.h"

/* Requests (struct sync_thread.req). */
#define ST_REQ_STOP 0x1u
#define ST_REQ_SYNC 0x2u
#define ST_REQ_FLUSH 0x4u
#define ST_REQ_OPEN 0x8u
#define ST_REQ_EXPUNGE 0x10u

/* IDLE is left and entered again this often (RFC 2177 §3: a client
 * should not stay idle longer than 29 minutes). */
#define ST_IDLE_MS (25 * 60 * 1000)
/* Body fetch requests kept; older ones are dropped first. */
#define ST_FETCH_MAX 16
/* Consistency checks before waiting on a mailbox (see st_select()). */
#define ST_SELECT_TRIES 3

struct st_fetch {
	char *mailbox;
	uint32_t uid;
};

struct sync_thread {
	pthread_t tid;
	struct wake *cmd;    /* interface -> thread */
	struct wake *ev;     /* thread -> interface */
	struct wake *halt;   /* stop only: interrupts a connect */
	int64_t progress_ms; /* when st_progress last woke the interface */
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* Shared, under mu. */
	unsigned req;
	char *want_mailbox;
	struct st_fetch fetch[ST_FETCH_MAX];
	size_t nfetch;
	bool finished;
	struct sync_thread_status st;

	/* The sync thread's own. */
	const struct account_conf *acct;
	char *trace_path;
	char *open_name; /* the mailbox the interface shows */
	struct cache *cache;
	struct sync *sync;
	char *password;
	char ***exclusive; /* the account's keyword groups, for the engine */
	FILE *notices;
	struct buf notice_line;
	unsigned backoff_ms;
	unsigned seed;
	/* The selection kept for IDLE/NOOP and body fetches. */
	bool selected;
	struct cache_mailbox mb;
	struct sync_mbox m;
	bool need_resync;
	bool yielded; /* st_yield cut the last sync_mailbox() short */
};

/* ------------------------------------------------------------- status */

int64_t sync_thread_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A sanitized one-line copy of src into dst[size], cut at a character
 * boundary. */
static void st_copy(char *dst, size_t size, const char *src)
{
	char *clean = text_sanitize_str(src != NULL ? src : "", TEXT_ONELINE);
	size_t len = strlen(clean);

	if (len >= size) {
		len = size - 1;
		while (len > 0 && ((unsigned char)clean[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, clean, len);
	dst[len] = '\0';
	free(clean);
}

static void st_lock(struct sync_thread *t)
{
	pthread_mutex_lock(&t->mu);
}

/* Unlock after a change of the status and wake the interface. */
static void st_unlock_publish(struct sync_thread *t)
{
	t->st.seq++;
	pthread_mutex_unlock(&t->mu);
	wake_notify(t->ev);
}

static void st_state(struct sync_thread *t, enum sync_thread_state state,
                     const char *mailbox, unsigned done, unsigned total)
{
	st_lock(t);
	t->st.state = state;
	st_copy(t->st.mailbox, sizeof t->st.mailbox, mailbox);
	t->st.done = done;
	t->st.total = total;
	t->st.fetched = t->st.to_fetch = 0;
	st_unlock_publish(t);
}

/* sync_params.progress: new messages are in the cache. The interface is
 * woken (and re-reads the index) at most every ST_PROGRESS_MS, and at
 * the first and the last chunk. */
#define ST_PROGRESS_MS 150
static void st_progress(void *arg, const char *mailbox, uint64_t stored,
                        uint64_t total)
{
	struct sync_thread *t = arg;
	int64_t now = sync_thread_now_ms();
	bool first, last;

	(void)mailbox;
	st_lock(t);
	first = t->st.to_fetch != total || t->st.fetched == 0;
	last = stored >= total;
	t->st.fetched = stored;
	t->st.to_fetch = last ? 0 : total;
	if (first || last || now - t->progress_ms >= ST_PROGRESS_MS) {
		t->progress_ms = now;
		st_unlock_publish(t);
	} else {
		pthread_mutex_unlock(&t->mu);
	}
}

static void st_error(struct sync_thread *t, const struct pt_error *err)
{
	st_lock(t);
	st_copy(t->st.error, sizeof t->st.error, err != NULL ? err->msg : "");
	st_unlock_publish(t);
}

/* The cache changed: the interface re-reads it. */
static void st_changed(struct sync_thread *t)
{
	wake_notify(t->ev);
}

/* Notices of the engine come through a FILE (struct sync_params); each
 * line becomes the status's notice. */
static ssize_t st_notice_write(void *cookie, const char *data, size_t len)
{
	struct sync_thread *t = cookie;

	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			if (t->notice_line.len < 4096)
				buf_addch(&t->notice_line, data[i]);
			continue;
		}
		const char *line = buf_str(&t->notice_line);
		if (strncmp(line, "petrel: ", 8) == 0)
			line += 8;
		st_lock(t);
		st_copy(t->st.notice, sizeof t->st.notice, line);
		st_unlock_publish(t);
		buf_reset(&t->notice_line);
	}
	return (ssize_t)len;
}

/* ------------------------------------------------------- connections */

static enum imap_tls_mode st_tls(enum config_tls tls)
{
	switch (tls) {
	case CONFIG_TLS_STARTTLS:
		return IMAP_TLS_STARTTLS;
	case CONFIG_TLS_NONE:
		return IMAP_TLS_NONE;
	default:
		return IMAP_TLS_IMPLICIT;
	}
}

static void st_forget_password(struct sync_thread *t)
{
	if (t->password != NULL) {
		explicit_bzero(t->password, strlen(t->password));
		free(t->password);
		t->password = NULL;
	}
}

static bool st_yield(void *arg);

static int st_connect(struct sync_thread *t, struct pt_error *err)
{
	const struct account_conf *a = t->acct;
	struct sync_params p;

	memset(&p, 0, sizeof p);
	p.client.conn.host = a->host;
	p.client.conn.port = a->port;
	p.client.conn.tls = st_tls(a->tls);
	p.client.conn.ca_file = a->ca_file;
	p.client.conn.tunnel = a->tunnel;
	/* The terminal belongs to the interface. */
	p.client.conn.tunnel_stderr = IMAP_TUNNEL_STDERR_TRACE;
	p.client.conn.trace_path = t->trace_path;
	p.client.user = a->user;
	/* Only a stop interrupts the connect, the login and the waits for
	 * answers: a request (a mailbox opened, a body wanted) waits until
	 * they are done. */
	p.client.wake_fd = wake_fd(t->halt);
	p.notices = t->notices;
	p.progress = st_progress;
	p.progress_arg = t;
	p.yield = st_yield;
	p.yield_arg = t;
	p.prefetch_days = a->prefetch_days;
	p.exclusive = (const char *const *const *)t->exclusive;
	p.n_exclusive = a->n_exclusive;
	if (t->password == NULL &&
	    (a->password != NULL || a->password_command != NULL) &&
	    config_account_password(a, &t->password, err) < 0)
		return -1;
	p.client.password = t->password;
	if (sync_open(t->cache, &p, &t->sync, err) < 0) {
		if (err->code == PT_E_AUTH)
			st_forget_password(t);
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------- requests */

struct st_reqs {
	unsigned req;
	char *open;
	struct st_fetch fetch[ST_FETCH_MAX];
	size_t nfetch;
};

/* Take the pending requests (the caller frees them with st_reqs_free). */
static void st_take(struct sync_thread *t, struct st_reqs *r)
{
	wake_drain(t->cmd);
	st_lock(t);
	r->req = t->req;
	t->req &= ST_REQ_STOP; /* a stop stays asked */
	r->open = t->want_mailbox;
	t->want_mailbox = NULL;
	memcpy(r->fetch, t->fetch, t->nfetch * sizeof *t->fetch);
	r->nfetch = t->nfetch;
	t->nfetch = 0;
	pthread_mutex_unlock(&t->mu);
}

static void st_reqs_free(struct st_reqs *r)
{
	free(r->open);
	for (size_t i = 0; i < r->nfetch; i++)
		free(r->fetch[i].mailbox);
	memset(r, 0, sizeof *r);
}

static bool st_stopping(struct sync_thread *t)
{
	bool stop;

	st_lock(t);
	stop = (t->req & ST_REQ_STOP) != 0;
	pthread_mutex_unlock(&t->mu);
	return stop;
}

static bool st_pending(struct sync_thread *t)
{
	bool any;

	st_lock(t);
	any = t->req != 0 || t->want_mailbox != NULL || t->nfetch > 0;
	pthread_mutex_unlock(&t->mu);
	return any;
}

/* ---------------------------------------------------------- selection */

/* A failure that ends the connection: the client is unusable, or the
 * cache failed (everything else is reported and the sync goes on with
 * the next mailbox). */
static bool st_fatal(struct sync_thread *t, const struct pt_error *err)
{
	return !imap_client_usable(sync_client(t->sync)) ||
	       err->code == PT_E_CONN || err->code == PT_E_CACHE ||
	       err->code == PT_E_AUTH || err->code == PT_E_TLS ||
	       err->code == PT_E_INTERNAL;
}

/* A failure that concerns only the shown mailbox (gone, or refused):
 * reported; nothing is selected (returns 2), or -1 if it is fatal. */
static int st_mailbox_failed(struct sync_thread *t, struct pt_error *err)
{
	if (st_fatal(t, err))
		return -1;
	st_error(t, err);
	return 2;
}

/* Commit what the selection received (flags, expunges: never the
 * baseline, which only moves at a tagged response, Q-69), and decide
 * whether the mailbox needs a full resync (new mail, an expunge the
 * sequence map did not know). */
static int st_commit_selected(struct sync_thread *t, struct pt_error *err)
{
	const struct imap_selection *sel =
	        imap_client_selection(sync_client(t->sync));
	uint64_t count = 0;

	if (t->m.batch.need_diff)
		t->need_resync = true;
	if (sync_batch_size(&t->m.batch) > 0) {
		if (sync_commit(t->sync, &t->m, NULL, err) < 0)
			return -1;
		st_changed(t);
	}
	if (cache_msg_count(t->cache, t->m.id, &count, err) < 0)
		return -1;
	if (count != sel->exists)
		t->need_resync = true;
	return 0;
}

/* Forget the selection (the engine is about to select another mailbox
 * or the connection is gone). */
static void st_deselect(struct sync_thread *t)
{
	sync_batch_clear(&t->m.batch);
	memset(&t->m, 0, sizeof t->m);
	cache_mailbox_clear(&t->mb);
	t->selected = false;
	t->need_resync = false;
}

/* Leave the selection (its data committed) before the engine selects. */
static int st_leave(struct sync_thread *t, struct pt_error *err)
{
	struct imap_client *c = sync_client(t->sync);
	int ret = 0;

	if (!t->selected)
		return 0;
	if (imap_client_usable(c))
		ret = imap_client_unselect(c, err);
	if (ret == 0)
		ret = st_commit_selected(t, err);
	st_deselect(t);
	return ret;
}

static int st_fetch_one(struct sync_thread *t, const struct st_fetch *f,
                        struct pt_error *err);

/* sync_params.yield: a body the interface waits for goes before the rest
 * of a long fetch of new messages. */
static bool st_yield(void *arg)
{
	struct sync_thread *t = arg;
	bool any;

	st_lock(t);
	any = t->nfetch > 0;
	pthread_mutex_unlock(&t->mu);
	if (any)
		t->yielded = true;
	return any;
}

/* Only the waiting body fetches; the other requests wait for the sync in
 * progress. */
static int st_fetch_waiting(struct sync_thread *t, struct pt_error *err)
{
	struct st_fetch f[ST_FETCH_MAX];
	size_t n;
	int ret = 0;

	st_lock(t);
	n = t->nfetch;
	memcpy(f, t->fetch, n * sizeof *f);
	t->nfetch = 0;
	pthread_mutex_unlock(&t->mu);
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			ret = st_fetch_one(t, &f[i], err);
		free(f[i].mailbox);
	}
	return ret;
}

/* sync_mailbox() with the thread's bookkeeping. A sync that yielded to a
 * body fetch goes on after it, from what it stored. */
static int st_sync_mailbox_flags(struct sync_thread *t, const char *name,
                                 unsigned done, unsigned total, unsigned flags,
                                 struct pt_error *err)
{
	int ret;

	if (st_leave(t, err) < 0)
		return -1;
	for (;;) {
		st_state(t, SYNC_THREAD_SYNCING, name, done, total);
		t->yielded = false;
		ret = sync_mailbox(t->sync, name, flags, err);
		if (ret != 0 || !t->yielded)
			break;
		st_changed(t);
		ret = st_fetch_waiting(t, err);
		if (ret != 0 || st_stopping(t))
			break;
	}
	t->yielded = false;
	if (ret == 0)
		st_changed(t);
	return ret;
}

static int st_sync_mailbox(struct sync_thread *t, const char *name,
                           unsigned done, unsigned total, bool skip,
                           struct pt_error *err)
{
	return st_sync_mailbox_flags(t, name, done, total,
	                             skip ? SYNC_SKIP_UNCHANGED : 0, err);
}

/* The selected mailbox matches the cache exactly (so waiting on it makes
 * sense, and the cache's UIDs are the sequence map). */
static bool st_matches(struct sync_thread *t, uint64_t count)
{
	const struct imap_selection *sel =
	        imap_client_selection(sync_client(t->sync));
	const struct cache_mailbox *mb = &t->mb;

	if (sel->uidvalidity != mb->uidvalidity ||
	    sel->uidnext != mb->uidnext || sel->exists != count)
		return false;
	if (t->m.use_modseq &&
	    (!mb->has_highestmodseq || sel->hms != mb->highestmodseq))
		return false;
	return true;
}

/* SELECT the shown mailbox to wait on it. Returns 0 when selected, 1
 * when the mailbox differs from the cache (resync first), 2 when there
 * is nothing to select. */
static int st_try_select(struct sync_thread *t, struct pt_error *err)
{
	struct imap_client *c = sync_client(t->sync);
	struct cache_uidlist uids = {0};
	uint64_t count = 0;
	bool condstore = imap_client_condstore(c);
	const struct imap_selection *sel;

	if (t->open_name == NULL ||
	    cache_mailbox_get(t->cache, t->open_name, &t->mb, err) < 0 ||
	    (t->mb.attrs & CACHE_MBOX_NOSELECT)) {
		cache_mailbox_clear(&t->mb);
		return 2;
	}
	memset(&t->m, 0, sizeof t->m);
	t->m.id = t->mb.id;
	t->m.name = t->mb.name;
	t->m.raw = t->mb.raw_name ? t->mb.raw_name : t->mb.name;
	t->m.use_modseq = condstore;
	sync_batch_init(&t->m.batch);
	t->selected = true;
	if (imap_client_select(c, t->m.raw, condstore ? "(CONDSTORE)" : "",
	                       false, &t->m, NULL, err) < 0) {
		st_deselect(t);
		return st_mailbox_failed(t, err);
	}
	sel = imap_client_selection(c);
	t->m.use_modseq = condstore && sel->has_hms && !sel->nomodseq;
	if (cache_msg_count(t->cache, t->m.id, &count, err) < 0)
		return -1;
	if (!st_matches(t, count))
		return 1;
	if (cache_msg_uids(t->cache, t->m.id, &uids, err) < 0)
		return -1;
	imap_client_set_seqmap(c, uids.uids, uids.n);
	cache_uidlist_free(&uids);
	return st_commit_selected(t, err);
}

/* Select the shown mailbox, resyncing it until it matches the cache. */
static int st_select(struct sync_thread *t, struct pt_error *err)
{
	for (int i = 0; i < ST_SELECT_TRIES; i++) {
		int ret = st_try_select(t, err);
		if (ret == 0 || ret == 2)
			return ret;
		if (ret < 0)
			return -1;
		if (st_sync_mailbox(t, t->open_name, 0, 0, false, err) < 0)
			return st_mailbox_failed(t, err);
	}
	/* Still changing under us: wait on it anyway; the next change
	 * brings a resync. */
	return st_try_select(t, err) < 0 ? -1 : 0;
}

/* -------------------------------------------------------------- bodies */

static void st_fetch_failed(struct sync_thread *t, const char *mailbox,
                            uint32_t uid, const struct pt_error *err)
{
	st_lock(t);
	st_copy(t->st.fetch_failed_mailbox, sizeof t->st.fetch_failed_mailbox,
	        mailbox);
	t->st.fetch_failed_uid = uid;
	st_copy(t->st.error, sizeof t->st.error, err->msg);
	st_unlock_publish(t);
}

/* A body the interface asked for, fetched by the engine over its own
 * EXAMINE (BODY.PEEK[]: \Seen is not set); the wait on the shown
 * mailbox resumes afterwards. A request for a mailbox no longer shown is
 * stale (the user moved on) and dropped. */
static int st_fetch_one(struct sync_thread *t, const struct st_fetch *f,
                        struct pt_error *err)
{
	struct cache_mailbox mb;
	struct pt_error ferr = {0};
	char *data = NULL;
	size_t len;

	if (t->open_name == NULL || strcmp(f->mailbox, t->open_name) != 0)
		return 0;
	if (cache_mailbox_get(t->cache, f->mailbox, &mb, &ferr) < 0)
		return 0;
	if (cache_body_get(t->cache, mb.id, f->uid, "", &data, &len, &ferr) ==
	    0) {
		/* Prefetched meanwhile. */
		free(data);
		cache_mailbox_clear(&mb);
		return 0;
	}
	cache_mailbox_clear(&mb);
	if (st_leave(t, err) < 0)
		return -1;
	if (sync_fetch_body(t->sync, f->mailbox, f->uid, err) == 0) {
		st_changed(t);
		return 0;
	}
	if (st_fatal(t, err))
		return -1;
	st_fetch_failed(t, f->mailbox, f->uid, err);
	return 0;
}

/* -------------------------------------------------------------- syncing */

static void st_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The mailboxes of a full sync: the configured ones, else the
 * subscribed ones; the shown mailbox first. */
static int st_names(struct sync_thread *t, char ***names_r, size_t *n_r,
                    struct pt_error *err)
{
	const struct account_conf *a = t->acct;
	char **v;
	size_t n = 0;

	if (a->n_mailboxes > 0) {
		v = xcalloc(a->n_mailboxes + 1, sizeof *v);
		for (size_t i = 0; i < a->n_mailboxes; i++)
			v[n++] = xstrdup(a->mailboxes[i]);
	} else if (sync_default_mailboxes(t->sync, &v, &n, err) < 0) {
		return -1;
	}
	for (size_t i = 1; t->open_name != NULL && i < n; i++) {
		if (strcmp(v[i], t->open_name) == 0) {
			char *tmp = v[i];
			memmove(v + 1, v, i * sizeof *v);
			v[0] = tmp;
		}
	}
	*names_r = v;
	*n_r = n;
	return 0;
}

/* LIST, then every mailbox. Returns 1 when a request interrupted it (it
 * is handled, then the sync starts again). */
static int st_sync_all(struct sync_thread *t, struct pt_error *err)
{
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (st_leave(t, err) < 0)
		return -1;
	st_state(t, SYNC_THREAD_SYNCING, "", 0, 0);
	/* The cached list first, so that sync_list asks their STATUS early;
	 * then the list again, with what LIST found. */
	if (st_names(t, &names, &n, err) < 0)
		return -1;
	ret = sync_list(t->sync, (const char *const *)names, n, err);
	st_names_free(names, n);
	names = NULL;
	n = 0;
	if (ret < 0 || st_names(t, &names, &n, err) < 0)
		return -1;
	st_changed(t);
	for (size_t i = 0; i < n && ret == 0; i++) {
		struct pt_error merr = {0};
		if (st_stopping(t)) {
			ret = 1;
			break;
		}
		if (st_sync_mailbox(t, names[i], (unsigned)i, (unsigned)n, true,
		                    &merr) == 0)
			continue;
		if (st_fatal(t, &merr)) {
			*err = merr;
			ret = -1;
		} else {
			st_error(t, &merr);
		}
	}
	st_names_free(names, n);
	if (t->sync != NULL)
		sync_forget_status(t->sync);
	return ret;
}

/* Every mailbox with queued edits is resynced, which replays them. */
static int st_flush(struct sync_thread *t, struct pt_error *err)
{
	struct cache_queue_list q = {0};
	int ret = 0;

	if (cache_queue_list(t->cache, 0, &q, err) < 0)
		return -1;
	for (size_t i = 0; i < q.n && ret == 0; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = q.v[k].mailbox_id == q.v[i].mailbox_id;
		if (seen)
			continue;
		struct pt_error merr = {0};
		if (st_sync_mailbox(t, q.v[i].mailbox, 0, 0, true, &merr) < 0) {
			if (st_fatal(t, &merr)) {
				*err = merr;
				ret = -1;
			} else {
				st_error(t, &merr);
			}
		}
	}
	cache_queue_list_free(&q);
	return ret;
}

/* Handle what the interface asked for. Returns 1 on stop. */
static int st_handle(struct sync_thread *t, struct pt_error *err)
{
	struct st_reqs r;
	int ret = 0;

	st_take(t, &r);
	if (r.req & ST_REQ_STOP) {
		st_reqs_free(&r);
		return 1;
	}
	if (r.open != NULL &&
	    (t->open_name == NULL || strcmp(r.open, t->open_name) != 0)) {
		free(t->open_name);
		t->open_name = xstrdup(r.open);
		ret = st_leave(t, err);
		if (ret == 0 && !(r.req & ST_REQ_SYNC))
			ret = st_sync_mailbox(t, t->open_name, 0, 0, true, err);
		if (ret < 0 && !st_fatal(t, err)) {
			st_error(t, err);
			ret = 0;
		}
	}
	if (ret == 0 && (r.req & ST_REQ_SYNC))
		ret = st_sync_all(t, err);
	/* "$": the user's own deletions in the shown mailbox go away
	 * (UID EXPUNGE only, never another device's). */
	if (ret == 0 && (r.req & ST_REQ_EXPUNGE) && t->open_name != NULL) {
		ret = st_sync_mailbox_flags(t, t->open_name, 0, 0, SYNC_EXPUNGE,
		                            err);
		if (ret < 0 && !st_fatal(t, err)) {
			st_error(t, err);
			ret = 0;
		}
	}
	if (ret == 0 && (r.req & ST_REQ_FLUSH))
		ret = st_flush(t, err);
	for (size_t i = 0; i < r.nfetch && ret == 0; i++)
		ret = st_fetch_one(t, &r.fetch[i], err);
	st_reqs_free(&r);
	return ret;
}

/* ------------------------------------------------------------- waiting */

/* Wait in IDLE until the interface asks for something, the mailbox needs
 * a resync, or ST_IDLE_MS passed. */
static int st_idle(struct sync_thread *t, struct pt_error *err)
{
	struct imap_client *c = sync_client(t->sync);
	int64_t end = sync_thread_now_ms() + ST_IDLE_MS;
	struct pt_error derr = {0};
	int ret;

	if (imap_client_idle_start(c, err) < 0)
		return -1;
	for (;;) {
		int64_t left = end - sync_thread_now_ms();
		if (left <= 0 || st_pending(t))
			break;
		ret = imap_client_idle_wait(c, (int)left, wake_fd(t->cmd), err);
		if (ret < 0)
			return -1;
		if (ret == 0) {
			/* Woken or timed out: checked above. The requests
			 * are set before the wake-up, so draining first
			 * loses none. */
			wake_drain(t->cmd);
			continue;
		}
		if (st_commit_selected(t, err) < 0)
			return -1;
		if (t->need_resync)
			break;
	}
	/* Data that comes with DONE's answer is committed too. */
	if (imap_client_idle_done(c, &derr) < 0) {
		*err = derr;
		return -1;
	}
	return st_commit_selected(t, err);
}

/* Without IDLE: NOOP every SYNC_THREAD_POLL_MS. */
static int st_poll(struct sync_thread *t, struct pt_error *err)
{
	struct pollfd pfd = {wake_fd(t->cmd), POLLIN, 0};
	int n = poll(&pfd, 1, SYNC_THREAD_POLL_MS);

	if (n != 0 || st_pending(t))
		return 0;
	if (imap_client_run(sync_client(t->sync), err, "NOOP") < 0)
		return -1;
	return t->selected ? st_commit_selected(t, err) : 0;
}

/* Connected: handle requests, keep the shown mailbox current, wait.
 * Returns 1 on stop, -1 when the connection failed. */
static int st_online(struct sync_thread *t, struct pt_error *err)
{
	struct imap_client *c = sync_client(t->sync);
	int ret;

	for (;;) {
		if ((ret = st_handle(t, err)) != 0)
			return ret;
		if (t->need_resync &&
		    st_sync_mailbox(t, t->open_name, 0, 0, false, err) < 0 &&
		    st_mailbox_failed(t, err) < 0)
			return -1;
		if (!t->selected && st_select(t, err) < 0)
			return -1;
		if (st_pending(t))
			continue;
		st_state(t, SYNC_THREAD_ONLINE, "", 0, 0);
		if (t->selected && imap_client_has(c, IMAP_CAP_IDLE))
			ret = st_idle(t, err);
		else
			ret = st_poll(t, err);
		if (ret < 0)
			return -1;
	}
}

/* Wait for a request or until ms passed (ms < 0: for ever). Returns
 * true when "sync now" (or stop) cut the wait short. */
static bool st_wait(struct sync_thread *t, int64_t ms)
{
	int64_t end = sync_thread_now_ms() + ms;

	for (;;) {
		struct pollfd pfd = {wake_fd(t->cmd), POLLIN, 0};
		int64_t left = end - sync_thread_now_ms();
		bool urgent;
		if (ms >= 0 && left <= 0)
			return false;
		poll(&pfd, 1, ms < 0 ? -1 : (int)left);
		wake_drain(t->cmd);
		st_lock(t);
		urgent = (t->req & (ST_REQ_STOP | ST_REQ_SYNC)) != 0;
		/* Offline, a body cannot be fetched: say so at once. */
		for (size_t i = 0; i < t->nfetch; i++) {
			st_copy(t->st.fetch_failed_mailbox,
			        sizeof t->st.fetch_failed_mailbox,
			        t->fetch[i].mailbox);
			t->st.fetch_failed_uid = t->fetch[i].uid;
			free(t->fetch[i].mailbox);
			t->st.seq++;
		}
		t->nfetch = 0;
		if (t->want_mailbox != NULL) {
			free(t->open_name);
			t->open_name = t->want_mailbox;
			t->want_mailbox = NULL;
		}
		pthread_mutex_unlock(&t->mu);
		wake_notify(t->ev);
		if (urgent)
			return true;
	}
}

/* The next reconnect delay: doubled each time, jittered by +-25 %. */
static int64_t st_backoff(struct sync_thread *t)
{
	unsigned base = t->backoff_ms;
	double jitter = 0.75 + 0.5 * ((double)rand_r(&t->seed) / RAND_MAX);

	t->backoff_ms = base >= SYNC_THREAD_BACKOFF_MAX_MS / 2
	                        ? SYNC_THREAD_BACKOFF_MAX_MS
	                        : base * 2;
	return (int64_t)(base * jitter);
}

static void st_disconnect(struct sync_thread *t)
{
	st_deselect(t);
	sync_close(&t->sync);
}

/* After a failure: wait before the next attempt. Returns true on stop. */
static bool st_after_failure(struct sync_thread *t, const struct pt_error *err)
{
	bool permanent = err->code == PT_E_AUTH || err->code == PT_E_TLS ||
	                 err->code == PT_E_CONFIG;

	st_disconnect(t);
	st_error(t, err);
	if (st_stopping(t))
		return true;
	if (permanent) {
		/* Retrying cannot help: the user fixes it, then asks. */
		st_state(t, SYNC_THREAD_OFFLINE, "", 0, 0);
		st_wait(t, -1);
		t->backoff_ms = SYNC_THREAD_BACKOFF_MIN_MS;
	} else {
		int64_t delay = st_backoff(t);
		st_lock(t);
		t->st.state = SYNC_THREAD_RECONNECTING;
		t->st.retry_at_ms = sync_thread_now_ms() + delay;
		st_unlock_publish(t);
		if (st_wait(t, delay))
			t->backoff_ms = SYNC_THREAD_BACKOFF_MIN_MS;
	}
	return st_stopping(t);
}

static void st_run(struct sync_thread *t)
{
	struct pt_error err = {0};

	if (cache_open(t->acct->cache_path, 0, &t->cache, &err) < 0) {
		st_error(t, &err);
		st_state(t, SYNC_THREAD_OFFLINE, "", 0, 0);
		while (!st_stopping(t))
			st_wait(t, -1);
		return;
	}
	t->backoff_ms = SYNC_THREAD_BACKOFF_MIN_MS;
	while (!st_stopping(t)) {
		int ret;
		pt_error_clear(&err);
		st_state(t, SYNC_THREAD_CONNECTING, "", 0, 0);
		if (st_connect(t, &err) < 0) {
			if (st_after_failure(t, &err))
				break;
			continue;
		}
		/* Requests made while offline are superseded by the sync. */
		ret = st_sync_all(t, &err);
		if (ret == 0) {
			t->backoff_ms = SYNC_THREAD_BACKOFF_MIN_MS;
			st_error(t, NULL);
			ret = st_online(t, &err);
		}
		if (ret == 1)
			break;
		if (st_after_failure(t, &err))
			break;
	}
	if (t->sync != NULL) {
		struct pt_error lerr;
		st_leave(t, &lerr);
	}
	st_disconnect(t);
}

static void *st_main(void *arg)
{
	struct sync_thread *t = arg;
	cookie_io_functions_t io = {NULL, st_notice_write, NULL, NULL};

	t->notices = fopencookie(t, "w", io);
	if (t->notices != NULL)
		setvbuf(t->notices, NULL, _IOLBF, 0);
	st_run(t);
	cache_close(&t->cache);
	if (t->notices != NULL)
		fclose(t->notices);
	st_forget_password(t);
	st_lock(t);
	t->st.state = SYNC_THREAD_STOPPED;
	t->finished = true;
	pthread_cond_broadcast(&t->cv);
	st_unlock_publish(t);
	return NULL;
}

/* ---------------------------------------------------------- interface */

static void st_free(struct sync_thread *t)
{
	wake_free(t->cmd);
	wake_free(t->ev);
	wake_free(t->halt);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t->want_mailbox);
	for (size_t i = 0; i < t->nfetch; i++)
		free(t->fetch[i].mailbox);
	free(t->trace_path);
	free(t->open_name);
	free(t->exclusive);
	buf_free(&t->notice_line);
	free(t);
}

int sync_thread_start(const struct sync_thread_params *p,
                      struct sync_thread **t_r, struct pt_error *err)
{
	struct sync_thread *t = xcalloc(1, sizeof *t);
	sigset_t all, old;
	int rc;

	t->acct = p->acct;
	t->exclusive = xcalloc(p->acct->n_exclusive + 1, sizeof *t->exclusive);
	for (size_t i = 0; i < p->acct->n_exclusive; i++)
		t->exclusive[i] = p->acct->exclusive[i].keywords;
	t->trace_path = p->trace_path ? xstrdup(p->trace_path) : NULL;
	t->open_name = p->mailbox ? xstrdup(p->mailbox) : NULL;
	t->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	t->cmd = wake_new();
	t->ev = wake_new();
	t->halt = wake_new();
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (t->cmd == NULL || t->ev == NULL || t->halt == NULL) {
		st_free(t);
		return pt_error_set(err, PT_E_INTERNAL,
		                    _("cannot make a wake-up descriptor"));
	}
	/* Signals (SIGWINCH, SIGINT) are the interface's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->tid, NULL, st_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		st_free(t);
		return pt_error_set(err, PT_E_INTERNAL,
		                    _("cannot start the sync thread: %s"),
		                    strerror(rc));
	}
	*t_r = t;
	return 0;
}

int sync_thread_fd(const struct sync_thread *t)
{
	return wake_fd(t->ev);
}

void sync_thread_status(struct sync_thread *t, struct sync_thread_status *st)
{
	wake_drain(t->ev);
	st_lock(t);
	*st = t->st;
	pthread_mutex_unlock(&t->mu);
}

static void st_request(struct sync_thread *t, unsigned req)
{
	st_lock(t);
	t->req |= req;
	pthread_mutex_unlock(&t->mu);
	wake_notify(t->cmd);
}

void sync_thread_sync_now(struct sync_thread *t)
{
	st_request(t, ST_REQ_SYNC);
}

void sync_thread_sync_expunge(struct sync_thread *t)
{
	st_request(t, ST_REQ_SYNC | ST_REQ_EXPUNGE);
}

void sync_thread_flush(struct sync_thread *t)
{
	st_request(t, ST_REQ_FLUSH);
}

void sync_thread_open_mailbox(struct sync_thread *t, const char *name)
{
	st_lock(t);
	free(t->want_mailbox);
	t->want_mailbox = xstrdup(name);
	t->req |= ST_REQ_OPEN;
	pthread_mutex_unlock(&t->mu);
	wake_notify(t->cmd);
}

void sync_thread_fetch_body(struct sync_thread *t, const char *mailbox,
                            uint32_t uid)
{
	st_lock(t);
	if (t->nfetch == ST_FETCH_MAX) {
		free(t->fetch[0].mailbox);
		memmove(t->fetch, t->fetch + 1,
		        (ST_FETCH_MAX - 1) * sizeof *t->fetch);
		t->nfetch--;
	}
	t->fetch[t->nfetch].mailbox = xstrdup(mailbox);
	t->fetch[t->nfetch].uid = uid;
	t->nfetch++;
	if (t->st.fetch_failed_uid == uid &&
	    strcmp(t->st.fetch_failed_mailbox, mailbox) == 0)
		t->st.fetch_failed_uid = 0; /* asked again */
	pthread_mutex_unlock(&t->mu);
	wake_notify(t->cmd);
}

bool sync_thread_stop(struct sync_thread **tp, int timeout_ms)
{
	struct sync_thread *t = *tp;
	struct timespec until;
	bool done;

	if (t == NULL)
		return true;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	st_lock(t);
	t->req |= ST_REQ_STOP;
	wake_notify(t->cmd);
	wake_notify(t->halt);
	while (!t->finished)
		if (pthread_cond_timedwait(&t->cv, &t->mu, &until) != 0)
			break;
	done = t->finished;
	pthread_mutex_unlock(&t->mu);
	if (!done) {
		pthread_detach(t->tid);
		return false;
	}
	pthread_join(t->tid, NULL);
	st_free(t);
	*tp = NULL;
	return true;
}
