/* sync.c: the sync engine's session: connecting, the untagged-response
 * handler, the mailbox list, and committing batches. The per-mailbox
 * resynchronization paths are in sync-mailbox.c. */
#include "sync/sync-private.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"
#include "imap/imap-utf7.h"

/* Entries collected before they are written even though the command has
 * not completed (flags and expunges only: the baseline still waits for
 * the tagged response, so writing early is safe). */
#define SYNC_BATCH_FLUSH 2000

static void listed_add(struct sync *s, const struct imap_list_data *l,
                       bool lsub)
{
	struct sync_listed *e;

	for (size_t i = 0; i < s->nlisted; i++) {
		e = &s->listed[i];
		if (strcmp(e->raw, l->mailbox) == 0) {
			if (lsub)
				e->subscribed = true;
			else
				e->attrs |= l->attrs;
			return;
		}
	}
	if (s->nlisted == s->caplisted) {
		s->caplisted = s->caplisted ? s->caplisted * 2 : 32;
		s->listed = xreallocarray(s->listed, s->caplisted,
		                          sizeof *s->listed);
	}
	e = &s->listed[s->nlisted++];
	memset(e, 0, sizeof *e);
	e->raw = xstrdup(l->mailbox);
	e->delimiter = l->delimiter;
	e->attrs = lsub ? 0 : l->attrs;
	e->subscribed = lsub || (l->attrs & IMAP_LIST_SUBSCRIBED);
	e->in_list = !lsub;
}

static void status_record(struct sync *s, const struct imap_status_data *st)
{
	struct sync_status *e;

	if (s->nstatus == s->capstatus) {
		s->capstatus = s->capstatus ? s->capstatus * 2 : 16;
		s->status = xreallocarray(s->status, s->capstatus,
		                          sizeof *s->status);
	}
	e = &s->status[s->nstatus++];
	e->raw = xstrdup(st->mailbox);
	e->data = *st;
	e->data.mailbox = e->raw;
}

static void search_record(struct sync *s, const struct imap_response *r)
{
	if (r->type == IMAP_RT_SEARCH) {
		for (size_t i = 0; i < r->u.search.n; i++)
			imap_seqset_add(&s->search, r->u.search.nums[i]);
	} else if (r->u.esearch.present & IMAP_ESEARCH_ALL) {
		for (size_t i = 0; i < imap_seqset_nranges(&r->u.esearch.all);
		     i++) {
			const struct imap_seqset_range *rg =
			        imap_seqset_get(&r->u.esearch.all, i);
			imap_seqset_add_range(&s->search, rg->lo, rg->hi);
		}
	}
}

static int mbox_data(struct sync *s, struct sync_mbox *m,
                     const struct imap_response *r,
                     const struct imap_untagged_ctx *x, struct pt_error *err)
{
	switch (r->type) {
	case IMAP_RT_VANISHED:
		/* Both forms remove the UIDs from the cache; only the plain
		 * form renumbers, which the client does. */
		for (size_t i = 0; i < imap_seqset_nranges(&r->u.vanished.uids);
		     i++) {
			const struct imap_seqset_range *rg =
			        imap_seqset_get(&r->u.vanished.uids, i);
			imap_seqset_add_range(&m->batch.gone, rg->lo, rg->hi);
		}
		break;
	case IMAP_RT_EXPUNGE:
		if (x->uid != 0)
			imap_seqset_add(&m->batch.gone, x->uid);
		else
			m->batch.need_diff = true; /* T-14 */
		break;
	case IMAP_RT_FETCH:
		if (m->on_fetch != NULL && !m->discard &&
		    m->on_fetch(m, &r->u.fetch, x->uid, err) < 0)
			return -1;
		sync_batch_fetch(&m->batch, &r->u.fetch, x->uid, m->use_modseq);
		break;
	default:
		return 0;
	}
	/* Large change sets are written as they come; the baseline only
	 * moves at the tagged response. */
	if (sync_batch_size(&m->batch) >= SYNC_BATCH_FLUSH && !m->discard)
		return sync_commit(s, m, NULL, err);
	return 0;
}

static int sync_untagged(void *arg, const struct imap_response *r,
                         const struct imap_untagged_ctx *x,
                         struct pt_error *err)
{
	struct sync *s = arg;

