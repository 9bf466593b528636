/* sync-batch.c: collecting server changes and writing them in one
 * transaction. Also turns ENVELOPE data into the cache's decoded fields. */
#include "sync/sync-batch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "mime/mime-2047.h"
#include "mime/mime-date.h"

void sync_batch_init(struct sync_batch *b)
{
	memset(b, 0, sizeof *b);
	imap_seqset_init(&b->gone);
	imap_seqset_init(&b->seen);
}

static void batch_empty(struct sync_batch *b)
{
	for (size_t i = 0; i < b->nupd; i++)
		free(b->upd[i].flags);
	for (size_t i = 0; i < b->nmsgs; i++)
		cache_msg_clear(&b->msgs[i]);
	b->nupd = 0;
	b->nmsgs = 0;
	imap_seqset_clear(&b->gone);
}

void sync_batch_clear(struct sync_batch *b)
{
	batch_empty(b);
	free(b->upd);
	free(b->msgs);
	imap_seqset_clear(&b->seen);
	sync_batch_init(b);
}

size_t sync_batch_size(const struct sync_batch *b)
{
	return b->nupd + b->nmsgs + imap_seqset_nranges(&b->gone);
}

char *sync_flags_join(const struct imap_strlist *flags)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < flags->n; i++) {
		/* \Recent is session state, never shown (INTERFACE.md). */
		if (strcasecmp(flags->v[i], "\\Recent") == 0)
			continue;
		if (out.len > 0)
			buf_addch(&out, ' ');
		buf_addstr(&out, flags->v[i]);
	}
	return buf_detach(&out);
}

static void write_string(const char *s, size_t len, struct buf *out)
{
	buf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '"' || ch == '\\')
			buf_addch(out, '\\');
		/* CR/LF cannot be quoted; a BODYSTRUCTURE string holding
		 * them is only informational. */
		buf_addch(out, (ch == '\r' || ch == '\n') ? ' ' : ch);
	}
	buf_addch(out, '"');
}

void sync_arg_write(const struct imap_arg *a, struct buf *out)
{
	switch (a->type) {
	case IMAP_ARG_NIL:
		buf_addstr(out, "NIL");
		break;
	case IMAP_ARG_ATOM:
		buf_add(out, a->v.str, a->len);
		break;
	case IMAP_ARG_STRING:
	case IMAP_ARG_LITERAL:
		write_string(a->v.str, a->len, out);
		break;
	case IMAP_ARG_LIST:
		buf_addch(out, '(');
		for (size_t i = 0; i < a->len; i++) {
			if (i > 0)
				buf_addch(out, ' ');
			sync_arg_write(&a->v.list[i], out);
		}
		buf_addch(out, ')');
		break;
	}
}

/* Decoded, one-line, terminal-safe text of a raw header value. */
static char *decode_text(const char *raw)
{
	char *dec, *clean;

	if (raw == NULL)
		return NULL;
	dec = mime_2047_decode_str(raw);
	clean = text_sanitize_str(dec, TEXT_ONELINE);
	free(dec);
	return clean;
}

static void format_address(const struct imap_address *a, struct buf *out)
{
	char *name = decode_text(a->name);
	struct buf addr = BUF_INIT;

	if (a->mailbox != NULL)
		buf_addstr(&addr, a->mailbox);
	if (a->host != NULL) {
		buf_addch(&addr, '@');
		buf_addstr(&addr, a->host);
	}
	{
		char *clean = text_sanitize_str(buf_str(&addr), TEXT_ONELINE);
		if (name != NULL && *name != '\0')
			buf_printf(out, "%s <%s>", name, clean);
		else
			buf_addstr(out, clean);
		free(clean);
	}
	free(name);
	buf_free(&addr);
}

/* "Name <addr>" of the first address, or NULL. Group markers (NULL host)
 * are skipped (RFC 3501 §7.4.2). */
static char *format_first(const struct imap_addrlist *l)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].host == NULL)
			continue;
		format_address(&l->v[i], &out);
		return buf_detach(&out);
	}
	return NULL;
}

