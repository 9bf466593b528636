/* mime-address.c: lenient RFC 5322 address list parsing for display. */
#include "mime/mime-address.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "mime/charset.h"
#include "mime/mime-2047.h"

enum mime_addr_tok {
	MIME_TOK_WORD,
	MIME_TOK_QUOTED,
	MIME_TOK_COMMENT,
	MIME_TOK_SPECIAL,
	MIME_TOK_END
};

struct mime_addr_lexer {
	const char *s;
	size_t len, pos;
	/* the current token */
	enum mime_addr_tok type;
	const char *start; /* raw span, quotes and parentheses included */
	size_t tlen;
	bool space_before;
};

/* What one mailbox (or group name) collects while it is parsed. */
struct mime_addr_acc {
	struct buf phrase;  /* display name, unquoted, raw bytes */
	struct buf bare;    /* tokens outside <>: a bare addr-spec */
	struct buf angle;   /* inside <> */
	struct buf comment; /* first comment */
	size_t words;
	bool seen_angle, in_angle, in_route, seen_at;
};

struct mime_addr_parser {
	struct mime_addr_lexer lx;
	struct mime_addr_acc acc;
	struct mime_address_list *list;
	bool in_group;
	size_t group_members;
	char *group_name;
};

static bool mime_addr_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool mime_addr_is_special(char c)
{
	return strchr("()<>,;:@\"", c) != NULL;
}

/* Skip a quoted string or (nested) comment; stops at the end if it is
 * unterminated. */
static void mime_addr_skip_delimited(struct mime_addr_lexer *lx, char open,
                                     char close)
{
	int depth = 0;

	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos++];

		if (c == '\\' && lx->pos < lx->len)
			lx->pos++;
		else if (c == open && open != close)
			depth++;
		else if (c == close && (open == close || --depth == 0))
			return;
		else if (c == open)
			depth++;
	}
}

static void mime_addr_next(struct mime_addr_lexer *lx)
{
	char c;

	lx->space_before = false;
	while (lx->pos < lx->len && mime_addr_is_space(lx->s[lx->pos])) {
		lx->pos++;
		lx->space_before = true;
	}
	lx->start = lx->s + lx->pos;
	if (lx->pos >= lx->len) {
		lx->type = MIME_TOK_END;
		lx->tlen = 0;
		return;
	}
	c = lx->s[lx->pos];
	if (c == '"') {
		lx->pos++;
		mime_addr_skip_delimited(lx, '"', '"');
		lx->type = MIME_TOK_QUOTED;
	} else if (c == '(') {
		mime_addr_skip_delimited(lx, '(', ')');
		lx->type = MIME_TOK_COMMENT;
	} else if (mime_addr_is_special(c)) {
		lx->pos++;
		lx->type = MIME_TOK_SPECIAL;
	} else {
		while (lx->pos < lx->len &&
		       !mime_addr_is_space(lx->s[lx->pos]) &&
		       !mime_addr_is_special(lx->s[lx->pos]))
			lx->pos++;
		lx->type = MIME_TOK_WORD;
	}
	lx->tlen = (size_t)(lx->s + lx->pos - lx->start);
}

/* Append the contents of a quoted string or comment, without the
 * delimiters and with quoted-pairs resolved. */
static void mime_addr_unquote(const char *s, size_t len, struct buf *out)
{
	size_t i, end = len;

	if (end > 0 && (s[end - 1] == '"' || s[end - 1] == ')') && end > 1)
		end--;
	for (i = 1; i < end; i++) {
		if (s[i] == '\\' && i + 1 < end)
			i++;
		buf_addch(out, s[i]);
	}
}

static void mime_addr_acc_reset(struct mime_addr_acc *a)
{
	buf_reset(&a->phrase);
	buf_reset(&a->bare);
	buf_reset(&a->angle);
	buf_reset(&a->comment);
	a->words = 0;
	a->seen_angle = a->in_angle = a->in_route = a->seen_at = false;
}

static void mime_addr_acc_free(struct mime_addr_acc *a)
{
	buf_free(&a->phrase);
	buf_free(&a->bare);
	buf_free(&a->angle);
	buf_free(&a->comment);
}

