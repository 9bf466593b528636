/* sync-body.c: fetching message bodies into the cache: one message for
 * `show`, and the recent messages of a mailbox for prefetch_days.
 *
 * Bodies are fetched with BODY.PEEK[], which never sets \Seen (RFC 3501
 * §6.4.5), over an EXAMINE (read-only, so nothing can change flags
 * either). The mailbox is selected with a struct sync_mbox as its
 * selection context, like sync_mailbox(): flag changes and expunges the
 * server reports meanwhile go through the same batch and are written to
 * the cache. Each body is written with its search text in one short
 * transaction as soon as its FETCH arrives, so at most one body is held
 * in memory (the parser's) and no transaction waits on the network.
 * Prefetch can also run inside sync_mailbox()'s own selection
 * (sync_prefetch_selected()), which costs no extra SELECT. */
#include "sync/sync-body.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "mime/mime-render.h"
#include "mime/mime-tree.h"

/* Prefetch: messages per UID FETCH, bytes (RFC822.SIZE) per UID FETCH,
 * and messages looked at per call. */
#define SYNC_PREFETCH_CHUNK 50
#define SYNC_PREFETCH_BYTES (16u * 1024u * 1024u)
#define SYNC_PREFETCH_MAX 50000

/* What the FETCH hook collects. */
struct body_fetch {
	struct sync *s;
	struct imap_seqset wanted; /* UIDs asked for */
	struct imap_seqset got;    /* UIDs whose body was stored */
};

/* Store one body and its search text in one transaction. A message gone
 * from the cache meanwhile (an expunge written by a batch flush) is not
 * an error: there is nothing to attach the body to. */
static int body_store(struct sync *s, int64_t mbox, uint32_t uid,
                      const char *data, size_t len, struct pt_error *err)
{
	struct buf text = BUF_INIT;
	struct pt_error merr;
	int ret;

	/* A message past the MIME limits is kept without search text;
	 * `show` explains the limit when it renders it. */
	if (mime_text_for_index(data, len, &text, &merr) < 0)
		buf_reset(&text);
	if (cache_begin(s->cache, err) < 0) {
		buf_free(&text);
		return -1;
	}
	ret = cache_body_put(s->cache, mbox, uid, "", data, len, err);
	if (ret == 0)
		ret = cache_fts_set_text(s->cache, mbox, uid, buf_str(&text),
		                         err);
	if (ret == 0)
		ret = cache_commit(s->cache, err);
	buf_free(&text);
	if (ret == 0)
		return 0;
	cache_rollback(s->cache);
	if (err != NULL && err->code == PT_E_NOTFOUND) {
		pt_error_clear(err);
		return 0;
	}
	return -1;
}

/* The FETCH hook: take BODY[] of a UID we asked for. */
static int body_on_fetch(struct sync_mbox *m, const struct imap_fetch *f,
                         uint32_t uid, struct pt_error *err)
{
	struct body_fetch *bf = m->on_fetch_arg;

	if (uid == 0 || !imap_seqset_contains(&bf->wanted, uid))
		return 0;
	for (size_t i = 0; i < f->nsections; i++) {
		const struct imap_section *sec = &f->sections[i];
		if (sec->kind != IMAP_SECTION_BODY || sec->section[0] != '\0' ||
		    sec->has_origin || sec->nil || sec->data == NULL)
			continue;
		if (body_store(bf->s, m->id, uid, sec->data, sec->len, err) < 0)
			return -1;
		imap_seqset_add(&bf->got, uid);
	}
	return 0;
}

/* EXAMINE the mailbox with m as its selection context. A UIDVALIDITY
 * other than the cache's means the cached UIDs name other messages. */
static int body_select(struct sync *s, const struct cache_mailbox *mb,
                       struct sync_mbox *m, struct pt_error *err)
{
	struct imap_client *c = s->client;
	const struct imap_selection *sel;
	const char *params = "";

	memset(m, 0, sizeof *m);
	m->id = mb->id;
	m->name = mb->name;
	m->raw = mb->raw_name ? mb->raw_name : mb->name;
	sync_batch_init(&m->batch);
	/* With QRESYNC enabled CONDSTORE is on already. */
	if (imap_client_condstore(c) && !imap_client_qresync(c))
		params = "(CONDSTORE)";
	s->stats.selects++;
	if (imap_client_select(c, m->raw, params, true, m, NULL, err) < 0)
		return -1;
	sel = imap_client_selection(c);
	if (sel->uidvalidity != mb->uidvalidity) {
		m->discard = true;
		return pt_error_set(err, PT_E_NOTFOUND,
		                    _("%s has changed on the server (new "
		                      "UIDVALIDITY): run petrel sync"),
		                    mb->name);
	}
	/* Per-message modseqs only where the cache keeps them. */
	m->use_modseq = imap_client_condstore(c) && sel->has_hms &&
	                !sel->nomodseq && mb->modseq_mode == CACHE_MODSEQ_YES;
	return 0;
}

