/* mime-render.c: choosing and rendering the text of a message. */
#include "mime/mime-render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/xmalloc.h"
#include "mime/mime-2047.h"
#include "mime/mime-address.h"
#include "mime/mime-date.h"
#include "mime/mime-header.h"
#include "mime/mime-html.h"

struct mime_walk {
	const struct mime_render_opts *opts;
	struct buf text;         /* body text, not yet sanitized */
	struct mime_rendered *r; /* NULL when collecting index text */
};

static void mime_render_walk(struct mime_walk *w, const struct mime_part *p);

static bool mime_render_is_attachment(const struct mime_part *p)
{
	return p->disposition != NULL &&
	       strcmp(p->disposition, "attachment") == 0;
}

static bool mime_render_is_body(const struct mime_walk *w,
                                const struct mime_part *p)
{
	if (!mime_part_is(p, "text", "plain") &&
	    !mime_part_is(p, "text", "html"))
		return false;
	if (mime_render_is_attachment(p))
		return false;
	/* a named text part after the body is an attached file, unless it
	 * explicitly asks to be shown inline */
	return mime_part_filename(p) == NULL || w->text.len == 0 ||
	       (p->disposition != NULL &&
	        strcmp(p->disposition, "inline") == 0);
}

static void mime_render_html(struct mime_walk *w, const struct buf *html,
                             struct buf *out)
{
	if (w->opts != NULL && w->opts->html_to_text != NULL &&
	    w->opts->html_to_text(buf_str(html), html->len, out,
	                          w->opts->html_arg) == 0)
		return;
	buf_reset(out);
	mime_html_to_text(buf_str(html), html->len, out);
}

static void mime_render_add_text(struct mime_walk *w, const struct mime_part *p)
{
	struct buf t = BUF_INIT, html = BUF_INIT;

	if (mime_part_is(p, "text", "html")) {
		mime_part_text(p, &html);
		mime_render_html(w, &html, &t);
		buf_free(&html);
	} else {
		mime_part_text(p, &t);
	}
	if (t.len == 0) {
		buf_free(&t);
		return;
	}
	/* several text parts are separated by a blank line */
	if (w->text.len > 0) {
		if (w->text.data[w->text.len - 1] != '\n')
			buf_addch(&w->text, '\n');
		buf_addch(&w->text, '\n');
	}
	buf_add(&w->text, t.data, t.len);
	buf_free(&t);
}

static void mime_render_add_attachment(struct mime_walk *w,
                                       const struct mime_part *p)
{
	struct mime_rendered *r = w->r;
	struct mime_attachment *a;
	const char *fn = mime_part_filename(p);
	struct buf b = BUF_INIT;

	if (r == NULL)
		return;
	/* capacity: the next power of two, so growth stays linear */
	if ((r->nattachments & (r->nattachments - 1)) == 0)
		r->attachments = xreallocarray(
		        r->attachments,
		        r->nattachments ? r->nattachments * 2 : 1, sizeof(*a));
	a = &r->attachments[r->nattachments++];
	a->part = p;
	a->number = (unsigned)r->nattachments;
	if (fn != NULL)
		text_sanitize(fn, strlen(fn), &b, TEXT_ONELINE);
	if (b.len == 0)
		buf_printf(&b, "part-%u", a->number);
	a->name = buf_detach(&b);
	buf_printf(&b, "%s/%s", p->type, p->subtype);
	a->type = text_sanitize_str(b.data, TEXT_ONELINE);
	buf_reset(&b);
	mime_part_decode(p, &b);
	a->size = b.len;
	buf_free(&b);
}

static bool mime_render_has_plain(const struct mime_part *p)
{
	const struct mime_part *c;

	if (mime_part_is(p, "text", "plain"))
		return !mime_render_is_attachment(p);
	if (strcmp(p->type, "multipart") != 0)
		return false;
	for (c = p->children; c != NULL; c = c->next)
		if (mime_render_has_plain(c))
			return true;
	return false;
}