	switch (r->type) {
	case IMAP_RT_LIST:
		listed_add(s, &r->u.list, false);
		return 0;
	case IMAP_RT_LSUB:
		listed_add(s, &r->u.list, true);
		return 0;
	case IMAP_RT_STATUS:
		status_record(s, &r->u.status);
		return 0;
	case IMAP_RT_SEARCH:
	case IMAP_RT_ESEARCH:
		search_record(s, r);
		return 0;
	default:
		break;
	}
	if (x->sel_ctx == NULL)
		return 0; /* data for no mailbox we track */
	return mbox_data(s, x->sel_ctx, r, x, err);
}

int sync_commit(struct sync *s, struct sync_mbox *m,
                const struct sync_mark *mark, struct pt_error *err)
{
	struct sync_stats *st = &s->stats;

	if (m->discard) {
		sync_batch_clear(&m->batch);
		return 0;
	}
	if (cache_begin(s->cache, err) < 0)
		return -1;
	if (sync_batch_apply(&m->batch, s->cache, m->id, &st->fetched_new,
	                     &st->flag_updates, &st->expunged, err) < 0)
		goto fail;
	if (mark != NULL) {
		if (mark->set_hms &&
		    cache_mailbox_set_highestmodseq(
		            s->cache, m->id, mark->has_hms ? &mark->hms : NULL,
		            err) < 0)
			goto fail;
		if (mark->uidnext != 0 &&
		    cache_mailbox_set_uidnext(s->cache, m->id, mark->uidnext,
		                              err) < 0)
			goto fail;
		if (mark->set_mode &&
		    cache_mailbox_set_modseq_mode(s->cache, m->id, mark->mode,
		                                  err) < 0)
			goto fail;
		if (mark->full_sync &&
		    cache_mailbox_set_full_sync(s->cache, m->id,
		                                (int64_t)time(NULL), err) < 0)
			goto fail;
	}
	if (cache_commit(s->cache, err) < 0)
		goto fail;
	return 0;
fail:
	cache_rollback(s->cache);
	return -1;
}

void sync_notice(struct sync *s, const char *fmt, ...)
{
	va_list ap;

	if (s->p.notices == NULL)
		return;
	fputs("petrel: ", s->p.notices);
	va_start(ap, fmt);
	vfprintf(s->p.notices, fmt, ap);
	va_end(ap);
	fputc('\n', s->p.notices);
}

void sync_report_dropped(struct sync *s, const char *mailbox,
                         const struct cache_queue_list *l, const char *why)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cache_queue_entry *e = &l->v[i];
		char *name = text_sanitize_str(mailbox, TEXT_ONELINE);
		sync_notice(s, "%s: UID %u: edit not applied (%s): +(%s) -(%s)",
		            name, e->uid, why, e->add, e->remove);
		free(name);
		s->stats.dropped_edits++;
		s->stats.not_applied++;
	}
}

int sync_open(struct cache *cache, const struct sync_params *p,
              struct sync **s_r, struct pt_error *err)
{
	struct sync *s = xcalloc(1, sizeof *s);
	struct imap_client_handler h = {s, sync_untagged};

	s->cache = cache;
	s->p = *p;
	imap_seqset_init(&s->search);
	if (imap_client_open(&p->client, &h, &s->client, err) < 0) {
		free(s);
		return -1;
	}
	*s_r = s;
	return 0;
}

static void listed_clear(struct sync *s)
{
	for (size_t i = 0; i < s->nlisted; i++)
		free(s->listed[i].raw);
	s->nlisted = 0;
}

void sync_status_clear(struct sync *s)
{
	for (size_t i = 0; i < s->nstatus; i++)
		free(s->status[i].raw);
	s->nstatus = 0;
}

void sync_forget_status(struct sync *s)
{
	for (size_t i = 0; i < s->nearly; i++)
		free(s->early[i].raw);
	free(s->early);
	s->early = NULL;
	s->nearly = 0;
}

int sync_early_take(struct sync *s, const char *raw,
                    struct imap_status_data *st)
{
	for (size_t i = 0; i < s->nearly; i++) {
		if (strcmp(s->early[i].raw, raw) != 0)
			continue;
		*st = s->early[i].data;
		st->mailbox = NULL;
		free(s->early[i].raw);
		s->early[i] = s->early[--s->nearly];
		return 0;
	}
	return -1;
}