/* Leave the mailbox; the batch is written unless the work failed. */
static int body_leave(struct sync *s, struct sync_mbox *m, int ret,
                      struct pt_error *err)
{
	struct imap_client *c = s->client;

	if (imap_client_usable(c)) {
		struct pt_error uerr;
		m->discard = m->discard || ret != 0;
		if (imap_client_unselect(c, &uerr) == 0 && ret == 0)
			ret = sync_commit(s, m, NULL, err);
	}
	sync_batch_clear(&m->batch);
	return ret;
}

/* UID FETCH set (BODY.PEEK[]); the flag changes that came along are
 * written at the tagged response. */
static int body_fetch_set(struct sync *s, struct sync_mbox *m,
                          struct body_fetch *bf, const struct imap_seqset *set,
                          struct pt_error *err)
{
	struct buf line = BUF_INIT;
	int ret;

	imap_seqset_clear(&bf->wanted);
	imap_seqset_copy(&bf->wanted, set);
	imap_seqset_print(set, &line);
	ret = imap_client_run(s->client, err, "UID FETCH %s (UID BODY.PEEK[])",
	                      buf_str(&line));
	buf_free(&line);
	if (ret == 0)
		ret = sync_commit(s, m, NULL, err);
	return ret;
}

/* Does the selected mailbox still hold uid? (T-13: a body fetch for a
 * vanished UID returns nothing, or NO.) */
static int body_exists(struct sync *s, uint32_t uid, bool *exists_r,
                       struct pt_error *err)
{
	imap_seqset_clear(&s->search);
	if (imap_client_run(s->client, err, "UID SEARCH UID %" PRIu32, uid) < 0)
		return -1;
	*exists_r = imap_seqset_contains(&s->search, uid);
	imap_seqset_clear(&s->search);
	return 0;
}

/* The cached mailbox and message, refusing what cannot be shown. */
static int body_lookup(struct sync *s, const char *mailbox, uint32_t uid,
                       struct cache_mailbox *mb_r, struct pt_error *err)
{
	struct cache_msg msg;

	if (cache_mailbox_get(s->cache, mailbox, mb_r, err) < 0)
		return -1;
	if (cache_msg_get(s->cache, mb_r->id, uid, &msg, err) < 0) {
		cache_mailbox_clear(mb_r);
		return -1;
	}
	if (msg.size > MIME_MAX_MESSAGE) {
		cache_msg_clear(&msg);
		cache_mailbox_clear(mb_r);
		return pt_error_set(err, PT_E_MSG,
		                    _("UID %lu is larger than the %u MB limit"),
		                    (unsigned long)uid,
		                    MIME_MAX_MESSAGE / (1024u * 1024u));
	}
	cache_msg_clear(&msg);
	return 0;
}

/* Fetch one body in the selected mailbox; a vanished UID is removed
 * from the cache and reported as PT_E_NOTFOUND. */
static int body_fetch_one(struct sync *s, struct sync_mbox *m,
                          struct body_fetch *bf, uint32_t uid,
                          struct pt_error *err)
{
	struct imap_seqset one;
	bool exists = true;
	int ret;

	imap_seqset_init(&one);
	imap_seqset_add(&one, uid);
	ret = body_fetch_set(s, m, bf, &one, err);
	imap_seqset_clear(&one);
	if (imap_seqset_contains(&bf->got, uid))
		return ret;
	/* Nothing came: OK without data, or NO. */
	if ((ret == 0 || err->code == PT_E_MBOX) &&
	    body_exists(s, uid, &exists, err) < 0)
		return -1;
	if (exists)
		return ret < 0 ? -1
		               : pt_error_set(err, PT_E_PROTO,
		                              _("the server sent no body for "
		                                "UID %lu"),
		                              (unsigned long)uid);
	imap_seqset_add(&m->batch.gone, uid);
	if (sync_commit(s, m, NULL, err) < 0)
		return -1;
	return pt_error_set(err, PT_E_NOTFOUND,
	                    _("UID %lu of %s no longer exists on the server"),
	                    (unsigned long)uid, m->name);
}

int sync_fetch_body(struct sync *s, const char *mailbox, uint32_t uid,
                    struct pt_error *err)
{
	struct body_fetch bf = {.s = s};
	struct cache_mailbox mb;
	struct sync_mbox m;
	int ret;

	if (body_lookup(s, mailbox, uid, &mb, err) < 0)
		return -1;
	imap_seqset_init(&bf.wanted);
	imap_seqset_init(&bf.got);
	ret = body_select(s, &mb, &m, err);
	m.on_fetch = body_on_fetch;
	m.on_fetch_arg = &bf;
	if (ret == 0)
		ret = body_fetch_one(s, &m, &bf, uid, err);
	ret = body_leave(s, &m, ret, err);
	imap_seqset_clear(&bf.wanted);
	imap_seqset_clear(&bf.got);
	cache_mailbox_clear(&mb);
	return ret;
}