/* multipart/alternative (RFC 2046 5.1.4): plain text first, then a
 * structure holding plain text, then HTML, else the last (richest). */
static const struct mime_part *
mime_render_alternative(const struct mime_part *p)
{
	const struct mime_part *c, *html = NULL, *last = NULL;

	for (c = p->children; c != NULL; c = c->next)
		if (mime_part_is(c, "text", "plain") &&
		    !mime_render_is_attachment(c))
			return c;
	for (c = p->children; c != NULL; c = c->next) {
		if (strcmp(c->type, "multipart") == 0 &&
		    mime_render_has_plain(c))
			return c;
		if (html == NULL && mime_part_is(c, "text", "html"))
			html = c;
		last = c;
	}
	return html != NULL ? html : last;
}

static void mime_render_multipart(struct mime_walk *w,
                                  const struct mime_part *p)
{
	const struct mime_part *c;

	if (strcmp(p->subtype, "alternative") == 0) {
		c = mime_render_alternative(p);
		if (c != NULL)
			mime_render_walk(w, c);
		return;
	}
	for (c = p->children; c != NULL; c = c->next) {
		/* multipart/related (RFC 2387): the first part is the
		 * document; the rest are resources it uses */
		if (strcmp(p->subtype, "related") == 0 && c != p->children &&
		    strcmp(c->type, "multipart") != 0)
			mime_render_add_attachment(w, c);
		else
			mime_render_walk(w, c);
	}
}

static void mime_render_walk(struct mime_walk *w, const struct mime_part *p)
{
	if (strcmp(p->type, "multipart") == 0)
		mime_render_multipart(w, p);
	else if (p->children != NULL && w->r == NULL)
		mime_render_walk(w, p->children); /* message/rfc822 */
	else if (p->children == NULL && mime_render_is_body(w, p))
		mime_render_add_text(w, p);
	else
		mime_render_add_attachment(w, p);
}

/* Sanitize body text; drop leading blank lines and trailing white space,
 * end with LF. */
static char *mime_render_finish_body(const struct buf *text)
{
	struct buf b = BUF_INIT;
	size_t skip = 0;

	text_sanitize(buf_str(text), text->len, &b, 0);
	while (b.len > 0 && strchr(" \t\n", b.data[b.len - 1]) != NULL)
		b.len--;
	while (skip < b.len && b.data[skip] == '\n')
		skip++;
	buf_consume(&b, skip);
	if (b.len > 0)
		buf_addch(&b, '\n');
	return buf_detach(&b);
}

void mime_render_subject(const char *value, size_t len, struct buf *out)
{
	struct buf raw = BUF_INIT, dec = BUF_INIT;

	mime_header_unfold(value, len, &raw);
	mime_2047_decode(buf_str(&raw), raw.len, &dec);
	text_sanitize(buf_str(&dec), dec.len, out, TEXT_ONELINE);
	buf_free(&raw);
	buf_free(&dec);
}

static void mime_render_addr(const char *value, size_t len, bool first_only,
                             struct buf *out)
{
	struct mime_address_list list = {NULL, 0};
	struct buf raw = BUF_INIT, f = BUF_INIT;
	size_t start = out->len;

	mime_header_unfold(value, len, &raw);
	mime_address_parse(buf_str(&raw), raw.len, &list);
	if (first_only && list.count > 0)
		mime_address_format(&list.v[0], &f);
	else
		mime_address_list_format(&list, &f);
	text_sanitize(buf_str(&f), f.len, out, TEXT_ONELINE);
	/* nothing recognizable: show the decoded text as it is */
	if (out->len == start)
		mime_render_subject(buf_str(&raw), raw.len, out);
	mime_address_list_free(&list);
	buf_free(&raw);
	buf_free(&f);
}

void mime_render_from(const char *value, size_t len, struct buf *out)
{
	mime_render_addr(value, len, true, out);
}