void sync_close(struct sync **sp)
{
	struct sync *s = *sp;

	if (s == NULL)
		return;
	imap_client_close(&s->client);
	listed_clear(s);
	free(s->listed);
	sync_status_clear(s);
	free(s->status);
	sync_forget_status(s);
	imap_seqset_clear(&s->search);
	free(s);
	*sp = NULL;
}

const struct sync_stats *sync_stats(const struct sync *s)
{
	return &s->stats;
}

struct imap_client *sync_client(struct sync *s)
{
	return s->client;
}

/* ------------------------------------------------------- mailbox list */

static unsigned cache_attrs(unsigned a)
{
	unsigned r = 0;

	if (a & (IMAP_LIST_NOSELECT | IMAP_LIST_NONEXISTENT))
		r |= CACHE_MBOX_NOSELECT;
	if (a & IMAP_LIST_NOINFERIORS)
		r |= CACHE_MBOX_NOINFERIORS;
	if (a & IMAP_LIST_SENT)
		r |= CACHE_MBOX_SENT;
	if (a & IMAP_LIST_TRASH)
		r |= CACHE_MBOX_TRASH;
	if (a & IMAP_LIST_DRAFTS)
		r |= CACHE_MBOX_DRAFTS;
	if (a & IMAP_LIST_JUNK)
		r |= CACHE_MBOX_JUNK;
	if (a & IMAP_LIST_ARCHIVE)
		r |= CACHE_MBOX_ARCHIVE;
	if (a & IMAP_LIST_ALL)
		r |= CACHE_MBOX_ALL;
	if (a & IMAP_LIST_FLAGGED)
		r |= CACHE_MBOX_FLAGGED;
	return r;
}

/* The UTF-8 name of a wire name; INBOX is case-insensitive (RFC 3501
 * §5.1) and always spelled INBOX. */
static char *mailbox_utf8(const char *raw, struct pt_error *err)
{
	struct buf out = BUF_INIT;

	if (strcasecmp(raw, "INBOX") == 0)
		return xstrdup("INBOX");
	if (imap_utf7_decode(raw, strlen(raw), &out, err) < 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static bool listed_has(const struct sync *s, const char *raw)
{
	for (size_t k = 0; k < s->nlisted; k++)
		if (s->listed[k].in_list && strcmp(s->listed[k].raw, raw) == 0)
			return true;
	return false;
}

static const char *cached_raw(const struct cache_mailbox *mb)
{
	return mb->raw_name ? mb->raw_name : mb->name;
}

static bool cache_has_raw(const struct cache_mailbox_list *l, const char *raw)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(cached_raw(&l->v[i]), raw) == 0)
			return true;
	return false;
}

/* A mailbox gone from LIST whose UIDVALIDITY reappears under a new name
 * was renamed (RFC 3501 §6.3.5 keeps UIDVALIDITY): its messages, bodies
 * and queued edits follow it. The STATUS answers were collected before
 * (sync_list); UIDNEXT must not have gone backwards. */
static int list_follow_renames(struct sync *s, struct cache_mailbox_list *old,
                               struct pt_error *err)
{
	for (size_t i = 0; i < old->n; i++) {
		struct cache_mailbox *mb = &old->v[i];
		if (mb->uidvalidity == 0 || listed_has(s, cached_raw(mb)))
			continue;
		for (size_t k = 0; k < s->nstatus; k++) {
			const struct imap_status_data *st = &s->status[k].data;
			struct pt_error nerr;
			char *name;
			if (!(st->present & IMAP_STATUS_UIDVALIDITY) ||
			    st->uidvalidity != mb->uidvalidity ||
			    st->uidnext < mb->uidnext ||
			    cache_has_raw(old, s->status[k].raw))
				continue;
			name = mailbox_utf8(s->status[k].raw, &nerr);
			if (name == NULL)
				continue;
			if (cache_mailbox_rename(s->cache, mb->id, name,
			                         s->status[k].raw, err) < 0) {
				free(name);
				return -1;
			}
			free(mb->raw_name);
			mb->raw_name = xstrdup(s->status[k].raw);
			free(name);
			break;
		}
	}
	return 0;
}

