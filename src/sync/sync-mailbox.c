/* sync-mailbox.c: resynchronizing one mailbox: QRESYNC, CONDSTORE-only
 * and plain paths, new-message fetching, expunge detection (DESIGN.md
 * "Resynchronization"; RFC 7162 §6 and the client checklist). */
#include "sync/sync-body.h"
#include "sync/sync-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Messages per header FETCH, and FETCH commands kept in flight. */
#define SYNC_CHUNK 500
#define SYNC_PIPELINE 4
/* Room left for a SELECT line's known-uids and seq-match-data. */
#define SYNC_SELECT_SETS_MAX 6000

static const char *fetch_items(bool modseq)
{
	return modseq ? "(UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE ENVELOPE "
	                "BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (REFERENCES)])"
	              : "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE "
	                "BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (REFERENCES)])";
}

/* Take up to max members of set, starting at *pos (a UID; 0 = start),
 * into out; advance *pos past them. Returns false when nothing is left. */
static bool set_take(const struct imap_seqset *set, uint64_t *pos, uint64_t max,
                     struct imap_seqset *out)
{
	uint64_t taken = 0;

	imap_seqset_clear(out);
	for (size_t i = 0; i < imap_seqset_nranges(set) && taken < max; i++) {
		const struct imap_seqset_range *r = imap_seqset_get(set, i);
		uint64_t lo = r->lo, hi = r->hi;
		if (hi < *pos)
			continue;
		if (lo < *pos)
			lo = *pos;
		if (hi - lo + 1 > max - taken)
			hi = lo + (max - taken) - 1;
		imap_seqset_add_range(out, (uint32_t)lo, (uint32_t)hi);
		taken += hi - lo + 1;
		*pos = hi + 1;
	}
	return taken > 0;
}

/* UIDs of the selected mailbox in lo:hi (hi 0: "*"), into s->search. */
static int search_uids(struct sync *s, uint32_t lo, uint32_t hi,
                       struct pt_error *err)
{
	struct imap_client *c = s->client;
	char range[32];
	int ret;

	if (hi != 0)
		snprintf(range, sizeof range, "%" PRIu32 ":%" PRIu32, lo, hi);
	else
		snprintf(range, sizeof range, "%" PRIu32 ":*", lo);
	imap_seqset_clear(&s->search);
	if (imap_client_has(c, IMAP_CAP_ESEARCH))
		ret = imap_client_run(c, err, "UID SEARCH RETURN (ALL) UID %s",
		                      range);
	else
		ret = imap_client_run(c, err, "UID SEARCH UID %s", range);
	/* "n:*" always matches the last message, even below n (T-6). */
	if (ret == 0 && lo > 1)
		imap_seqset_remove_range(&s->search, 1, lo - 1);
	return ret;
}

/* Q-66 at a tagged response: the last HIGHESTMODSEQ code, else the
 * highest FETCH MODSEQ if above the stored value. */
static void mark_from_cmd(struct sync_mark *mark, const struct imap_cmd *cmd,
                          uint64_t cached)
{
	if (cmd->has_hms_code) {
		mark->set_hms = mark->has_hms = true;
		mark->hms = cmd->hms_code;
	} else if (cmd->max_modseq > cached) {
		mark->set_hms = mark->has_hms = true;
		mark->hms = cmd->max_modseq;
	}
}

/* Tell the caller how far the fetch of new messages got. */
static void fetch_progress(struct sync *s, struct sync_mbox *m, uint64_t n)
{
	if (m->to_fetch == 0)
		return;
	m->fetched += n;
	if (m->fetched > m->to_fetch)
		m->fetched = m->to_fetch;
	if (s->p.progress != NULL)
		s->p.progress(s->p.progress_arg, m->name, m->fetched,
		              m->to_fetch);
}

/* Split set into its last n UIDs (top) and the others (rest). */
static void set_split_top(const struct imap_seqset *set, uint64_t n,
                          struct imap_seqset *top, struct imap_seqset *rest)
{
	imap_seqset_copy(rest, set);
	imap_seqset_clear(top);
	for (size_t i = imap_seqset_nranges(set); i > 0 && n > 0; i--) {
		const struct imap_seqset_range *r = imap_seqset_get(set, i - 1);
		uint64_t len = (uint64_t)r->hi - r->lo + 1;
		uint32_t lo = len > n ? (uint32_t)(r->hi - n + 1) : r->lo;
		imap_seqset_add_range(top, lo, r->hi);
		n -= len > n ? n : len;
	}
	for (size_t i = 0; i < imap_seqset_nranges(top); i++) {
		const struct imap_seqset_range *r = imap_seqset_get(top, i);
		imap_seqset_remove_range(rest, r->lo, r->hi);
	}
}

