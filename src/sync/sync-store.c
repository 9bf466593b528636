/* sync-store.c: replaying the change queue with conditional STORE
 * (DESIGN.md "Flag edits across devices"; RFC 7162 §3.1.3, Q-24..Q-36).
 *
 * The replay runs right after a resync of the selected mailbox, so the
 * cache holds the server's current flags and modseqs. For each queued
 * edit it sends only what still differs from the server (the per-flag
 * merge: a flag the server already has as wanted is dropped, one still at
 * its old value is sent), guarded by UNCHANGEDSINCE the message's current
 * modseq. Additions and removals go in separate +FLAGS.SILENT and
 * -FLAGS.SILENT commands, batched into UID sets of messages with
 * the same edit and modseq.
 *
 * Destructive or exclusive edits (\Deleted, a keyword of an exclusive
 * group) on a message another device changed since the user saw it are
 * never forced: the edit is reported and dropped (command line), or left
 * waiting for the user's answer (interface). A STORE answered NO, an edit
 * on an expunged message, or one from an old UIDVALIDITY is reported and
 * dropped, and the cache shows the server's state again. */
#include "sync/sync-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/cache-flags.h"
#include "common/xmalloc.h"

/* Attempts for an edit whose STORE keeps failing with MODIFIED although
 * the flags it sets did not change (Q-29: at least 2 retries). */
#define SYNC_STORE_ATTEMPTS 3
/* UIDs per STORE, keeping command lines short (RFC 7162 §4, Q-76). */
#define SYNC_STORE_MAX_UIDS 500

/* One message's share of a queued edit, with what is left to send. */
struct store_item {
	int64_t id, rev;
	uint32_t uid;
	uint64_t base; /* the modseq the user saw */
	char *add;     /* still to add (canonical; "" if none) */
	char *remove;  /* still to remove */
	bool risky;    /* destructive or exclusive */
	bool failed;   /* refused, conflicting, or lost */
	bool modified; /* a STORE came back in MODIFIED */
};

struct store_run {
	struct sync *s;
	struct sync_mbox *m;
	struct store_item *v;
	size_t n;
	bool sent; /* at least one STORE succeeded */
};

static bool is_exclusive(const struct sync *s, const char *flag)
{
	for (size_t g = 0; g < s->p.n_exclusive; g++)
		for (const char *const *k = s->p.exclusive[g]; *k != NULL; k++)
			if (strcasecmp(*k, flag) == 0)
				return true;
	return false;
}

/* An edit is risky if it sets \Deleted or a keyword of an exclusive
 * group (DESIGN.md). */
static bool edit_is_risky(const struct sync *s, const char *add)
{
	char *copy = xstrdup(add), *save = NULL;
	bool risky = false;

	for (char *f = strtok_r(copy, " ", &save); f != NULL && !risky;
	     f = strtok_r(NULL, " ", &save))
		risky = strcasecmp(f, "\\Deleted") == 0 || is_exclusive(s, f);
	free(copy);
	return risky;
}

static void report(struct store_run *r, const struct store_item *it,
                   const char *why)
{
	struct cache_msg msg;
	struct pt_error err;
	char *name = text_sanitize_str(r->m->name, TEXT_ONELINE);
	const char *now = "?";

	memset(&msg, 0, sizeof msg);
	if (cache_msg_get(r->s->cache, r->m->id, it->uid, &msg, &err) == 0)
		now = msg.flags != NULL ? msg.flags : "";
	sync_notice(r->s,
	            "%s: UID %" PRIu32 ": edit not applied (%s); its "
	            "flags are now: %s",
	            name, it->uid, why, now);
	cache_msg_clear(&msg);
	free(name);
	r->s->stats.not_applied++;
}

/* Recompute what item still has to send against the cached server flags;
 * returns false when nothing is left. */
static bool item_refresh(struct store_run *r, struct store_item *it,
                         const char *add, const char *remove,
                         struct cache_msg *msg)
{
	const char *server = msg->flags != NULL ? msg->flags : "";
	char *gone;

	free(it->add);
	free(it->remove);
	it->add = cache_flags_minus(add, server);
	gone = cache_flags_minus(remove, server);
	it->remove = cache_flags_minus(remove, gone);
	free(gone);
	return *it->add != '\0' || *it->remove != '\0';
}