/* The next chunk of todo from *pos: at most SYNC_PREFETCH_CHUNK messages
 * and about SYNC_PREFETCH_BYTES, skipping messages past the MIME limit
 * and those no longer cached. */
static int prefetch_chunk(struct sync *s, int64_t mbox,
                          const struct cache_uidlist *todo, size_t *pos,
                          struct imap_seqset *chunk, struct pt_error *err)
{
	uint64_t bytes = 0;

	imap_seqset_clear(chunk);
	while (*pos < todo->n &&
	       imap_seqset_count(chunk) < SYNC_PREFETCH_CHUNK &&
	       bytes < SYNC_PREFETCH_BYTES) {
		uint32_t uid = todo->uids[(*pos)++];
		struct cache_msg msg;
		if (cache_msg_get(s->cache, mbox, uid, &msg, err) < 0) {
			if (err->code != PT_E_NOTFOUND)
				return -1;
			pt_error_clear(err);
			continue;
		}
		if (msg.size <= MIME_MAX_MESSAGE) {
			imap_seqset_add(chunk, uid);
			bytes += msg.size;
		}
		cache_msg_clear(&msg);
	}
	return 0;
}

/* Fetch the bodies of todo through m's selection; m's own FETCH hook,
 * if any, is put back afterwards. */
static int prefetch_run(struct sync *s, struct sync_mbox *m,
                        const struct cache_uidlist *todo, uint64_t *fetched_r,
                        struct pt_error *err)
{
	struct body_fetch bf = {.s = s};
	int (*hook)(struct sync_mbox *, const struct imap_fetch *, uint32_t,
	            struct pt_error *) = m->on_fetch;
	void *hook_arg = m->on_fetch_arg;
	struct imap_seqset chunk;
	size_t pos = 0;
	int ret = 0;

	imap_seqset_init(&bf.wanted);
	imap_seqset_init(&bf.got);
	imap_seqset_init(&chunk);
	m->on_fetch = body_on_fetch;
	m->on_fetch_arg = &bf;
	while (ret == 0 && pos < todo->n) {
		ret = prefetch_chunk(s, m->id, todo, &pos, &chunk, err);
		if (ret == 0 && !imap_seqset_empty(&chunk))
			ret = body_fetch_set(s, m, &bf, &chunk, err);
	}
	m->on_fetch = hook;
	m->on_fetch_arg = hook_arg;
	if (fetched_r != NULL)
		*fetched_r = imap_seqset_count(&bf.got);
	imap_seqset_clear(&chunk);
	imap_seqset_clear(&bf.wanted);
	imap_seqset_clear(&bf.got);
	return ret;
}

/* Cached messages of mbox dated within prefetch_days without a body. */
static int prefetch_todo(struct sync *s, int64_t mbox,
                         struct cache_uidlist *todo, struct pt_error *err)
{
	int64_t since =
	        (int64_t)time(NULL) - (int64_t)s->p.prefetch_days * 86400;

	return cache_body_missing(s->cache, mbox, "", since, SYNC_PREFETCH_MAX,
	                          todo, err);
}

int sync_prefetch_selected(struct sync *s, struct sync_mbox *m,
                           uint64_t *fetched_r, struct pt_error *err)
{
	struct cache_uidlist todo = {0};
	int ret;

	if (fetched_r != NULL)
		*fetched_r = 0;
	if (s->p.prefetch_days == 0 || m->discard)
		return 0;
	ret = prefetch_todo(s, m->id, &todo, err);
	if (ret == 0 && todo.n > 0)
		ret = prefetch_run(s, m, &todo, fetched_r, err);
	cache_uidlist_free(&todo);
	return ret;
}

int sync_prefetch_bodies(struct sync *s, const char *mailbox,
                         uint64_t *fetched_r, struct pt_error *err)
{
	struct cache_uidlist todo = {0};
	struct cache_mailbox mb;
	struct sync_mbox m;
	int ret;

	if (fetched_r != NULL)
		*fetched_r = 0;
	if (s->p.prefetch_days == 0)
		return 0;
	if (cache_mailbox_get(s->cache, mailbox, &mb, err) < 0)
		return -1;
	ret = prefetch_todo(s, mb.id, &todo, err);
	/* Nothing to fetch: no EXAMINE either. */
	if (ret == 0 && todo.n > 0 && !(mb.attrs & CACHE_MBOX_NOSELECT)) {
		ret = body_select(s, &mb, &m, err);
		if (ret == 0)
			ret = prefetch_run(s, &m, &todo, fetched_r, err);
		ret = body_leave(s, &m, ret, err);
	}
	cache_uidlist_free(&todo);
	cache_mailbox_clear(&mb);
	return ret;
}