/* Fetch the headers of every UID in set, SYNC_CHUNK per command, with up
 * to SYNC_PIPELINE commands in flight; each completed chunk is committed
 * with the UIDNEXT progress it allows (when track_progress). */
static int fetch_set(struct sync *s, struct sync_mbox *m,
                     const struct imap_seqset *set, bool track_progress,
                     uint64_t *hms_io, struct pt_error *err)
{
	struct imap_client *c = s->client;
	struct imap_cmd *inflight[SYNC_PIPELINE];
	uint32_t last[SYNC_PIPELINE];
	uint64_t sizes[SYNC_PIPELINE];
	struct imap_seqset chunk;
	struct buf line = BUF_INIT;
	uint64_t pos = 0;
	size_t head = 0, n = 0;
	bool more = true;
	int ret = 0;

	imap_seqset_init(&chunk);
	while (ret == 0 && (more || n > 0)) {
		while (more && n < SYNC_PIPELINE) {
			if (m->to_fetch > 0 && s->p.yield != NULL &&
			    (m->yielded || s->p.yield(s->p.yield_arg))) {
				m->yielded = true;
				more = false;
				break;
			}
			more = set_take(set, &pos, SYNC_CHUNK, &chunk);
			if (!more)
				break;
			buf_reset(&line);
			imap_seqset_print(&chunk, &line);
			size_t slot = (head + n) % SYNC_PIPELINE;
			last[slot] = imap_seqset_max(&chunk);
			sizes[slot] = imap_seqset_count(&chunk);
			ret = imap_client_start(
			        c, &inflight[slot], err, "UID FETCH %s %s",
			        buf_str(&line), fetch_items(m->use_modseq));
			if (ret < 0)
				break;
			n++;
		}
		if (ret < 0 || n == 0)
			break;
		ret = imap_client_wait(c, inflight[head], err);
		if (ret == 0) {
			struct sync_mark mark = {0};
			if (track_progress)
				mark.uidnext = last[head] + 1;
			if (m->use_modseq) {
				mark_from_cmd(&mark, inflight[head], *hms_io);
				if (mark.set_hms)
					*hms_io = mark.hms;
			}
			ret = sync_commit(s, m, &mark, err);
			if (ret == 0)
				fetch_progress(s, m, sizes[head]);
		}
		imap_cmd_free(c, &inflight[head]);
		head = (head + 1) % SYNC_PIPELINE;
		n--;
	}
	while (n > 0) {
		imap_cmd_free(c, &inflight[head]);
		head = (head + 1) % SYNC_PIPELINE;
		n--;
	}
	imap_seqset_clear(&chunk);
	buf_free(&line);
	return ret;
}

/* New messages: every UID from `from` on (T-6 filtered). */
static int fetch_new(struct sync *s, struct sync_mbox *m, uint32_t from,
                     uint64_t *hms_io, struct pt_error *err)
{
	const struct imap_selection *sel = imap_client_selection(s->client);
	struct imap_seqset set;
	int ret;

	if (from == 0)
		from = 1;
	if (sel->exists == 0 || (sel->uidnext != 0 && sel->uidnext <= from))
		return 0;
	if (search_uids(s, from, 0, err) < 0)
		return -1;
	imap_seqset_init(&set);
	imap_seqset_copy(&set, &s->search);
	m->to_fetch = imap_seqset_count(&set);
	m->fetched = 0;
	if (m->to_fetch > 2 * SYNC_CHUNK) {
		/* The newest first: the index (newest on top) is usable at
		 * once. UIDNEXT moves only with the others, in order, so an
		 * interrupted fetch resumes below them (and fetches the newest
		 * again: storing a message twice only updates it). */
		struct imap_seqset top, rest;
		imap_seqset_init(&top);
		imap_seqset_init(&rest);
		set_split_top(&set, SYNC_CHUNK, &top, &rest);
		ret = fetch_set(s, m, &top, false, hms_io, err);
		if (ret == 0 && !m->yielded)
			ret = fetch_set(s, m, &rest, true, hms_io, err);
		imap_seqset_clear(&top);
		imap_seqset_clear(&rest);
	} else {
		ret = fetch_set(s, m, &set, true, hms_io, err);
	}
	m->to_fetch = m->fetched = 0;
	imap_seqset_clear(&set);
	return ret;
}