/* Load the queue of the mailbox into r, dropping what cannot apply. */
static int run_load(struct store_run *r, struct pt_error *err)
{
	struct cache_queue_list orphans = {0};
	struct cache_queue_groups g = {0};
	struct sync *s = r->s;

	if (cache_queue_orphans(s->cache, r->m->id, &orphans, err) < 0)
		return -1;
	for (size_t i = 0; i < orphans.n; i++) {
		char *name = text_sanitize_str(r->m->name, TEXT_ONELINE);
		sync_notice(s,
		            "%s: UID %" PRIu32 ": edit not applied (the "
		            "message is gone)",
		            name, orphans.v[i].uid);
		free(name);
		s->stats.not_applied++;
		if (cache_queue_remove(s->cache, orphans.v[i].id, err) < 0) {
			cache_queue_list_free(&orphans);
			return -1;
		}
	}
	cache_queue_list_free(&orphans);
	if (cache_queue_groups(s->cache, r->m->id, &g, err) < 0)
		return -1;
	for (size_t i = 0; i < g.n; i++) {
		bool risky = edit_is_risky(s, g.v[i].add);
		for (size_t k = 0; k < g.v[i].n; k++) {
			const struct cache_queue_item *q = &g.v[i].items[k];
			struct store_item *it;
			r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
			it = &r->v[r->n++];
			memset(it, 0, sizeof *it);
			it->id = q->id;
			it->rev = q->rev;
			it->uid = q->uid;
			it->base = q->base_modseq;
			it->risky = risky;
			it->add = xstrdup(g.v[i].add);
			it->remove = xstrdup(g.v[i].remove);
		}
	}
	cache_queue_groups_free(&g);
	return 0;
}

static void run_free(struct store_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].add);
		free(r->v[i].remove);
	}
	free(r->v);
}

/* Before sending: merge each item with the server's state; drop what is
 * already done; stop risky edits on messages changed meanwhile. */
static int run_prepare(struct store_run *r, struct pt_error *err)
{
	struct sync *s = r->s;

	for (size_t i = 0; i < r->n; i++) {
		struct store_item *it = &r->v[i];
		struct cache_msg msg;
		char *add, *remove;
		bool left;
		if (it->failed)
			continue;
		if (cache_msg_get(s->cache, r->m->id, it->uid, &msg, err) < 0) {
			if (err->code != PT_E_NOTFOUND)
				return -1;
			it->failed = true; /* expunged meanwhile */
			report(r, it, "the message is gone");
			if (cache_queue_remove(s->cache, it->id, err) < 0)
				return -1;
			continue;
		}
		add = xstrdup(it->add);
		remove = xstrdup(it->remove);
		left = item_refresh(r, it, add, remove, &msg);
		free(add);
		free(remove);
		if (left && it->risky && r->m->use_modseq && msg.has_modseq &&
		    msg.modseq > it->base && *it->add != '\0') {
			it->failed = true;
			if (s->p.ask_user) {
				cache_msg_clear(&msg);
				if (cache_queue_set_state(
				            s->cache, it->id,
				            CACHE_QUEUE_AWAITING_USER, err) < 0)
					return -1;
				continue;
			}
			report(r, it,
			       "changed on another device since you saw "
			       "it");
			cache_msg_clear(&msg);
			if (cache_queue_remove(s->cache, it->id, err) < 0)
				return -1;
			continue;
		}
		cache_msg_clear(&msg);
		if (!left) {
			/* The server already has what the user wants. */
			it->failed = true; /* nothing to send */
			if (cache_queue_done(s->cache, it->id, it->rev, NULL,
			                     err) < 0)
				return -1;
		}
	}
	return 0;
}

/* A pending STORE and the items it covers. */
struct store_cmd {
	struct imap_cmd *cmd;
	size_t *items;
	size_t n;
	bool adding;
	char *flags; /* owned copy: the items' strings change */
};

static int cmd_item_cmp(const struct store_run *r, size_t a, size_t b,
                        bool adding, const uint64_t *modseqs)
{
	const char *fa = adding ? r->v[a].add : r->v[a].remove;
	const char *fb = adding ? r->v[b].add : r->v[b].remove;
	int c = strcmp(fa, fb);

	if (c != 0)
		return c;
	return modseqs[a] < modseqs[b] ? -1 : modseqs[a] > modseqs[b];
}

/* Send one pass (additions or removals): one STORE per distinct (flags,
 * modseq), pipelined. */