static char *mime_addr_decode_name(const struct buf *raw)
{
	struct buf b = BUF_INIT;

	mime_2047_decode(raw->data, raw->len, &b);
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static char *mime_addr_decode_addr(const struct buf *raw)
{
	struct buf b = BUF_INIT;

	charset_raw_to_utf8(raw->data, raw->len, &b);
	return buf_detach(&b);
}

static void mime_addr_push(struct mime_address_list *list, char *name,
                           char *addr, bool group)
{
	struct mime_address *a;

	if (list->count >= MIME_MAX_ADDRESSES) {
		free(name);
		free(addr);
		return;
	}
	/* capacity: the next power of two, so growth stays linear */
	if ((list->count & (list->count - 1)) == 0)
		list->v = xreallocarray(
		        list->v, list->count ? list->count * 2 : 1, sizeof(*a));
	a = &list->v[list->count++];
	a->name = name;
	a->addr = addr;
	a->group = group;
}

/* End of one mailbox: decide what the collected tokens were. */
static void mime_addr_finish(struct mime_addr_parser *p)
{
	struct mime_addr_acc *a = &p->acc;
	char *name = NULL, *addr = NULL;

	if (a->seen_angle) {
		name = mime_addr_decode_name(&a->phrase);
		addr = mime_addr_decode_addr(&a->angle);
	} else if (a->seen_at || (a->words == 1 && a->bare.len > 0)) {
		addr = mime_addr_decode_addr(&a->bare);
		if (a->comment.len > 0)
			name = mime_addr_decode_name(&a->comment);
	} else if (a->phrase.len > 0) {
		name = mime_addr_decode_name(&a->phrase);
		if (name != NULL)
			addr = xstrdup("");
	}
	if (addr != NULL) {
		mime_addr_push(p->list, name, addr, false);
		p->group_members++;
	} else {
		free(name);
	}
	mime_addr_acc_reset(a);
}

static void mime_addr_group_end(struct mime_addr_parser *p)
{
	mime_addr_finish(p);
	if (p->in_group && p->group_members == 0 && p->group_name != NULL) {
		mime_addr_push(p->list, p->group_name, xstrdup(""), true);
		p->group_name = NULL;
	}
	free(p->group_name);
	p->group_name = NULL;
	p->in_group = false;
}

static void mime_addr_word(struct mime_addr_parser *p)
{
	struct mime_addr_lexer *lx = &p->lx;
	struct mime_addr_acc *a = &p->acc;

	if (a->in_route)
		return;
	if (a->in_angle) {
		buf_add(&a->angle, lx->start, lx->tlen);
		return;
	}
	if (lx->space_before && a->phrase.len > 0)
		buf_addch(&a->phrase, ' ');
	if (lx->type == MIME_TOK_QUOTED)
		mime_addr_unquote(lx->start, lx->tlen, &a->phrase);
	else
		buf_add(&a->phrase, lx->start, lx->tlen);
	buf_add(&a->bare, lx->start, lx->tlen);
	a->words++;
}

static void mime_addr_special(struct mime_addr_parser *p, char c)
{
	struct mime_addr_acc *a = &p->acc;

	if (c == '<') {
		a->seen_angle = a->in_angle = true;
		buf_reset(&a->angle);
	} else if (c == '>') {
		a->in_angle = a->in_route = false;
	} else if (c == '@' && a->in_angle) {
		/* "<@route,@route:addr>": an obsolete route (4.4) */
		if (a->angle.len == 0)
			a->in_route = true;
		else if (!a->in_route)
			buf_addch(&a->angle, '@');
	} else if (c == '@') {
		buf_addch(&a->bare, '@');
		a->seen_at = true;
	} else if (c == ':' && a->in_angle) {
		a->in_route = false;
		buf_reset(&a->angle);
	} else if (c == ':' && !p->in_group) {
		p->in_group = true;
		p->group_members = 0;
		free(p->group_name);
		p->group_name = mime_addr_decode_name(&a->phrase);
		mime_addr_acc_reset(a);
	} else if (c == ';' && p->in_group) {
		mime_addr_group_end(p);
	} else if (c == ',' && !a->in_angle) {
		mime_addr_finish(p);
	}
}

void mime_address_parse(const char *value, size_t len,
                        struct mime_address_list *list)
{
	struct mime_addr_parser p;

	memset(&p, 0, sizeof(p));
	p.lx.s = value;
	p.lx.len = len;
	p.list = list;
	for (mime_addr_next(&p.lx); p.lx.type != MIME_TOK_END;
	     mime_addr_next(&p.lx)) {
		if (p.lx.type == MIME_TOK_WORD || p.lx.type == MIME_TOK_QUOTED)
			mime_addr_word(&p);
		else if (p.lx.type == MIME_TOK_SPECIAL)
			mime_addr_special(&p, *p.lx.start);
		else if (p.acc.comment.len == 0)
			mime_addr_unquote(p.lx.start, p.lx.tlen,
			                  &p.acc.comment);
	}
	if (p.in_group)
		mime_addr_group_end(&p);
	else
		mime_addr_finish(&p);
	free(p.group_name);
	mime_addr_acc_free(&p.acc);
}

void mime_address_list_free(struct mime_address_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free(list->v[i].name);
		free(list->v[i].addr);
	}
	free(list->v);
	list->v = NULL;
	list->count = 0;
}

void mime_address_format(const struct mime_address *a, struct buf *out)
{
	if (a->group) {
		buf_printf(out, "%s:;", a->name != NULL ? a->name : "");
	} else if (a->name != NULL && a->addr[0] != '\0') {
		buf_printf(out, "%s <%s>", a->name, a->addr);
	} else if (a->name != NULL) {
		buf_addstr(out, a->name);
	} else {
		buf_addstr(out, a->addr);
	}
}

void mime_address_list_format(const struct mime_address_list *list,
                              struct buf *out)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		if (i > 0)
			buf_addstr(out, ", ");
		mime_address_format(&list->v[i], out);
	}
}