/* Make the cached UID set equal the server's for UIDs 1..upto (0: all):
 * remove what the server lacks, fetch what the cache lacks. */
static int repair_uids(struct sync *s, struct sync_mbox *m, uint32_t upto,
                       uint64_t *hms_io, struct pt_error *err)
{
	struct cache_uidlist cached = {0};
	struct imap_seqset server, missing;
	int ret;

	if (search_uids(s, 1, upto, err) < 0)
		return -1;
	if (cache_msg_uids(s->cache, m->id, &cached, err) < 0)
		return -1;
	imap_seqset_init(&server);
	imap_seqset_init(&missing);
	imap_seqset_copy(&server, &s->search);
	imap_seqset_copy(&missing, &server);
	for (size_t i = 0; i < cached.n; i++) {
		uint32_t u = cached.uids[i];
		if (upto != 0 && u > upto)
			break;
		if (imap_seqset_contains(&server, u))
			imap_seqset_remove(&missing, u);
		else
			imap_seqset_add(&m->batch.gone, u);
	}
	cache_uidlist_free(&cached);
	ret = sync_commit(s, m, NULL, err);
	if (ret == 0 && !imap_seqset_empty(&missing))
		ret = fetch_set(s, m, &missing, false, hms_io, err);
	imap_seqset_clear(&server);
	imap_seqset_clear(&missing);
	return ret;
}

/* "(QRESYNC (uv hms [known-uids] [seq-match-data]))". */
static void qresync_params(struct sync *s, const struct cache_mailbox *mb,
                           struct buf *out)
{
	struct cache_uidlist uids = {0};
	struct imap_seqset known, seqs, us;
	struct buf sets = BUF_INIT;
	struct pt_error err;

	buf_printf(out, "(QRESYNC (%" PRIu32 " %" PRIu64, mb->uidvalidity,
	           mb->highestmodseq);
	if (cache_msg_uids(s->cache, mb->id, &uids, &err) == 0 && uids.n > 0) {
		imap_seqset_init(&known);
		for (size_t i = 0; i < uids.n; i++)
			imap_seqset_add(&known, uids.uids[i]);
		imap_seqset_print(&known, &sets);
		if (sets.len > SYNC_SELECT_SETS_MAX) {
			/* Too long: one covering range, never a cut-short
			 * list. */
			buf_reset(&sets);
			buf_printf(&sets, "1:%" PRIu32, uids.uids[uids.n - 1]);
		}
		buf_printf(out, " %s", buf_str(&sets));
		imap_seqset_init(&seqs);
		imap_seqset_init(&us);
		imap_seqset_sample(uids.uids, uids.n, &seqs, &us);
		buf_reset(&sets);
		imap_seqset_print(&seqs, &sets);
		buf_addch(&sets, ' ');
		imap_seqset_print(&us, &sets);
		if (!imap_seqset_empty(&seqs) && sets.len < 1500)
			buf_printf(out, " (%s)", buf_str(&sets));
		imap_seqset_clear(&seqs);
		imap_seqset_clear(&us);
		imap_seqset_clear(&known);
	}
	cache_uidlist_free(&uids);
	buf_free(&sets);
	buf_addstr(out, "))");
}

/* Every flag of UIDs 1..maxuid, compared; what the server did not name
 * is gone (the RFC 3501/4549 baseline). */
static int full_flags(struct sync *s, struct sync_mbox *m, uint32_t maxuid,
                      struct pt_error *err)
{
	struct cache_uidlist cached = {0};
	int ret;

	s->stats.full_flag_syncs++;
	if (maxuid == 0)
		return 0;
	m->batch.track_seen = true;
	imap_seqset_clear(&m->batch.seen);
	ret = imap_client_run(
	        s->client, err, "UID FETCH 1:%" PRIu32 " %s", maxuid,
	        m->use_modseq ? "(UID FLAGS MODSEQ)" : "(UID FLAGS)");
	if (ret == 0)
		ret = cache_msg_uids(s->cache, m->id, &cached, err);
	for (size_t i = 0; ret == 0 && i < cached.n; i++)
		if (cached.uids[i] <= maxuid &&
		    !imap_seqset_contains(&m->batch.seen, cached.uids[i]))
			imap_seqset_add(&m->batch.gone, cached.uids[i]);
	cache_uidlist_free(&cached);
	m->batch.track_seen = false;
	imap_seqset_clear(&m->batch.seen);
	return ret;
}