static int run_pass(struct store_run *r, bool adding, struct pt_error *err)
{
	struct sync *s = r->s;
	uint64_t *modseq = xcalloc(r->n + 1, sizeof *modseq);
	bool *done = xcalloc(r->n + 1, sizeof *done);
	struct store_cmd *cmds = NULL;
	size_t ncmds = 0;
	int ret = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct cache_msg msg;
		const char *f = adding ? r->v[i].add : r->v[i].remove;
		done[i] = r->v[i].failed || *f == '\0';
		if (done[i])
			continue;
		if (cache_msg_get(s->cache, r->m->id, r->v[i].uid, &msg, err) <
		    0) {
			done[i] = true;
			continue;
		}
		modseq[i] = msg.has_modseq ? msg.modseq : 0;
		cache_msg_clear(&msg);
	}
	for (size_t i = 0; i < r->n && ret == 0; i++) {
		struct imap_seqset set;
		struct buf uids = BUF_INIT;
		struct store_cmd *sc;
		if (done[i])
			continue;
		cmds = xreallocarray(cmds, ncmds + 1, sizeof *cmds);
		sc = &cmds[ncmds++];
		memset(sc, 0, sizeof *sc);
		sc->adding = adding;
		sc->flags = xstrdup(adding ? r->v[i].add : r->v[i].remove);
		imap_seqset_init(&set);
		for (size_t k = i; k < r->n && sc->n < SYNC_STORE_MAX_UIDS;
		     k++) {
			if (done[k] ||
			    cmd_item_cmp(r, i, k, adding, modseq) != 0)
				continue;
			done[k] = true;
			sc->items = xreallocarray(sc->items, sc->n + 1,
			                          sizeof *sc->items);
			sc->items[sc->n++] = k;
			imap_seqset_add(&set, r->v[k].uid);
		}
		imap_seqset_print(&set, &uids);
		imap_seqset_clear(&set);
		if (r->m->use_modseq)
			ret = imap_client_start(
			        s->client, &sc->cmd, err,
			        "UID STORE %s (UNCHANGEDSINCE %" PRIu64
			        ") %cFLAGS.SILENT (%s)",
			        buf_str(&uids), modseq[i], adding ? '+' : '-',
			        sc->flags);
		else /* no UNCHANGEDSINCE without modseqs */
			ret = imap_client_start(
			        s->client, &sc->cmd, err,
			        "UID STORE %s %cFLAGS.SILENT (%s)",
			        buf_str(&uids), adding ? '+' : '-', sc->flags);
		buf_free(&uids);
	}
	for (size_t c = 0; c < ncmds; c++) {
		struct store_cmd *sc = &cmds[c];
		int w;
		if (ret < 0 || sc->cmd == NULL)
			goto next;
		w = imap_client_wait(s->client, sc->cmd, err);
		if (w < 0 && err->code != PT_E_MBOX) {
			ret = -1; /* connection lost: the queue stays */
			goto next;
		}
		/* Echoed MODSEQs first, then the flags we set. */
		if (sync_commit(s, r->m, NULL, err) < 0) {
			ret = -1;
			goto next;
		}
		for (size_t k = 0; k < sc->n; k++) {
			struct store_item *it = &r->v[sc->items[k]];
			if (w < 0) {
				/* NO/BAD: refused; show the server's state. */
				it->failed = true;
				report(r, it, "the server refused it");
				if (cache_queue_remove(s->cache, it->id, err) <
				    0)
					ret = -1;
			} else if (imap_seqset_contains(&sc->cmd->modified,
			                                it->uid)) {
				it->modified = true; /* UIDs */
			} else {
				ret = sync_store_applied(
				        s, r->m, it->uid,
				        adding ? sc->flags : NULL,
				        adding ? NULL : sc->flags, err);
				/* Only deletions of our own may be expunged. */
				if (ret == 0 &&
				    cache_flags_has(sc->flags, "\\Deleted"))
					ret = cache_msg_set_own_deleted(
					        s->cache, r->m->id, it->uid,
					        adding, err);
				r->sent = true;
				if (adding) {
					free(it->add);
					it->add = xstrdup("");
				} else {
					free(it->remove);
					it->remove = xstrdup("");
				}
			}
		}
	next:
		imap_cmd_free(s->client, &sc->cmd);
		free(sc->items);
		free(sc->flags);
	}
	free(cmds);
	free(modseq);
	free(done);
	return ret;
}

/* Keep what the user sees: if the view changed with the server flags,
 * the user edited the message while the STORE was on its way (say, an
 * undelete right after a delete, which removed the queued row), so the
 * difference is queued again to restore the view. */
static int keep_view(struct sync *s, struct sync_mbox *m, uint32_t uid,
                     const char *before, struct pt_error *err)
{
	struct cache_msg msg;
	char *add, *remove;
	int ret;

	if (cache_msg_get(s->cache, m->id, uid, &msg, err) < 0)
		return -1;
	ret = 0;
	if (!cache_flags_equal(before, msg.view_flags)) {
		add = cache_flags_minus(before, msg.view_flags);
		remove = cache_flags_minus(msg.view_flags, before);
		ret = cache_queue_edit(s->cache, m->id, &uid, 1, add, remove,
		                       NULL, NULL, err);
		free(add);
		free(remove);
	}
	cache_msg_clear(&msg);
	return ret;
}

int sync_store_applied(struct sync *s, struct sync_mbox *m, uint32_t uid,
                       const char *add, const char *remove,
                       struct pt_error *err)
{
	struct cache_msg msg;
	char *flags;
	int ret;