void mime_render_addresses(const char *value, size_t len, struct buf *out)
{
	mime_render_addr(value, len, false, out);
}

static char *mime_render_header(const struct mime_headers *h, const char *name,
                                void (*fn)(const char *, size_t, struct buf *))
{
	const struct mime_header_field *f = mime_headers_find(h, name);
	struct buf b = BUF_INIT;

	if (f != NULL)
		fn(f->value, f->value_len, &b);
	return buf_detach(&b);
}

static void mime_render_date(struct mime_rendered *r,
                             const struct mime_headers *h)
{
	struct buf v = BUF_INIT;
	char s[MIME_DATE_LEN];

	if (mime_headers_get(h, "Date", &v) &&
	    mime_date_parse(buf_str(&v), v.len, &r->date_t) == 0) {
		mime_date_format(r->date_t, s);
		r->date = xstrdup(s);
	}
	r->date_raw = text_sanitize_str(buf_str(&v), TEXT_ONELINE);
	buf_free(&v);
}

int mime_render_with(const char *raw, size_t len,
                     const struct mime_render_opts *opts,
                     struct mime_rendered *out, struct pt_error *err)
{
	struct mime_walk w = {opts, BUF_INIT, out};
	const struct mime_headers *h;

	memset(out, 0, sizeof(*out));
	if (mime_parse(raw, len, &out->msg, err) < 0)
		return -1;
	h = &out->msg->root->headers;
	mime_render_date(out, h);
	out->from = mime_render_header(h, "From", mime_render_addresses);
	out->to = mime_render_header(h, "To", mime_render_addresses);
	out->cc = mime_render_header(h, "Cc", mime_render_addresses);
	out->subject = mime_render_header(h, "Subject", mime_render_subject);
	mime_render_walk(&w, out->msg->root);
	out->body = mime_render_finish_body(&w.text);
	buf_free(&w.text);
	return 0;
}

int mime_render(const char *raw, size_t len, struct mime_rendered *out,
                struct pt_error *err)
{
	return mime_render_with(raw, len, NULL, out, err);
}

void mime_rendered_format(const struct mime_rendered *r, struct buf *out)
{
	size_t i;
	const struct mime_attachment *a;

	buf_printf(out, "Date: %s\n", r->date != NULL ? r->date : r->date_raw);
	buf_printf(out, "From: %s\n", r->from);
	buf_printf(out, "To: %s\n", r->to);
	if (r->cc[0] != '\0')
		buf_printf(out, "Cc: %s\n", r->cc);
	buf_printf(out, "Subject: %s\n\n", r->subject);
	buf_addstr(out, r->body);
	if (r->body[0] != '\0' && r->nattachments > 0)
		buf_addch(out, '\n');
	for (i = 0; i < r->nattachments; i++) {
		a = &r->attachments[i];
		buf_printf(out, "[%u] %s (%s, %zu byte%s)\n", a->number,
		           a->name, a->type, a->size, a->size == 1 ? "" : "s");
	}
}

void mime_rendered_free(struct mime_rendered *r)
{
	size_t i;

	for (i = 0; i < r->nattachments; i++) {
		free(r->attachments[i].name);
		free(r->attachments[i].type);
	}
	free(r->attachments);
	free(r->date);
	free(r->date_raw);
	free(r->from);
	free(r->to);
	free(r->cc);
	free(r->subject);
	free(r->body);
	mime_message_free(&r->msg);
	memset(r, 0, sizeof(*r));
}

int mime_text_for_index(const char *raw, size_t len, struct buf *out,
                        struct pt_error *err)
{
	struct mime_walk w = {NULL, BUF_INIT, NULL};
	struct mime_message *msg;
	char *body;

	if (mime_parse(raw, len, &msg, err) < 0)
		return -1;
	mime_render_walk(&w, msg->root);
	body = mime_render_finish_body(&w.text);
	buf_addstr(out, body);
	free(body);
	buf_free(&w.text);
	mime_message_free(&msg);
	return 0;
}