/* UIDVALIDITY differs from the cache, or is first seen. */
static int uidvalidity_reset(struct sync *s, struct cache_mailbox *mb,
                             uint32_t uv, struct pt_error *err)
{
	struct cache_queue_list dropped = {0};
	int64_t id = mb->id;
	int ret;

	if (mb->uidvalidity != 0) {
		char *name = text_sanitize_str(mb->name, TEXT_ONELINE);
		sync_notice(s,
		            "%s: UIDVALIDITY changed (%" PRIu32 " -> %" PRIu32
		            "): its cache is rebuilt",
		            name, mb->uidvalidity, uv);
		free(name);
	}
	ret = cache_mailbox_reset(s->cache, id, uv, &dropped, err);
	sync_report_dropped(s, mb->name, &dropped, "UIDVALIDITY changed");
	cache_queue_list_free(&dropped);
	if (ret == 0) {
		cache_mailbox_clear(mb);
		ret = cache_mailbox_get_id(s->cache, id, mb, err);
	}
	return ret;
}

static int resync_selected(struct sync *s, struct cache_mailbox *mb,
                           struct sync_mbox *m, struct imap_cmd *cmd,
                           bool qresync_sent, struct pt_error *err)
{
	const struct imap_selection *sel = imap_client_selection(s->client);
	bool have_base =
	        mb->has_highestmodseq && mb->modseq_mode == CACHE_MODSEQ_YES;
	bool modseq = m->use_modseq && sel->has_hms && !sel->nomodseq;
	struct sync_mark mark = {0};
	uint64_t hms = 0;
	uint32_t maxuid = 0;
	int ret;

	/* without HIGHESTMODSEQ there is no modseq baseline. */
	m->use_modseq = modseq;
	mark.set_mode = true;
	mark.mode = modseq ? CACHE_MODSEQ_YES : CACHE_MODSEQ_NO;
	if (!imap_client_condstore(s->client))
		mark.mode = CACHE_MODSEQ_UNKNOWN;
	mark.set_hms = true;
	mark.has_hms = modseq;
	mark.hms = hms = sel->hms;
	if (cache_msg_max_uid(s->cache, m->id, &maxuid, err) < 0)
		return -1;

	if (qresync_sent && modseq && sel->hms >= mb->highestmodseq) {
		/* 1. QRESYNC: the SELECT's data is the change set. */
		mark_from_cmd(&mark, cmd, 0);
		ret = sync_commit(s, m, &mark, err);
	} else if (modseq && have_base && sel->hms >= mb->highestmodseq) {
		/* 2. CONDSTORE only. CHANGEDSINCE is strictly
		 * greater; expunges are always looked for. */
		ret = 0;
		if (sel->hms > mb->highestmodseq && maxuid > 0)
			ret = imap_client_run(s->client, err,
			                      "UID FETCH 1:%" PRIu32
			                      " (UID FLAGS) "
			                      "(CHANGEDSINCE %" PRIu64 ")",
			                      maxuid, mb->highestmodseq);
		if (ret == 0 && maxuid > 0)
			ret = repair_uids(s, m, maxuid, &hms, err);
		if (ret == 0)
			ret = sync_commit(s, m, &mark, err);
	} else {
		/* 3. No baseline, NOMODSEQ, no CONDSTORE, or a baseline that
		 * went backwards (T-7): compare every flag. */
		sync_batch_clear(&m->batch);
		ret = full_flags(s, m, maxuid, err);
		mark.full_sync = true;
		if (ret == 0)
			ret = sync_commit(s, m, &mark, err);
	}
	if (ret == 0)
		ret = fetch_new(s, m, mb->uidnext, &hms, err);
	if (ret == 0 && !m->yielded) {
		/* Everything below the server's UIDNEXT is now cached. */
		struct sync_mark done = {0};
		uint64_t count = 0;
		done.uidnext = sel->uidnext;
		ret = sync_commit(s, m, &done, err);
		if (ret == 0)
			ret = cache_msg_count(s->cache, m->id, &count, err);
		/* A cache that disagrees with EXISTS (an interrupted sync,
		 * a server with short expunge history) is repaired. */
		if (ret == 0 && (count != sel->exists || m->batch.need_diff)) {
			m->batch.need_diff = false;
			ret = repair_uids(s, m, 0, &hms, err);
		}
	}
	return ret;
}