	if (cache_begin(s->cache, err) < 0)
		return -1;
	if (cache_msg_get(s->cache, m->id, uid, &msg, err) < 0) {
		cache_rollback(s->cache);
		return err->code == PT_E_NOTFOUND ? 0 : -1;
	}
	flags = cache_flags_apply(msg.flags, add, remove);
	ret = cache_msg_set_flags(s->cache, m->id, uid, flags, NULL, NULL, err);
	if (ret == 0)
		ret = keep_view(s, m, uid, msg.view_flags, err);
	if (ret == 0)
		ret = cache_commit(s->cache, err);
	if (ret < 0)
		cache_rollback(s->cache);
	free(flags);
	cache_msg_clear(&msg);
	return ret;
}

/* Items that came back in MODIFIED: learn their state, then let
 * the next attempt merge again; risky ones are conflicts. */
static int run_modified(struct store_run *r, bool *again_r,
                        struct pt_error *err)
{
	struct sync *s = r->s;
	struct imap_seqset set;
	struct buf uids = BUF_INIT;
	int ret = 0;

	*again_r = false;
	imap_seqset_init(&set);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].modified && !r->v[i].failed)
			imap_seqset_add(&set, r->v[i].uid);
	if (imap_seqset_empty(&set))
		return 0;
	imap_seqset_print(&set, &uids);
	imap_seqset_clear(&set);
	ret = imap_client_run(s->client, err, "UID FETCH %s (UID FLAGS MODSEQ)",
	                      buf_str(&uids));
	buf_free(&uids);
	if (ret == 0)
		ret = sync_commit(s, r->m, NULL, err);
	for (size_t i = 0; ret == 0 && i < r->n; i++) {
		struct store_item *it = &r->v[i];
		if (!it->modified || it->failed)
			continue;
		it->modified = false;
		if (it->risky && *it->add != '\0') {
			it->failed = true;
			if (s->p.ask_user) {
				ret = cache_queue_set_state(
				        s->cache, it->id,
				        CACHE_QUEUE_AWAITING_USER, err);
				continue;
			}
			report(r, it,
			       "changed on another device since you saw "
			       "it");
			ret = cache_queue_remove(s->cache, it->id, err);
			continue;
		}
		*again_r = true;
	}
	return ret;
}

static int run_finish(struct store_run *r, struct pt_error *err)
{
	for (size_t i = 0; i < r->n; i++) {
		struct store_item *it = &r->v[i];
		if (it->failed || *it->add != '\0' || *it->remove != '\0')
			continue;
		it->failed = true; /* done */
		if (cache_queue_done(r->s->cache, it->id, it->rev, NULL, err) <
		    0)
			return -1;
	}
	return 0;
}

/* After our own STOREs the mailbox's HIGHESTMODSEQ moved: learn it with a
 * NOOP, so a completed sync leaves the server's value cached. */
static int run_baseline(struct store_run *r, struct pt_error *err)
{
	struct imap_cmd *cmd;
	struct sync_mark mark = {0};
	struct cache_mailbox mb;
	int ret;

	if (!r->sent || !r->m->use_modseq)
		return 0;
	if (imap_client_start(r->s->client, &cmd, err, "NOOP") < 0)
		return -1;
	ret = imap_client_wait(r->s->client, cmd, err);
	if (ret == 0 &&
	    cache_mailbox_get_id(r->s->cache, r->m->id, &mb, err) == 0) {
		uint64_t cached = mb.has_highestmodseq ? mb.highestmodseq : 0;
		if (cmd->has_hms_code) {
			mark.set_hms = mark.has_hms = true;
			mark.hms = cmd->hms_code;
		} else if (r->m->store_max_modseq > cached) {
			/* T-8: the echo of our own successful STORE. */
			mark.set_hms = mark.has_hms = true;
			mark.hms = r->m->store_max_modseq;
		}
		cache_mailbox_clear(&mb);
		ret = sync_commit(r->s, r->m, &mark, err);
	}
	imap_cmd_free(r->s->client, &cmd);
	return ret;
}

int sync_replay(struct sync *s, struct sync_mbox *m, struct pt_error *err)
{
	struct store_run r = {s, m, NULL, 0, false};
	int ret;

	ret = run_load(&r, err);
	for (int attempt = 0; ret == 0 && attempt < SYNC_STORE_ATTEMPTS;
	     attempt++) {
		bool again = false;
		ret = run_prepare(&r, err);
		if (ret == 0)
			ret = run_pass(&r, true, err);
		if (ret == 0)
			ret = run_pass(&r, false, err);
		if (ret == 0)
			ret = run_modified(&r, &again, err);
		if (ret == 0)
			ret = run_finish(&r, err);
		if (!again)
			break;
	}
	if (ret == 0)
		ret = run_baseline(&r, err);
	run_free(&r);
	return ret;
}