static char *format_all(const struct imap_addrlist *l)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].host == NULL)
			continue;
		if (out.len > 0)
			buf_addstr(&out, ", ");
		format_address(&l->v[i], &out);
	}
	if (out.len == 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

/* The References header from BODY[HEADER.FIELDS (REFERENCES)]. */
static char *references_of(const struct imap_fetch *f)
{
	for (size_t i = 0; i < f->nsections; i++) {
		const struct imap_section *sec = &f->sections[i];
		const char *colon;
		if (sec->nil || sec->data == NULL)
			continue;
		if (strncasecmp(sec->section, "HEADER.FIELDS", 13) != 0)
			continue;
		colon = memchr(sec->data, ':', sec->len);
		if (colon == NULL)
			return NULL;
		{
			char *raw = xstrndup(
			        colon + 1,
			        sec->len - (size_t)(colon + 1 - sec->data));
			char *clean = text_sanitize_str(raw, TEXT_ONELINE);
			free(raw);
			if (*clean == '\0') {
				free(clean);
				return NULL;
			}
			return clean;
		}
	}
	return NULL;
}

static char *dup_clean(const char *s)
{
	return s != NULL ? text_sanitize_str(s, TEXT_ONELINE) : NULL;
}

static void batch_new_message(struct sync_batch *b, const struct imap_fetch *f,
                              uint32_t uid, bool use_modseq)
{
	struct cache_msg *m;
	const struct imap_envelope *env = f->envelope;
	time_t t;

	if (b->nmsgs == b->capmsgs) {
		b->capmsgs = b->capmsgs ? b->capmsgs * 2 : 64;
		b->msgs = xreallocarray(b->msgs, b->capmsgs, sizeof *b->msgs);
	}
	m = &b->msgs[b->nmsgs++];
	memset(m, 0, sizeof *m);
	m->uid = uid;
	if (use_modseq && (f->present & IMAP_FETCH_MODSEQ) &&
	    f->modseq_status == IMAP_MODSEQ_OK) {
		m->has_modseq = true;
		m->modseq = f->modseq;
	}
	m->flags = (f->present & IMAP_FETCH_FLAGS) ? sync_flags_join(&f->flags)
	                                           : xstrdup("");
	m->internaldate = (f->present & IMAP_FETCH_INTERNALDATE)
	                          ? (int64_t)f->internaldate
	                          : 0;
	m->size = (f->present & IMAP_FETCH_SIZE) ? f->size : 0;
	if (env->date != NULL &&
	    mime_date_parse(env->date, strlen(env->date), &t) == 0) {
		m->has_date = true;
		m->date = (int64_t)t;
	}
	m->from = format_first(&env->from);
	m->to = format_all(&env->to);
	m->cc = format_all(&env->cc);
	m->subject = decode_text(env->subject);
	m->message_id = dup_clean(env->message_id);
	m->in_reply_to = dup_clean(env->in_reply_to);
	m->references = references_of(f);
	if (f->bodystructure != NULL) {
		struct buf bs = BUF_INIT;
		sync_arg_write(f->bodystructure, &bs);
		m->bodystructure = buf_detach(&bs);
	}
}

void sync_batch_fetch(struct sync_batch *b, const struct imap_fetch *f,
                      uint32_t uid, bool use_modseq)
{
	struct sync_flagupd *u;
	bool modseq_ok = use_modseq && (f->present & IMAP_FETCH_MODSEQ) &&
	                 f->modseq_status == IMAP_MODSEQ_OK;

	if (uid == 0)
		return;
	if (b->track_seen)
		imap_seqset_add(&b->seen, uid);
	if ((f->present & IMAP_FETCH_ENVELOPE) && f->envelope != NULL) {
		batch_new_message(b, f, uid, use_modseq);
		return;
	}
	if (!(f->present & IMAP_FETCH_FLAGS) && !modseq_ok)
		return; /* a body or UID-only FETCH */
	if (b->nupd == b->capupd) {
		b->capupd = b->capupd ? b->capupd * 2 : 64;
		b->upd = xreallocarray(b->upd, b->capupd, sizeof *b->upd);
	}
	u = &b->upd[b->nupd++];
	u->uid = uid;
	u->flags = (f->present & IMAP_FETCH_FLAGS) ? sync_flags_join(&f->flags)
	                                           : NULL;
	u->has_modseq = modseq_ok;
	u->modseq = modseq_ok ? f->modseq : 0;
}

int sync_batch_apply(struct sync_batch *b, struct cache *cache, int64_t mbox,
                     uint64_t *new_r, uint64_t *upd_r, uint64_t *gone_r,
                     struct pt_error *err)
{
	size_t nr = imap_seqset_nranges(&b->gone);
	uint64_t gone = 0;

	for (size_t i = 0; i < b->nmsgs; i++)
		if (cache_msg_put(cache, mbox, &b->msgs[i], err) < 0)
			return -1;
	for (size_t i = 0; i < b->nupd; i++) {
		const struct sync_flagupd *u = &b->upd[i];
		if (cache_msg_set_flags(cache, mbox, u->uid, u->flags,
		                        u->has_modseq ? &u->modseq : NULL, NULL,
		                        err) < 0)
			return -1;
	}
	if (nr > 0) {
		struct cache_uid_range *r = xcalloc(nr, sizeof *r);
		for (size_t i = 0; i < nr; i++) {
			r[i].lo = imap_seqset_get(&b->gone, i)->lo;
			r[i].hi = imap_seqset_get(&b->gone, i)->hi;
		}
		int ret =
		        cache_msg_delete_ranges(cache, mbox, r, nr, &gone, err);
		free(r);
		if (ret < 0)
			return -1;
	}
	*new_r += b->nmsgs;
	*upd_r += b->nupd;
	*gone_r += gone;
	batch_empty(b);
	return 0;
}