/* Whether the STATUS answer st shows the mailbox as cached. */
static bool status_same(const struct imap_status_data *st,
                        const struct cache_mailbox *mb, uint64_t count)
{
	unsigned need = IMAP_STATUS_UIDVALIDITY | IMAP_STATUS_UIDNEXT |
	                IMAP_STATUS_MESSAGES | IMAP_STATUS_HIGHESTMODSEQ;

	if ((st->present & need) != need ||
	    st->highestmodseq_status != IMAP_MODSEQ_OK)
		return false;
	/* UIDNEXT and MESSAGES catch expunges that a CONDSTORE-only server
	 * does not count in HIGHESTMODSEQ. */
	return st->uidvalidity == mb->uidvalidity &&
	       st->uidnext == mb->uidnext && st->messages == count &&
	       st->highestmodseq == mb->highestmodseq;
}

/* 1: STATUS shows nothing to do; 0: select it; -1: the connection is
 * lost (serr says how). */
static int mailbox_unchanged(struct sync *s, const struct cache_mailbox *mb,
                             struct pt_error *serr)
{
	struct imap_client *c = s->client;
	struct cache_queue_list q = {0};
	struct pt_error err;
	struct imap_status_data early;
	uint64_t count = 0;
	bool same = false;

	if (!imap_client_condstore(c) || mb->uidvalidity == 0 ||
	    !mb->has_highestmodseq || mb->modseq_mode != CACHE_MODSEQ_YES)
		return false;
	if (cache_queue_list(s->cache, mb->id, &q, &err) < 0 || q.n > 0) {
		cache_queue_list_free(&q);
		return false;
	}
	cache_queue_list_free(&q);
	sync_status_clear(s);
	if (sync_early_take(s, mb->raw_name ? mb->raw_name : mb->name,
	                    &early) == 0) {
		/* Counting the cached messages is the costly part: only when
		 * everything else matches. */
		if (!status_same(&early, mb, early.messages))
			return false;
		return cache_msg_count(s->cache, mb->id, &count, &err) == 0 &&
		       count == early.messages;
	}
	if (cache_msg_count(s->cache, mb->id, &count, &err) < 0)
		return false;
	{
		struct buf name = BUF_INIT;
		imap_client_astring(&name,
		                    mb->raw_name ? mb->raw_name : mb->name);
		if (imap_client_run(c, &err,
		                    "STATUS %s (UIDVALIDITY UIDNEXT MESSAGES "
		                    "HIGHESTMODSEQ)",
		                    buf_str(&name)) < 0) {
			buf_free(&name);
			/* A NO is no reason to skip the SELECT; a lost
			 * connection is reported with its own cause. */
			if (imap_client_usable(c))
				return 0;
			*serr = err;
			return -1;
		}
		buf_free(&name);
	}
	for (size_t i = 0; i < s->nstatus; i++)
		same = status_same(&s->status[i].data, mb, count);
	sync_status_clear(s);
	return same;
}

/* Remove the user's own \Deleted messages (DESIGN.md, Q-61, Q-63). */
static int expunge_own(struct sync *s, struct sync_mbox *m,
                       struct pt_error *err)
{
	struct imap_client *c = s->client;
	struct cache_uidlist own = {0};
	struct imap_seqset set;
	struct buf line = BUF_INIT;
	size_t cursor = 0;
	int ret;