static int list_apply(struct sync *s, struct pt_error *err)
{
	struct cache_mailbox_list old;
	int ret = 0;

	if (cache_mailbox_names(s->cache, &old, err) < 0)
		return -1;
	if (cache_begin(s->cache, err) < 0) {
		cache_mailbox_list_free(&old);
		return -1;
	}
	ret = list_follow_renames(s, &old, err);
	for (size_t i = 0; i < s->nlisted && ret == 0; i++) {
		struct sync_listed *e = &s->listed[i];
		struct pt_error nerr;
		char *name;
		if (!e->in_list)
			continue; /* subscribed but not existing */
		name = mailbox_utf8(e->raw, &nerr);
		if (name == NULL) {
			sync_notice(s,
			            "ignoring a mailbox with a malformed "
			            "name: %s",
			            nerr.msg);
			continue;
		}
		ret = cache_mailbox_upsert(s->cache, name, e->raw, e->delimiter,
		                           cache_attrs(e->attrs), e->subscribed,
		                           NULL, err);
		free(name);
	}
	/* Mailboxes the server no longer lists are removed; their queued
	 * edits cannot apply any more and are reported. */
	for (size_t i = 0; i < old.n && ret == 0; i++) {
		if (!listed_has(s, cached_raw(&old.v[i]))) {
			struct cache_queue_list dropped = {0};
			ret = cache_mailbox_delete(s->cache, old.v[i].id,
			                           &dropped, err);
			sync_report_dropped(s, old.v[i].name, &dropped,
			                    "the mailbox is gone");
			cache_queue_list_free(&dropped);
		}
	}
	cache_mailbox_list_free(&old);
	if (ret == 0)
		ret = cache_commit(s->cache, err);
	if (ret < 0)
		cache_rollback(s->cache);
	return ret;
}

/* When mailboxes vanished from LIST and new ones appeared, ask the new
 * ones' UIDVALIDITY (pipelined) so renames can be followed. */
static int list_status_new(struct sync *s, struct pt_error *err)
{
	struct cache_mailbox_list old;
	struct imap_cmd **cmds;
	size_t n = 0;
	bool gone = false;
	int ret = 0;

	sync_status_clear(s);
	if (cache_mailbox_names(s->cache, &old, err) < 0)
		return -1;
	for (size_t i = 0; i < old.n && !gone; i++)
		gone = old.v[i].uidvalidity != 0 &&
		       !listed_has(s, cached_raw(&old.v[i]));
	cmds = xcalloc(s->nlisted + 1, sizeof *cmds);
	for (size_t i = 0; gone && i < s->nlisted && ret == 0; i++) {
		struct buf name = BUF_INIT;
		const struct sync_listed *e = &s->listed[i];
		if (!e->in_list ||
		    (e->attrs & (IMAP_LIST_NOSELECT | IMAP_LIST_NONEXISTENT)) ||
		    cache_has_raw(&old, e->raw))
			continue;
		imap_client_astring(&name, e->raw);
		ret = imap_client_start(s->client, &cmds[n], err,
		                        "STATUS %s (UIDVALIDITY UIDNEXT)",
		                        buf_str(&name));
		if (ret == 0)
			n++;
		buf_free(&name);
	}
	for (size_t i = 0; i < n; i++) {
		struct pt_error serr;
		/* A failing STATUS only means no rename is followed. */
		if (ret == 0 &&
		    imap_client_wait(s->client, cmds[i], &serr) < 0 &&
		    serr.code != PT_E_MBOX) {
			*err = serr;
			ret = -1;
		}
		imap_cmd_free(s->client, &cmds[i]);
	}
	free(cmds);
	cache_mailbox_list_free(&old);
	return ret;
}

/* Whether sync_mailbox() may skip the mailbox after a STATUS (the same
 * conditions as there, from the cache alone). */
static bool status_may_skip(struct sync *s, const struct cache_mailbox *mb)
{
	return imap_client_condstore(s->client) && mb->uidvalidity != 0 &&
	       mb->has_highestmodseq && mb->modseq_mode == CACHE_MODSEQ_YES &&
	       !(mb->attrs & CACHE_MBOX_NOSELECT);
}

/* Queued edits mean a SELECT in any case (they are replayed). */
static bool has_queued(struct sync *s, int64_t mailbox_id)
{
	struct cache_queue_list q = {0};
	struct pt_error err;
	bool any =
	        cache_queue_list(s->cache, mailbox_id, &q, &err) < 0 || q.n > 0;

	cache_queue_list_free(&q);
	return any;
}

