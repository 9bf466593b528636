/* imap-arg.c: tokenizer for IMAP responses (RFC 3501 §9, RFC 9051 §9,
 * RFC 7888 literals, RFC 3516 literal8). */
#include "imap/imap-arg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

#define IMAP_EXCERPT_BEFORE 40
#define IMAP_EXCERPT_AFTER 24

/* Append s[0..len) to out (size outsz) with non-printable bytes escaped. */
static void imap_arg_sanitize(char *out, size_t outsz, const char *s,
                              size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

int imap_reader_fail(struct imap_reader *r, const char *what)
{
	const char *from = r->p, *to = r->p;
	char ex[4 * (IMAP_EXCERPT_BEFORE + IMAP_EXCERPT_AFTER) + 8];

	if (from > r->end)
		from = to = r->end;
	from = (size_t)(from - r->start) > IMAP_EXCERPT_BEFORE
	               ? from - IMAP_EXCERPT_BEFORE
	               : r->start;
	to = (size_t)(r->end - to) > IMAP_EXCERPT_AFTER
	             ? to + IMAP_EXCERPT_AFTER
	             : r->end;
	imap_arg_sanitize(ex, sizeof(ex), from, (size_t)(to - from));
	return pt_error_set(r->err, PT_E_PROTO,
	                    _("malformed IMAP response: %s at byte %zu "
	                      "near \"%s%s%s\""),
	                    what, (size_t)(r->p - r->start),
	                    from > r->start ? "..." : "", ex,
	                    to < r->end ? "..." : "");
}

int imap_reader_fail_line(struct imap_reader *r, const char *what)
{
	r->p = r->start;
	return imap_reader_fail(r, what);
}

bool imap_reader_eol(const struct imap_reader *r)
{
	return r->p >= r->end;
}

bool imap_reader_sp(struct imap_reader *r)
{
	const char *p = r->p;

	while (r->p < r->end && *r->p == ' ')
		r->p++;
	return r->p != p;
}

int imap_reader_need_sp(struct imap_reader *r)
{
	if (!imap_reader_sp(r))
		return imap_reader_fail(r, _("space expected"));
	return 0;
}

static bool imap_arg_atom_char(const struct imap_reader *r, unsigned char c)
{
	if (c <= 0x20 || c == 0x7f)
		return false;
	switch (c) {
	case '(':
	case ')':
	case '{':
	case '"':
		return false;
	case ']':
		return !r->in_code;
	default:
		return true;
	}
}

int imap_reader_atom(struct imap_reader *r, const char **s_r, size_t *len_r)
{
	const char *p = r->p;

	while (p < r->end) {
		if (*p == '[' && !r->in_code) {
			/* BODY[HEADER.FIELDS (A B)]<0>: the section may hold
			 * spaces and parentheses; it ends at the first ']'. */
			const char *q = memchr(p, ']', (size_t)(r->end - p));

			if (q == NULL || memchr(p, '\n', (size_t)(q - p)))
				break;
			p = q + 1;
			continue;
		}
		if (!imap_arg_atom_char(r, (unsigned char)*p))
			break;
		p++;
	}
	if (p == r->p)
		return imap_reader_fail(r, _("atom expected"));
	*s_r = r->p;
	*len_r = (size_t)(p - r->p);
	r->p = p;
	return 0;
}

static int imap_reader_quoted(struct imap_reader *r, struct imap_arg *arg)
{
	const char *p = r->p + 1, *q;
	size_t n = 0;
	char *out;

	for (q = p; q < r->end && *q != '"'; q++, n++) {
		if (*q == '\\' && q + 1 < r->end)
			q++;
		if (*q == '\r' || *q == '\n')
			break;
	}
	if (q >= r->end || *q != '"')
		return imap_reader_fail(r, _("unterminated quoted string"));
	out = imap_arena_alloc(r->arena, n + 1);
	arg->type = IMAP_ARG_STRING;
	arg->len = n;
	arg->v.str = out;
	/* RFC 3501 quoted-specials are \" and \\; any other escaped byte is
	 * kept as it is (lenient towards sloppy servers). */
	for (n = 0; p < q; p++) {
		if (*p == '\\')
			p++;
		out[n++] = *p;
	}
	out[n] = '\0';
	r->p = q + 1;
	return 0;
}

static int imap_reader_literal(struct imap_reader *r, struct imap_arg *arg)
{
	const char *p = r->p;
	uint64_t n;
	const char *digits;

	arg->binary = *p == '~';
	if (arg->binary)
		p++;
	digits = ++p;
	while (p < r->end && *p >= '0' && *p <= '9')
		p++;
	if (imap_number_parse(digits, (size_t)(p - digits), IMAP_NUMBER_MAX,
	                      &n) < 0)
		return imap_reader_fail(r, _("bad literal length"));
	if (p < r->end && *p == '+')
		p++; /* RFC 7888 non-synchronizing form, tolerated */
	if (p >= r->end || *p != '}')
		return imap_reader_fail(r, _("bad literal marker"));
	p++;
	if (p < r->end && *p == '\r')
		p++;
	if (p >= r->end || *p != '\n')
		return imap_reader_fail(r, _("literal marker not at end of "
		                             "line"));
	p++;
	if (n > (uint64_t)(r->end - p))
		return imap_reader_fail(r, _("truncated literal"));
	arg->type = IMAP_ARG_LITERAL;
	arg->len = (size_t)n;
	arg->v.str = imap_arena_strndup(r->arena, p, (size_t)n);
	r->p = p + n;
	return 0;
}

static void imap_arg_push(struct imap_arg_stack *st, const struct imap_arg *a)
{
	if (st->n == st->cap) {
		st->cap = st->cap > 0 ? st->cap * 2 : 64;
		st->v = xreallocarray(st->v, st->cap, sizeof(*st->v));
	}
	st->v[st->n++] = *a;
}

/* Read arguments until closer (')') or, with closer 0, the end. */
static int imap_reader_seq(struct imap_reader *r, char closer,
                           struct imap_arg *list_r)
{
	struct imap_arg_stack *st = r->stack;
	size_t base = st->n;
	struct imap_arg a, *v;

	for (;;) {
		bool sp = imap_reader_sp(r);

		if (closer != 0 && r->p < r->end && *r->p == closer)
			break;
		if (closer == 0 && r->p < r->end && *r->p == ')') {
			st->n = base;
			return imap_reader_fail(r, _("unbalanced parentheses "
			                             "(unexpected ')')"));
		}
		if (r->p >= r->end) {
			if (closer == 0)
				break;
			st->n = base;
			return imap_reader_fail(r, _("unbalanced parentheses "
			                             "(')' expected)"));
		}
		/* Lists follow each other without SP in address lists
		 * and multipart bodies (RFC 3501 §9 "1*address",
		 * "1*body"). */
		if (!sp && st->n > base && *r->p != '(' &&
		    st->v[st->n - 1].type != IMAP_ARG_LIST) {
			st->n = base;
			return imap_reader_fail(r, _("space expected"));
		}
		if (imap_reader_arg(r, &a) < 0) {
			st->n = base;
			return -1;
		}
		imap_arg_push(st, &a);
	}
	if (closer != 0)
		r->p++;
	v = imap_arena_alloc(r->arena, (st->n - base) * sizeof(*v));
	if (st->n > base)
		memcpy(v, st->v + base, (st->n - base) * sizeof(*v));
	list_r->type = IMAP_ARG_LIST;
	list_r->binary = false;
	list_r->len = st->n - base;
	list_r->v.list = v;
	st->n = base;
	return 0;
}

static int imap_reader_list(struct imap_reader *r, struct imap_arg *arg)
{
	int ret;

	if (r->depth >= r->max_depth)
		return imap_reader_fail(r, _("parentheses nested too deeply"));
	r->p++;
	r->depth++;
	ret = imap_reader_seq(r, ')', arg);
	r->depth--;
	return ret;
}

int imap_reader_arg(struct imap_reader *r, struct imap_arg *arg)
{
	const char *s;
	size_t len;

	memset(arg, 0, sizeof(*arg));
	if (r->p >= r->end)
		return imap_reader_fail(r, _("unexpected end of line"));
	switch (*r->p) {
	case '(':
		return imap_reader_list(r, arg);
	case ')':
		return imap_reader_fail(r, _("unbalanced parentheses "
		                             "(unexpected ')')"));
	case '"':
		return imap_reader_quoted(r, arg);
	case '{':
		return imap_reader_literal(r, arg);
	case '~':
		if (r->p + 1 < r->end && r->p[1] == '{')
			return imap_reader_literal(r, arg);
		break;
	default:
		break;
	}
	if (imap_reader_atom(r, &s, &len) < 0)
		return -1;
	if (len == 3 && strncasecmp(s, "NIL", 3) == 0) {
		arg->type = IMAP_ARG_NIL;
		arg->v.str = "NIL";
		arg->len = 3;
		return 0;
	}
	arg->type = IMAP_ARG_ATOM;
	arg->len = len;
	arg->v.str = imap_arena_strndup(r->arena, s, len);
	return 0;
}

int imap_reader_rest(struct imap_reader *r, struct imap_arg *list_r)
{
	return imap_reader_seq(r, 0, list_r);
}

const char *imap_reader_text(struct imap_reader *r)
{
	const char *s =
	        imap_arena_strndup(r->arena, r->p, (size_t)(r->end - r->p));

	r->p = r->end;
	return s;
}

/* ------------------------------------------------------------- helpers */

bool imap_arg_is_atom(const struct imap_arg *arg, const char *name)
{
	return arg->type == IMAP_ARG_ATOM && strcasecmp(arg->v.str, name) == 0;
}

bool imap_arg_is_nil(const struct imap_arg *arg)
{
	return arg->type == IMAP_ARG_NIL;
}

bool imap_arg_is_list(const struct imap_arg *arg)
{
	return arg->type == IMAP_ARG_LIST;
}

bool imap_arg_is_string(const struct imap_arg *arg)
{
	return arg->type == IMAP_ARG_ATOM || arg->type == IMAP_ARG_STRING ||
	       arg->type == IMAP_ARG_LITERAL;
}

const char *imap_arg_atom(const struct imap_arg *arg)
{
	return arg->type == IMAP_ARG_ATOM ? arg->v.str : NULL;
}

const char *imap_arg_nstring(const struct imap_arg *arg)
{
	return imap_arg_is_string(arg) ? arg->v.str : NULL;
}

int imap_number_parse(const char *s, size_t len, uint64_t max, uint64_t *n_r)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*n_r = v;
	return 0;
}

int imap_arg_number(const struct imap_arg *arg, uint64_t max, uint64_t *n_r)
{
	if (arg->type != IMAP_ARG_ATOM)
		return -1;
	return imap_number_parse(arg->v.str, arg->len, max, n_r);
}

enum imap_modseq_status imap_arg_modseq(const struct imap_arg *arg,
                                        uint64_t *v_r)
{
	size_t i;

	*v_r = 0;
	if (arg->type != IMAP_ARG_ATOM || arg->len == 0)
		return IMAP_MODSEQ_INVALID;
	for (i = 0; i < arg->len; i++) {
		if (arg->v.str[i] < '0' || arg->v.str[i] > '9')
			return IMAP_MODSEQ_INVALID; /* "-1" too (T-2) */
	}
	if (imap_number_parse(arg->v.str, arg->len, IMAP_NUMBER_MAX, v_r) < 0)
		return IMAP_MODSEQ_TOO_BIG; /* T-16: never wraps */
	return *v_r == 0 ? IMAP_MODSEQ_ZERO : IMAP_MODSEQ_OK;
}