	if (cache_msg_own_deleted(s->cache, m->id, &own, err) < 0)
		return -1;
	imap_seqset_init(&set);
	for (size_t i = 0; i < own.n; i++)
		imap_seqset_add(&set, own.uids[i]);
	s->stats.expunged_own += own.n;
	cache_uidlist_free(&own);
	ret = 0;
	if (imap_seqset_empty(&set)) {
		/* nothing of ours to remove */
	} else if (imap_client_has(c, IMAP_CAP_UIDPLUS)) {
		while (ret == 0 && imap_seqset_print_chunk(&set, &cursor, 6000,
		                                           &line) == 1) {
			struct imap_cmd *cmd = NULL;
			struct sync_mark mark = {0};
			ret = imap_client_start(c, &cmd, err, "UID EXPUNGE %s",
			                        buf_str(&line));
			if (ret == 0)
				ret = imap_client_wait(c, cmd, err);
			if (ret == 0) {
				if (m->use_modseq)
					mark_from_cmd(&mark, cmd, 0);
				ret = sync_commit(s, m, &mark, err);
			}
			imap_cmd_free(c, &cmd);
			buf_reset(&line);
		}
	} else {
		char *name = text_sanitize_str(m->name, TEXT_ONELINE);
		sync_notice(s,
		            "%s: the server cannot expunge only your messages "
		            "(no UIDPLUS); they stay marked \\Deleted",
		            name);
		free(name);
		s->stats.expunged_own -= imap_seqset_count(&set);
	}
	imap_seqset_clear(&set);
	buf_free(&line);
	return ret;
}

int sync_mailbox(struct sync *s, const char *name, unsigned flags,
                 struct pt_error *err)
{
	struct imap_client *c = s->client;
	struct cache_mailbox mb;
	struct sync_mbox m;
	struct imap_cmd *cmd = NULL;
	struct buf params = BUF_INIT;
	const struct imap_selection *sel;
	bool qresync_sent = false;
	int ret;

	if (cache_mailbox_get(s->cache, name, &mb, err) < 0)
		return -1;
	if (mb.attrs & CACHE_MBOX_NOSELECT) {
		cache_mailbox_clear(&mb);
		return pt_error_set(err, PT_E_NOTFOUND, "%s cannot be selected",
		                    name);
	}
	ret = 0;
	if ((flags & SYNC_SKIP_UNCHANGED) && !(flags & SYNC_EXPUNGE))
		ret = mailbox_unchanged(s, &mb, err);
	if (ret != 0) {
		s->stats.skipped += ret > 0;
		cache_mailbox_clear(&mb);
		return ret > 0 ? 0 : -1;
	}
	memset(&m, 0, sizeof m);
	m.id = mb.id;
	m.name = mb.name;
	m.raw = mb.raw_name ? mb.raw_name : mb.name;
	sync_batch_init(&m.batch);
	if (imap_client_qresync(c) && mb.uidvalidity != 0 &&
	    mb.has_highestmodseq && mb.modseq_mode == CACHE_MODSEQ_YES) {
		/* only with a cached (UIDVALIDITY, HIGHESTMODSEQ). */
		qresync_params(s, &mb, &params);
		qresync_sent = true;
	} else if (imap_client_condstore(c)) {
		buf_addstr(&params, "(CONDSTORE)");
	}
	m.use_modseq = imap_client_condstore(c);
	s->stats.selects++;
	ret = imap_client_select(c, m.raw, buf_str(&params), false, &m, &cmd,
	                         err);
	buf_free(&params);
	sel = imap_client_selection(c);
	if (ret == 0 && sel->uidvalidity == 0)
		ret = pt_error_set(err, PT_E_PROTO,
		                   "%s: the server sent no UIDVALIDITY", name);
	if (ret == 0 && sel->uidvalidity != mb.uidvalidity) {
		/* The server ignored the QRESYNC data: its answer,
		 * if any, is for another UID space. */
		sync_batch_clear(&m.batch);
		qresync_sent = false;
		ret = uidvalidity_reset(s, &mb, sel->uidvalidity, err);
		m.name = mb.name;
	}
	if (ret == 0)
		ret = resync_selected(s, &mb, &m, cmd, qresync_sent, err);
	if (ret == 0) {
		/* Queued edits go out once the cache mirrors the server. */
		m.storing = true;
		ret = sync_replay(s, &m, err);
		m.storing = false;
	}
	if (ret == 0 && (flags & SYNC_EXPUNGE))
		ret = expunge_own(s, &m, err);
	/* prefetch_days, in this same selection (sync-body.c). */
	if (ret == 0)
		ret = sync_prefetch_selected(s, &m, NULL, err);
	imap_cmd_free(c, &cmd);
	if (imap_client_usable(c)) {
		struct pt_error uerr;
		m.discard = ret != 0;
		if (imap_client_unselect(c, &uerr) == 0 && ret == 0)
			ret = sync_commit(s, &m, NULL, err);
	}
	sync_batch_clear(&m.batch);
	cache_mailbox_clear(&mb);
	return ret;
}