/* Start STATUS for each of names that is cached and could be skipped;
 * cmds gets the started commands (at most n). */
static int early_start(struct sync *s, const char *const *names, size_t n,
                       struct imap_cmd **cmds, size_t *ncmds,
                       struct pt_error *err)
{
	*ncmds = 0;
	for (size_t i = 0; i < n; i++) {
		struct cache_mailbox mb;
		struct pt_error gerr;
		struct buf name = BUF_INIT;
		int ret;

		if (cache_mailbox_get(s->cache, names[i], &mb, &gerr) < 0)
			continue; /* not cached yet: nothing to compare */
		if (!status_may_skip(s, &mb) || has_queued(s, mb.id)) {
			cache_mailbox_clear(&mb);
			continue;
		}
		imap_client_astring(&name, mb.raw_name ? mb.raw_name : mb.name);
		cache_mailbox_clear(&mb);
		ret = imap_client_start(s->client, &cmds[*ncmds], err,
		                        "STATUS %s (UIDVALIDITY UIDNEXT "
		                        "MESSAGES HIGHESTMODSEQ)",
		                        buf_str(&name));
		buf_free(&name);
		if (ret < 0)
			return -1;
		(*ncmds)++;
	}
	return 0;
}

/* Wait for the early STATUS commands (a NO only means that mailbox gets
 * no early answer) and keep their answers. */
static int early_finish(struct sync *s, struct imap_cmd **cmds, size_t n,
                        int ret, struct pt_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct pt_error serr;
		if (ret == 0 &&
		    imap_client_wait(s->client, cmds[i], &serr) < 0 &&
		    serr.code != PT_E_MBOX) {
			*err = serr;
			ret = -1;
		}
		imap_cmd_free(s->client, &cmds[i]);
	}
	if (ret == 0) {
		sync_forget_status(s);
		s->early = s->status;
		s->nearly = s->nstatus;
		s->status = NULL;
		s->nstatus = s->capstatus = 0;
	}
	sync_status_clear(s);
	return ret;
}

int sync_list(struct sync *s, const char *const *names, size_t n,
              struct pt_error *err)
{
	struct imap_client *c = s->client;
	struct imap_cmd **cmds = xcalloc(n + 1, sizeof *cmds);
	size_t ncmds = 0;
	int ret;

	listed_clear(s);
	sync_forget_status(s);
	sync_status_clear(s);
	/* STATUS goes first, in the same round trip as LIST: Dovecot with
	 * Maildir answers it from its index before a LIST, but rescans the
	 * whole mailbox directory for it after one. */
	ret = early_start(s, names, n, cmds, &ncmds, err);
	if (ret == 0 && imap_client_has(c, IMAP_CAP_SPECIAL_USE))
		ret = imap_client_run(c, err,
		                      "LIST \"\" \"*\" RETURN "
		                      "(SPECIAL-USE)");
	else if (ret == 0)
		ret = imap_client_run(c, err, "LIST \"\" \"*\"");
	ret = early_finish(s, cmds, ncmds, ret, err);
	free(cmds);
	if (ret == 0)
		ret = imap_client_run(c, err, "LSUB \"\" \"*\"");
	if (ret == 0)
		ret = list_status_new(s, err);
	if (ret == 0)
		ret = list_apply(s, err);
	sync_status_clear(s);
	return ret;
}

int sync_default_mailboxes(struct sync *s, char ***names_r, size_t *n_r,
                           struct pt_error *err)
{
	struct cache_mailbox_list l;
	char **v;
	size_t n = 0;
	bool inbox = false;

	if (cache_mailbox_names(s->cache, &l, err) < 0)
		return -1;
	v = xcalloc(l.n + 1, sizeof *v);
	for (size_t i = 0; i < l.n; i++) {
		bool is_inbox = strcmp(l.v[i].name, "INBOX") == 0;
		if (l.v[i].attrs & CACHE_MBOX_NOSELECT)
			continue;
		if (is_inbox || l.v[i].subscribed) {
			v[n++] = xstrdup(l.v[i].name);
			inbox |= is_inbox;
		}
	}
	(void)inbox;
	cache_mailbox_list_free(&l);
	*names_r = v;
	*n_r = n;
	return 0;
}
