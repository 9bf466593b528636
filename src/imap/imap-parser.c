/* imap-parser.c: streaming IMAP response parser: framing of lines and
 * literals under limits, and the typed layer over imap-arg.c's trees.
 * The file comment of imap-parser.h gives the contract. */
#include "imap/imap-parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "imap/imap-fetch.h"

/* Bytes of an overlong line kept while skipping it, enough to see a
 * literal marker ("~{9223372036854775807+}\r") at its end. */
#define IMAP_PARSER_TAIL 32
/* Input buffer and element stack sizes kept between responses. */
#define IMAP_PARSER_KEEP_BYTES (1024 * 1024)
#define IMAP_PARSER_KEEP_ARGS 65536

struct imap_parser {
	struct imap_parser_limits lim;
	char *buf; /* received bytes; [rpos, len) not yet consumed */
	size_t len, cap;
	size_t rpos;        /* start of the current response */
	size_t scan;        /* framing: next byte to look at */
	size_t seg_start;   /* start of the current line segment */
	size_t line_bytes;  /* non-literal bytes of the response so far */
	uint64_t lit_bytes; /* literal bytes of the response so far */
	uint64_t lit_left;  /* literal bytes still to come */
	bool first_seg;     /* the segment is the response's first line */
	bool status_line;   /* first line is OK/NO/BAD/BYE/PREAUTH or + */
	bool discard;       /* skipping an oversized response */
	bool broken;        /* framing lost for good */
	char broken_msg[256];
	struct imap_arena arena;
	struct imap_arg_stack stack;
	struct imap_seqset scratch;
	struct imap_response resp;
};

void imap_parser_limits_default(struct imap_parser_limits *lim)
{
	lim->max_line = IMAP_PARSER_DEFAULT_MAX_LINE;
	lim->max_literal = IMAP_PARSER_DEFAULT_MAX_LITERAL;
	lim->max_response = IMAP_PARSER_DEFAULT_MAX_RESPONSE;
	lim->max_depth = IMAP_PARSER_DEFAULT_MAX_DEPTH;
}

static void imap_parser_reset_frame(struct imap_parser *p)
{
	p->scan = p->seg_start = p->rpos;
	p->line_bytes = 0;
	p->lit_bytes = 0;
	p->lit_left = 0;
	p->first_seg = true;
	p->status_line = false;
	p->discard = false;
}

struct imap_parser *imap_parser_new(const struct imap_parser_limits *lim)
{
	struct imap_parser *p = xcalloc(1, sizeof(*p));

	if (lim != NULL)
		p->lim = *lim;
	else
		imap_parser_limits_default(&p->lim);
	if (p->lim.max_depth > IMAP_PARSER_MAX_DEPTH)
		p->lim.max_depth = IMAP_PARSER_MAX_DEPTH;
	imap_parser_reset_frame(p);
	return p;
}

void imap_parser_free(struct imap_parser **pp)
{
	struct imap_parser *p = *pp;

	if (p == NULL)
		return;
	free(p->buf);
	imap_arena_free(&p->arena);
	free(p->stack.v);
	imap_seqset_clear(&p->scratch);
	free(p);
	*pp = NULL;
}

void imap_parser_feed(struct imap_parser *p, const void *data, size_t len)
{
	if (p->broken || len == 0)
		return;
	if (p->cap - p->len < len) {
		size_t cap = p->cap > 0 ? p->cap : 4096;

		while (cap - p->len < len)
			cap *= 2;
		p->buf = xreallocarray(p->buf, cap, 1);
		p->cap = cap;
	}
	memcpy(p->buf + p->len, data, len);
	p->len += len;
}

bool imap_parser_broken(const struct imap_parser *p)
{
	return p->broken;
}

size_t imap_parser_pending(const struct imap_parser *p)
{
	return p->len - p->rpos;
}

/* Move the unconsumed bytes to the front once the consumed part is at
 * least as big, so the cost stays linear in the bytes received. */
static void imap_parser_compact(struct imap_parser *p)
{
	size_t off = p->rpos;

	if (off == p->len && p->cap > IMAP_PARSER_KEEP_BYTES) {
		/* Idle after a big literal: give the memory back. */
		free(p->buf);
		p->buf = NULL;
		p->cap = p->len = p->rpos = p->scan = p->seg_start = 0;
		return;
	}
	if (off == 0 || off < p->len - off)
		return;
	memmove(p->buf, p->buf + off, p->len - off);
	p->len -= off;
	p->rpos = 0;
	p->scan -= off;
	p->seg_start -= off;
}

/* ------------------------------------------------------------ framing */

static bool imap_parser_word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && strncasecmp(s, w, len) == 0;
}

/* Status responses and continuation requests are one line each: their
 * text may legally end in "{5}", which must not be taken as a literal
 * (RFC 3501 §7.1 resp-text holds no literals). */
static bool imap_parser_is_status_line(const char *s, size_t len)
{
	size_t i = 0, w;

	if (len > 0 && s[0] == '+')
		return true;
	while (i < len && s[i] != ' ')
		i++;
	while (i < len && s[i] == ' ')
		i++;
	for (w = i; i < len && s[i] != ' ' && s[i] != '\r' && s[i] != '['; i++)
		;
	len = i - w;
	s += w;
	return imap_parser_word_is(s, len, "OK") ||
	       imap_parser_word_is(s, len, "NO") ||
	       imap_parser_word_is(s, len, "BAD") ||
	       imap_parser_word_is(s, len, "BYE") ||
	       imap_parser_word_is(s, len, "PREAUTH");
}

/* Does the line s[0..len) (LF excluded) end in a literal marker? 0 no,
 * 1 yes (*n_r set), -1 a marker whose length does not fit 63 bits. */
static int imap_parser_literal_marker(const char *s, size_t len, uint64_t *n_r)
{
	size_t end, i;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len < 3 || s[len - 1] != '}')
		return 0;
	end = len - 1;
	if (s[end - 1] == '+')
		end--;
	for (i = end; i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'; i--)
		;
	if (i == end || i == 0 || s[i - 1] != '{')
		return 0;
	if (imap_number_parse(s + i, end - i, IMAP_NUMBER_MAX, n_r) < 0)
		return -1;
	return 1;
}

static int imap_parser_break(struct imap_parser *p, struct pt_error *err,
                             const char *msg)
{
	p->broken = true;
	snprintf(p->broken_msg, sizeof(p->broken_msg), "%s", msg);
	p->rpos = p->len; /* nothing more can be framed */
	return pt_error_set(err, PT_E_PROTO, "%s", msg);
}

/* Start skipping the current response; err describes why. */
static int imap_parser_skip(struct imap_parser *p, struct pt_error *err,
                            const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int imap_parser_skip(struct imap_parser *p, struct pt_error *err,
                            const char *fmt, ...)
{
	va_list ap;
	char msg[200], ex[80];
	size_t n = p->len - p->rpos, i, o = 0;

	if (p->first_seg)
		p->status_line = imap_parser_is_status_line(
		        p->buf + p->seg_start, p->len - p->seg_start);
	p->discard = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Quote the start of the first line, sanitized. */
	for (i = 0; i < n && i < 40 && o + 5 < sizeof(ex); i++) {
		unsigned char c = (unsigned char)p->buf[p->rpos + i];

		if (c == '\r' || c == '\n')
			break;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			ex[o++] = (char)c;
		else
			o += (size_t)snprintf(ex + o, sizeof(ex) - o, "\\x%02x",
			                      c);
	}
	ex[o] = '\0';
	return pt_error_set(err, PT_E_PROTO,
	                    _("IMAP response skipped: %s (starts \"%s%s\")"),
	                    msg, ex, i == 40 ? "..." : "");
}

/* While skipping, drop everything already scanned except the tail of
 * the current line (for literal detection). */
static void imap_parser_drop(struct imap_parser *p)
{
	size_t keep = p->scan;

	if (p->lit_left == 0 && p->scan - p->seg_start > IMAP_PARSER_TAIL)
		keep = p->scan - IMAP_PARSER_TAIL;
	else if (p->lit_left == 0)
		keep = p->seg_start;
	p->rpos = keep;
	if (p->seg_start < keep)
		p->seg_start = keep;
}

/* A line ended at p->scan - 1: literal follows, or response complete. */
static int imap_parser_line_end(struct imap_parser *p, size_t lf,
                                struct pt_error *err)
{
	bool status;
	uint64_t n;
	int m;

	status = p->first_seg &&
	         (p->discard ? p->status_line
	                     : imap_parser_is_status_line(p->buf + p->seg_start,
	                                                  lf - p->seg_start));
	p->first_seg = false;
	m = status ? 0
	           : imap_parser_literal_marker(p->buf + p->seg_start,
	                                        lf - p->seg_start, &n);
	if (m == 0)
		return 0;
	if (m < 0)
		return imap_parser_break(p, err,
		                         _("IMAP literal length out of range: "
		                           "stream unusable"));
	p->lit_left = n;
	p->lit_bytes += n;
	if (p->discard)
		return 1;
	if (n > p->lim.max_literal)
		return imap_parser_skip(p, err,
		                        _("literal of %llu bytes exceeds the "
		                          "limit of %llu"),
		                        (unsigned long long)n,
		                        (unsigned long long)p->lim.max_literal);
	if (p->lit_bytes + p->line_bytes > p->lim.max_response)
		return imap_parser_skip(
		        p, err,
		        _("response exceeds the limit of %llu "
		          "bytes"),
		        (unsigned long long)p->lim.max_response);
	return 1;
}

static int imap_parser_skip_literal(struct imap_parser *p)
{
	size_t avail = p->len - p->scan;
	size_t take = p->lit_left < avail ? (size_t)p->lit_left : avail;

	p->scan += take;
	p->lit_left -= take;
	if (p->discard)
		imap_parser_drop(p);
	if (p->lit_left > 0)
		return -2;
	p->seg_start = p->scan;
	return 0;
}

/* Find the end of the current response. 0: complete, ending at
 * p->scan; -2: need more input; -1: error (now skipping, or broken). */
static int imap_parser_frame(struct imap_parser *p, struct pt_error *err)
{
	for (;;) {
		const char *nl;
		size_t lf;
		int ret;

		if (p->lit_left > 0 && imap_parser_skip_literal(p) < 0)
			return -2;
		nl = p->scan < p->len
		             ? memchr(p->buf + p->scan, '\n', p->len - p->scan)
		             : NULL;
		lf = nl != NULL ? (size_t)(nl - p->buf) : p->len;
		if (!p->discard &&
		    p->line_bytes + (lf - p->seg_start) >= p->lim.max_line)
			return imap_parser_skip(p, err,
			                        _("line longer than %zu bytes"),
			                        p->lim.max_line);
		if (nl == NULL) {
			p->scan = p->len;
			if (p->discard)
				imap_parser_drop(p);
			return -2;
		}
		p->line_bytes += lf + 1 - p->seg_start;
		p->scan = lf + 1;
		ret = imap_parser_line_end(p, lf, err);
		if (ret <= 0)
			return ret;
	}
}

/* ----------------------------------------------------- typed helpers */

static void imap_parser_warn(struct imap_parser *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void imap_parser_warn(struct imap_parser *p, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	if (p->resp.warning != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->resp.warning = imap_arena_strndup(&p->arena, buf, strlen(buf));
}

/* A read-only view of the scratch set, in the arena. */
static struct imap_seqset imap_parser_set_view(struct imap_parser *p)
{
	struct imap_seqset view = IMAP_SEQSET_INIT;

	view.n = p->scratch.n;
	if (view.n > 0) {
		view.r = imap_arena_alloc(&p->arena, view.n * sizeof(*view.r));
		memcpy(view.r, p->scratch.r, view.n * sizeof(*view.r));
	}
	imap_seqset_clear(&p->scratch);
	return view;
}

static int imap_parser_set(struct imap_parser *p, const struct imap_arg *arg,
                           struct imap_seqset *set_r, struct pt_error *err)
{
	if (arg->type != IMAP_ARG_ATOM)
		return pt_error_set(err, PT_E_PROTO,
		                    _("sequence set expected"));
	if (imap_seqset_parse(&p->scratch, arg->v.str, arg->len, 0, err) < 0)
		return -1;
	*set_r = imap_parser_set_view(p);
	return 0;
}

static int imap_parser_list_view(struct imap_parser *p,
                                 const struct imap_arg *arg,
                                 struct imap_seqset_list *list_r,
                                 struct pt_error *err)
{
	struct imap_seqset_list tmp;
	size_t bytes;

	if (arg->type != IMAP_ARG_ATOM)
		return pt_error_set(err, PT_E_PROTO, _("UID set expected"));
	if (imap_seqset_list_parse(&tmp, arg->v.str, arg->len, err) < 0)
		return -1;
	bytes = tmp.n * sizeof(*tmp.r);
	list_r->r = imap_arena_alloc(&p->arena, bytes);
	memcpy(list_r->r, tmp.r, bytes);
	list_r->n = tmp.n;
	imap_seqset_list_free(&tmp);
	return 0;
}

/* Atoms/strings of list[0..n) into a strlist; -1 on another type. */
static int imap_parser_strlist(struct imap_parser *p, const struct imap_arg *v,
                               size_t n, struct imap_strlist *l)
{
	size_t i;

	l->v = imap_arena_calloc(&p->arena, n + 1, sizeof(*l->v));
	l->n = n;
	for (i = 0; i < n; i++) {
		l->v[i] = imap_arg_nstring(&v[i]);
		if (l->v[i] == NULL)
			return -1;
	}
	return 0;
}

bool imap_strlist_has(const struct imap_strlist *list, const char *s)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		if (strcasecmp(list->v[i], s) == 0)
			return true;
	}
	return false;
}

static int imap_parser_u32(const struct imap_arg *arg, bool nonzero,
                           uint32_t *v_r)
{
	uint64_t v;

	if (imap_arg_number(arg, UINT32_MAX, &v) < 0 || (nonzero && v == 0))
		return -1;
	*v_r = (uint32_t)v;
	return 0;
}

/* ----------------------------------------------------- response codes */

static const struct {
	const char *name;
	enum imap_code_kind kind;
} imap_parser_codes[] = {
        {"ALERT", IMAP_CODE_ALERT},
        {"BADCHARSET", IMAP_CODE_BADCHARSET},
        {"CAPABILITY", IMAP_CODE_CAPABILITY},
        {"PARSE", IMAP_CODE_PARSE},
        {"PERMANENTFLAGS", IMAP_CODE_PERMANENTFLAGS},
        {"READ-ONLY", IMAP_CODE_READ_ONLY},
        {"READ-WRITE", IMAP_CODE_READ_WRITE},
        {"TRYCREATE", IMAP_CODE_TRYCREATE},
        {"UIDNEXT", IMAP_CODE_UIDNEXT},
        {"UIDVALIDITY", IMAP_CODE_UIDVALIDITY},
        {"UNSEEN", IMAP_CODE_UNSEEN},
        {"HIGHESTMODSEQ", IMAP_CODE_HIGHESTMODSEQ},
        {"NOMODSEQ", IMAP_CODE_NOMODSEQ},
        {"MODIFIED", IMAP_CODE_MODIFIED},
        {"APPENDUID", IMAP_CODE_APPENDUID},
        {"COPYUID", IMAP_CODE_COPYUID},
        {"UIDNOTSTICKY", IMAP_CODE_UIDNOTSTICKY},
        {"CLOSED", IMAP_CODE_CLOSED},
        {"UNAVAILABLE", IMAP_CODE_UNAVAILABLE},
        {"AUTHENTICATIONFAILED", IMAP_CODE_AUTHENTICATIONFAILED},
        {"AUTHORIZATIONFAILED", IMAP_CODE_AUTHORIZATIONFAILED},
        {"EXPIRED", IMAP_CODE_EXPIRED},
        {"PRIVACYREQUIRED", IMAP_CODE_PRIVACYREQUIRED},
        {"CONTACTADMIN", IMAP_CODE_CONTACTADMIN},
        {"NOPERM", IMAP_CODE_NOPERM},
        {"INUSE", IMAP_CODE_INUSE},
        {"EXPUNGEISSUED", IMAP_CODE_EXPUNGEISSUED},
        {"CORRUPTION", IMAP_CODE_CORRUPTION},
        {"SERVERBUG", IMAP_CODE_SERVERBUG},
        {"CLIENTBUG", IMAP_CODE_CLIENTBUG},
        {"CANNOT", IMAP_CODE_CANNOT},
        {"LIMIT", IMAP_CODE_LIMIT},
        {"OVERQUOTA", IMAP_CODE_OVERQUOTA},
        {"ALREADYEXISTS", IMAP_CODE_ALREADYEXISTS},
        {"NONEXISTENT", IMAP_CODE_NONEXISTENT},
        {"NOTSAVED", IMAP_CODE_NOTSAVED},
        {"HASCHILDREN", IMAP_CODE_HASCHILDREN},
        {"UNKNOWN-CTE", IMAP_CODE_UNKNOWN_CTE},
        {"COMPRESSIONACTIVE", IMAP_CODE_COMPRESSIONACTIVE},
};

#define IMAP_PARSER_NCODES \
	(sizeof(imap_parser_codes) / sizeof(imap_parser_codes[0]))

const char *imap_code_kind_name(enum imap_code_kind kind)
{
	size_t i;

	for (i = 0; i < IMAP_PARSER_NCODES; i++) {
		if (imap_parser_codes[i].kind == kind)
			return imap_parser_codes[i].name;
	}
	return kind == IMAP_CODE_NONE ? "" : "OTHER";
}

const char *imap_resp_status_name(enum imap_resp_status st)
{
	static const char *const names[] = {"",    "OK",      "NO",
	                                    "BAD", "PREAUTH", "BYE"};

	return (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] : "";
}

static int imap_parser_code_modseq(struct imap_code *c,
                                   const struct imap_arg *v, size_t n)
{
	if (n != 1)
		return -1;
	c->u.modseq.status = imap_arg_modseq(&v[0], &c->u.modseq.value);
	/* 0 is "no usable baseline", not an error (T-1). */
	return c->u.modseq.status == IMAP_MODSEQ_OK ||
	                       c->u.modseq.status == IMAP_MODSEQ_ZERO
	               ? 0
	               : -1;
}

/* Typed data of a recognised code; -1 when it does not fit. */
static int imap_parser_code_data(struct imap_parser *p, struct imap_code *c,
                                 const struct imap_arg *v, size_t n,
                                 struct pt_error *err)
{
	switch (c->kind) {
	case IMAP_CODE_BADCHARSET:
		if (n == 0)
			return 0;
		/* fall through */
	case IMAP_CODE_PERMANENTFLAGS:
		if (n != 1 || v[0].type != IMAP_ARG_LIST)
			return -1;
		return imap_parser_strlist(p, v[0].v.list, v[0].len,
		                           &c->u.list);
	case IMAP_CODE_CAPABILITY:
		return imap_parser_strlist(p, v, n, &c->u.list);
	case IMAP_CODE_UIDNEXT:
	case IMAP_CODE_UIDVALIDITY:
		return n == 1 ? imap_parser_u32(&v[0], true, &c->u.num) : -1;
	case IMAP_CODE_UNSEEN:
		return n == 1 ? imap_parser_u32(&v[0], false, &c->u.num) : -1;
	case IMAP_CODE_HIGHESTMODSEQ:
		return imap_parser_code_modseq(c, v, n);
	case IMAP_CODE_MODIFIED:
		return n == 1 ? imap_parser_set(p, &v[0], &c->u.modified, err)
		              : -1;
	case IMAP_CODE_APPENDUID:
		if (n != 2 || imap_parser_u32(&v[0], true,
		                              &c->u.appenduid.uidvalidity) < 0)
			return -1;
		return imap_parser_list_view(p, &v[1], &c->u.appenduid.uids,
		                             err);
	case IMAP_CODE_COPYUID:
		if (n != 3 ||
		    imap_parser_u32(&v[0], true, &c->u.copyuid.uidvalidity) <
		            0 ||
		    imap_parser_list_view(p, &v[1], &c->u.copyuid.src, err) < 0)
			return -1;
		return imap_parser_list_view(p, &v[2], &c->u.copyuid.dst, err);
	default:
		return 0;
	}
}

/* "[" resp-text-code "]" at r->p; the text up to ']' never holds a
 * literal. A code without ']' is not a code: the whole is text. */
static void imap_parser_code(struct imap_parser *p, struct imap_reader *r)
{
	struct imap_code *c = &p->resp.code;
	const char *rb = memchr(r->p, ']', (size_t)(r->end - r->p));
	struct imap_reader sub = *r;
	struct pt_error suberr;
	struct imap_arg args;
	const char *name;
	size_t len, i;

	if (rb == NULL)
		return;
	sub.p = r->p + 1;
	sub.end = rb;
	sub.in_code = true;
	sub.err = &suberr;
	r->p = rb + 1;
	if (imap_reader_atom(&sub, &name, &len) < 0) {
		imap_parser_warn(p, "empty response code");
		c->kind = IMAP_CODE_OTHER;
		c->name = c->raw = "";
		return;
	}
	c->name = imap_arena_strndup(&p->arena, name, len);
	imap_reader_sp(&sub);
	c->raw = imap_arena_strndup(&p->arena, sub.p, (size_t)(rb - sub.p));
	c->kind = IMAP_CODE_OTHER;
	for (i = 0; i < IMAP_PARSER_NCODES; i++) {
		if (strcasecmp(c->name, imap_parser_codes[i].name) == 0)
			c->kind = imap_parser_codes[i].kind;
	}
	if (c->kind == IMAP_CODE_OTHER)
		return;
	if (imap_reader_rest(&sub, &args) < 0 ||
	    imap_parser_code_data(p, c, args.v.list, args.len, &suberr) < 0) {
		c->malformed = true;
		imap_parser_warn(p, "malformed response code [%.40s %.60s]",
		                 c->name, c->raw);
	}
}

/* resp-text after OK/NO/BAD/BYE/PREAUTH or "+": [SP] ["[" code "]"]
 * [SP] [text]. Both the SP and the text may be missing (T-3, E-1). */
static void imap_parser_resp_text(struct imap_parser *p, struct imap_reader *r)
{
	imap_reader_sp(r);
	if (r->p < r->end && *r->p == '[') {
		imap_parser_code(p, r);
		imap_reader_sp(r);
	}
	p->resp.text = imap_reader_text(r);
}

/* ------------------------------------------------------ data responses */

static int imap_parser_caps(struct imap_parser *p, struct imap_reader *r,
                            const struct imap_arg *args)
{
	if (imap_parser_strlist(p, args->v.list, args->len, &p->resp.u.caps) <
	    0)
		return imap_reader_fail_line(r, _("bad capability"));
	return 0;
}

static int imap_parser_flags(struct imap_parser *p, struct imap_reader *r,
                             const struct imap_arg *args)
{
	const struct imap_arg *v = args->v.list;

	if (args->len < 1 || v[0].type != IMAP_ARG_LIST ||
	    imap_parser_strlist(p, v[0].v.list, v[0].len, &p->resp.u.flags) < 0)
		return imap_reader_fail_line(r, _("bad FLAGS response"));
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} imap_parser_list_attrs[] = {
        {"\\Noinferiors", IMAP_LIST_NOINFERIORS},
        {"\\Noselect", IMAP_LIST_NOSELECT},
        {"\\Marked", IMAP_LIST_MARKED},
        {"\\Unmarked", IMAP_LIST_UNMARKED},
        {"\\NonExistent", IMAP_LIST_NONEXISTENT},
        {"\\Subscribed", IMAP_LIST_SUBSCRIBED},
        {"\\Remote", IMAP_LIST_REMOTE},
        {"\\HasChildren", IMAP_LIST_HASCHILDREN},
        {"\\HasNoChildren", IMAP_LIST_HASNOCHILDREN},
        {"\\All", IMAP_LIST_ALL},
        {"\\Archive", IMAP_LIST_ARCHIVE},
        {"\\Drafts", IMAP_LIST_DRAFTS},
        {"\\Flagged", IMAP_LIST_FLAGGED},
        {"\\Junk", IMAP_LIST_JUNK},
        {"\\Sent", IMAP_LIST_SENT},
        {"\\Trash", IMAP_LIST_TRASH},
        {"\\Important", IMAP_LIST_IMPORTANT},
};

static unsigned imap_parser_list_bits(const struct imap_strlist *l)
{
	unsigned bits = 0;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < sizeof(imap_parser_list_attrs) /
		                        sizeof(imap_parser_list_attrs[0]);
		     j++) {
			if (strcasecmp(l->v[i],
			               imap_parser_list_attrs[j].name) == 0)
				bits |= imap_parser_list_attrs[j].bit;
		}
	}
	/* RFC 5258 §3: \NonExistent implies \Noselect. */
	if (bits & IMAP_LIST_NONEXISTENT)
		bits |= IMAP_LIST_NOSELECT;
	return bits;
}

static int imap_parser_list(struct imap_parser *p, struct imap_reader *r,
                            const struct imap_arg *args)
{
	struct imap_list_data *l = &p->resp.u.list;
	const struct imap_arg *v = args->v.list;

	if (args->len < 3 || v[0].type != IMAP_ARG_LIST ||
	    imap_parser_strlist(p, v[0].v.list, v[0].len, &l->attr_names) < 0)
		return imap_reader_fail_line(r, _("bad LIST response"));
	l->attrs = imap_parser_list_bits(&l->attr_names);
	if (v[1].type != IMAP_ARG_NIL) {
		if (!imap_arg_is_string(&v[1]) || v[1].len != 1)
			return imap_reader_fail_line(r, _("bad LIST "
			                                  "delimiter"));
		l->delimiter = v[1].v.str[0];
	}
	if (!imap_arg_is_string(&v[2]))
		return imap_reader_fail_line(r, _("bad LIST mailbox name"));
	l->mailbox = v[2].v.str;
	l->mailbox_len = v[2].len;
	if (args->len > 3)
		l->extended = &v[3];
	return 0;
}

/* One "NAME value" pair of a STATUS response. */
static int imap_parser_status_att(struct imap_parser *p, const char *name,
                                  const struct imap_arg *val)
{
	struct imap_status_data *s = &p->resp.u.status;
	static const struct {
		const char *name;
		unsigned bit;
		size_t off;
	} atts[] = {
	        {"MESSAGES", IMAP_STATUS_MESSAGES,
	         offsetof(struct imap_status_data, messages)},
	        {"UIDNEXT", IMAP_STATUS_UIDNEXT,
	         offsetof(struct imap_status_data, uidnext)},
	        {"UIDVALIDITY", IMAP_STATUS_UIDVALIDITY,
	         offsetof(struct imap_status_data, uidvalidity)},
	        {"UNSEEN", IMAP_STATUS_UNSEEN,
	         offsetof(struct imap_status_data, unseen)},
	        {"RECENT", IMAP_STATUS_RECENT,
	         offsetof(struct imap_status_data, recent)},
	        {"DELETED", IMAP_STATUS_DELETED,
	         offsetof(struct imap_status_data, deleted)},
	};
	size_t i;

	if (strcasecmp(name, "HIGHESTMODSEQ") == 0) {
		/* mod-sequence-valzer: 0 = no persistent modseqs. */
		s->highestmodseq_status =
		        imap_arg_modseq(val, &s->highestmodseq);
		s->present |= IMAP_STATUS_HIGHESTMODSEQ;
		if (s->highestmodseq_status == IMAP_MODSEQ_TOO_BIG ||
		    s->highestmodseq_status == IMAP_MODSEQ_INVALID)
			imap_parser_warn(p, "STATUS HIGHESTMODSEQ unusable");
		return 0;
	}
	if (strcasecmp(name, "SIZE") == 0) {
		s->present |= IMAP_STATUS_SIZE;
		return imap_arg_number(val, IMAP_NUMBER_MAX, &s->size);
	}
	for (i = 0; i < sizeof(atts) / sizeof(atts[0]); i++) {
		if (strcasecmp(name, atts[i].name) != 0)
			continue;
		s->present |= atts[i].bit;
		return imap_parser_u32(val, false,
		                       (uint32_t *)((char *)s + atts[i].off));
	}
	return 0; /* unknown attributes are skipped */
}

static int imap_parser_status(struct imap_parser *p, struct imap_reader *r,
                              const struct imap_arg *args)
{
	struct imap_status_data *s = &p->resp.u.status;
	const struct imap_arg *v = args->v.list, *att;
	size_t i;

	if (args->len != 2 || !imap_arg_is_string(&v[0]) ||
	    v[1].type != IMAP_ARG_LIST || v[1].len % 2 != 0)
		return imap_reader_fail_line(r, _("bad STATUS response"));
	s->mailbox = v[0].v.str;
	s->mailbox_len = v[0].len;
	att = v[1].v.list;
	for (i = 0; i < v[1].len; i += 2) {
		if (att[i].type != IMAP_ARG_ATOM ||
		    imap_parser_status_att(p, att[i].v.str, &att[i + 1]) < 0)
			return imap_reader_fail_line(r, _("bad STATUS "
			                                  "attribute"));
	}
	return 0;
}

/* SEARCH / SORT: numbers, then "(MODSEQ n)" when non-empty. */
static int imap_parser_search(struct imap_parser *p, struct imap_reader *r,
                              const struct imap_arg *args)
{
	struct imap_search_data *s = &p->resp.u.search;
	const struct imap_arg *v = args->v.list;
	size_t n = args->len, i;

	if (n > 0 && v[n - 1].type == IMAP_ARG_LIST) {
		const struct imap_arg *m = &v[n - 1];

		if (m->len != 2 || !imap_arg_is_atom(&m->v.list[0], "MODSEQ"))
			return imap_reader_fail_line(r, _("bad SEARCH "
			                                  "modifier"));
		s->has_modseq = true;
		s->modseq_status = imap_arg_modseq(&m->v.list[1], &s->modseq);
		if (s->modseq_status != IMAP_MODSEQ_OK)
			imap_parser_warn(p, "SEARCH MODSEQ unusable");
		n--;
	}
	s->nums = imap_arena_calloc(&p->arena, n + 1, sizeof(*s->nums));
	s->n = n;
	for (i = 0; i < n; i++) {
		if (imap_parser_u32(&v[i], true, &s->nums[i]) < 0)
			return imap_reader_fail_line(r, _("bad number in "
			                                  "SEARCH/SORT"));
	}
	return 0;
}

/* One search-return-data pair of ESEARCH (RFC 4731 §3.2, Q-41). */
static int imap_parser_esearch_item(struct imap_parser *p, const char *name,
                                    const struct imap_arg *val,
                                    struct pt_error *err)
{
	struct imap_esearch_data *e = &p->resp.u.esearch;

	if (strcasecmp(name, "MIN") == 0) {
		e->present |= IMAP_ESEARCH_MIN;
		return imap_parser_u32(val, true, &e->min);
	}
	if (strcasecmp(name, "MAX") == 0) {
		e->present |= IMAP_ESEARCH_MAX;
		return imap_parser_u32(val, true, &e->max);
	}
	if (strcasecmp(name, "COUNT") == 0) {
		e->present |= IMAP_ESEARCH_COUNT;
		return imap_parser_u32(val, false, &e->count);
	}
	if (strcasecmp(name, "ALL") == 0) {
		e->present |= IMAP_ESEARCH_ALL;
		if (imap_parser_set(p, val, &e->all, err) < 0)
			return -1;
		return imap_parser_list_view(p, val, &e->all_ordered, err);
	}
	if (strcasecmp(name, "MODSEQ") == 0) {
		e->present |= IMAP_ESEARCH_MODSEQ;
		e->modseq_status = imap_arg_modseq(val, &e->modseq);
		if (e->modseq_status != IMAP_MODSEQ_OK)
			imap_parser_warn(p, "ESEARCH MODSEQ unusable");
	}
	return 0; /* search-ret-data-ext: skipped */
}

static int imap_parser_esearch(struct imap_parser *p, struct imap_reader *r,
                               const struct imap_arg *args)
{
	struct imap_esearch_data *e = &p->resp.u.esearch;
	const struct imap_arg *v = args->v.list;
	size_t n = args->len, i = 0;
	struct pt_error suberr;

	if (i < n && v[i].type == IMAP_ARG_LIST) {
		/* search-correlator = "(" "TAG" SP tag-string ")" */
		if (v[i].len != 2 ||
		    !imap_arg_is_atom(&v[i].v.list[0], "TAG") ||
		    !imap_arg_is_string(&v[i].v.list[1]))
			return imap_reader_fail_line(r, _("bad ESEARCH "
			                                  "correlator"));
		e->tag = v[i].v.list[1].v.str;
		i++;
	}
	if (i < n && imap_arg_is_atom(&v[i], "UID")) {
		e->uid = true;
		i++;
	}
	if ((n - i) % 2 != 0)
		return imap_reader_fail_line(r, _("ESEARCH item without "
		                                  "value"));
	for (; i < n; i += 2) {
		if (v[i].type != IMAP_ARG_ATOM ||
		    imap_parser_esearch_item(p, v[i].v.str, &v[i + 1],
		                             &suberr) < 0)
			return imap_reader_fail_line(r, _("bad ESEARCH data"));
	}
	return 0;
}

/* VANISHED [(EARLIER)] known-uids (RFC 7162 §3.2.10, Q-55..Q-60). */
static int imap_parser_vanished(struct imap_parser *p, struct imap_reader *r,
                                const struct imap_arg *args)
{
	struct imap_vanished_data *vd = &p->resp.u.vanished;
	const struct imap_arg *v = args->v.list;
	size_t i = 0;
	struct pt_error suberr;

	if (args->len == 2 && v[0].type == IMAP_ARG_LIST) {
		if (v[0].len != 1 ||
		    !imap_arg_is_atom(&v[0].v.list[0], "EARLIER"))
			return imap_reader_fail_line(r, _("bad VANISHED "
			                                  "modifier"));
		vd->earlier = true;
		i = 1;
	}
	if (args->len != i + 1 ||
	    imap_parser_set(p, &v[i], &vd->uids, &suberr) < 0)
		return imap_reader_fail_line(r, _("bad VANISHED UID set"));
	return 0;
}

static int imap_parser_fetch(struct imap_parser *p, struct imap_reader *r,
                             const struct imap_arg *args)
{
	struct imap_fetch *f = &p->resp.u.fetch;

	if (args->len != 1)
		return imap_reader_fail_line(r, _("bad FETCH response"));
	f->seq = p->resp.number;
	return imap_fetch_parse(r, &args->v.list[0], f, &p->resp.warning);
}

/* ------------------------------------------------------------ dispatch */

typedef int imap_parser_data_fn(struct imap_parser *p, struct imap_reader *r,
                                const struct imap_arg *args);

static const struct {
	const char *name;
	enum imap_resp_type type;
	bool numbered; /* "* n NAME" */
	imap_parser_data_fn *fn;
} imap_parser_data[] = {
        {"CAPABILITY", IMAP_RT_CAPABILITY, false, imap_parser_caps},
        {"ENABLED", IMAP_RT_ENABLED, false, imap_parser_caps},
        {"FLAGS", IMAP_RT_FLAGS, false, imap_parser_flags},
        {"LIST", IMAP_RT_LIST, false, imap_parser_list},
        {"LSUB", IMAP_RT_LSUB, false, imap_parser_list},
        {"STATUS", IMAP_RT_STATUS, false, imap_parser_status},
        {"SEARCH", IMAP_RT_SEARCH, false, imap_parser_search},
        {"SORT", IMAP_RT_SORT, false, imap_parser_search},
        {"ESEARCH", IMAP_RT_ESEARCH, false, imap_parser_esearch},
        {"VANISHED", IMAP_RT_VANISHED, false, imap_parser_vanished},
        {"EXISTS", IMAP_RT_EXISTS, true, NULL},
        {"RECENT", IMAP_RT_RECENT, true, NULL},
        {"EXPUNGE", IMAP_RT_EXPUNGE, true, NULL},
        {"FETCH", IMAP_RT_FETCH, true, imap_parser_fetch},
};

static int imap_parser_status_word(const char *s, size_t len,
                                   enum imap_resp_status *st)
{
	static const char *const words[] = {"OK", "NO", "BAD", "PREAUTH",
	                                    "BYE"};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (imap_parser_word_is(s, len, words[i])) {
			*st = (enum imap_resp_status)(IMAP_RS_OK + i);
			return 0;
		}
	}
	return -1;
}

/* An unknown untagged response never fails: args when they tokenize,
 * raw bytes always. */
static int imap_parser_unknown(struct imap_parser *p, struct imap_reader *r)
{
	struct imap_arg *args = imap_arena_calloc(&p->arena, 1, sizeof(*args));
	const char *from;
	struct pt_error suberr;

	p->resp.type = IMAP_RT_UNKNOWN;
	imap_reader_sp(r);
	from = r->p;
	p->resp.raw =
	        imap_arena_strndup(&p->arena, from, (size_t)(r->end - from));
	r->err = &suberr;
	if (imap_reader_rest(r, args) == 0)
		p->resp.args = args;
	return 0;
}

static int imap_parser_data_resp(struct imap_parser *p, struct imap_reader *r,
                                 bool numbered)
{
	const char *kw = p->resp.keyword;
	struct imap_arg *args;
	size_t i;

	for (i = 0; i < sizeof(imap_parser_data) / sizeof(imap_parser_data[0]);
	     i++) {
		if (imap_parser_data[i].numbered == numbered &&
		    strcasecmp(kw, imap_parser_data[i].name) == 0)
			break;
	}
	if (i == sizeof(imap_parser_data) / sizeof(imap_parser_data[0]))
		return imap_parser_unknown(p, r);
	p->resp.type = imap_parser_data[i].type;
	args = imap_arena_calloc(&p->arena, 1, sizeof(*args));
	if (imap_reader_rest(r, args) < 0)
		return -1;
	p->resp.args = args;
	if (imap_parser_data[i].fn == NULL)
		return 0;
	return imap_parser_data[i].fn(p, r, args);
}

/* After "* ": a number-prefixed response, a status, or data. */
static int imap_parser_untagged(struct imap_parser *p, struct imap_reader *r)
{
	struct imap_response *resp = &p->resp;
	const char *s;
	size_t len;
	bool numbered = false;

	if (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (imap_reader_atom(r, &s, &len) < 0)
			return -1;
		if (imap_number_parse(s, len, UINT32_MAX, &(uint64_t){0}) < 0)
			return imap_reader_fail(r, _("bad message number"));
		resp->number = (uint32_t)strtoul(s, NULL, 10);
		if (imap_reader_need_sp(r) < 0)
			return -1;
		numbered = true;
	}
	if (imap_reader_atom(r, &s, &len) < 0)
		return -1;
	resp->keyword = imap_arena_strndup(&p->arena, s, len);
	if (!numbered && imap_parser_status_word(s, len, &resp->status) == 0) {
		resp->type = IMAP_RT_STATE;
		imap_parser_resp_text(p, r);
		return 0;
	}
	return imap_parser_data_resp(p, r, numbered);
}

static int imap_parser_dispatch(struct imap_parser *p, struct imap_reader *r)
{
	struct imap_response *resp = &p->resp;
	const char *s;
	size_t len;

	if (r->p < r->end && *r->p == '+') {
		resp->kind = IMAP_RESP_CONTINUE;
		resp->type = IMAP_RT_CONTINUE;
		resp->keyword = "+";
		r->p++;
		imap_parser_resp_text(p, r);
		return 0;
	}
	if (imap_reader_atom(r, &s, &len) < 0)
		return -1;
	if (imap_reader_need_sp(r) < 0)
		return -1;
	if (len == 1 && s[0] == '*') {
		resp->kind = IMAP_RESP_UNTAGGED;
		return imap_parser_untagged(p, r);
	}
	resp->kind = IMAP_RESP_TAGGED;
	resp->type = IMAP_RT_STATE;
	resp->tag = imap_arena_strndup(&p->arena, s, len);
	if (imap_reader_atom(r, &s, &len) < 0)
		return -1;
	resp->keyword = imap_arena_strndup(&p->arena, s, len);
	if (imap_parser_status_word(s, len, &resp->status) < 0 ||
	    resp->status == IMAP_RS_PREAUTH || resp->status == IMAP_RS_BYE)
		return imap_reader_fail_line(r, _("tagged response is not OK, "
		                                  "NO or BAD"));
	imap_parser_resp_text(p, r);
	return 0;
}

int imap_parser_parse(struct imap_parser *p, const char *data, size_t len,
                      const struct imap_response **resp_r, struct pt_error *err)
{
	struct imap_reader r;
	int ret;

	imap_arena_reset(&p->arena);
	memset(&p->resp, 0, sizeof(p->resp));
	p->stack.n = 0;
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	memset(&r, 0, sizeof(r));
	r.start = r.p = data;
	r.end = data + len;
	r.arena = &p->arena;
	r.stack = &p->stack;
	r.max_depth = p->lim.max_depth;
	r.err = err;
	ret = imap_parser_dispatch(p, &r);
	if (p->stack.cap > IMAP_PARSER_KEEP_ARGS) {
		free(p->stack.v);
		p->stack.v = NULL;
		p->stack.cap = 0;
	}
	if (ret < 0) {
		memset(&p->resp, 0, sizeof(p->resp));
		return -1;
	}
	*resp_r = &p->resp;
	return 0;
}

int imap_parser_next(struct imap_parser *p, const struct imap_response **resp_r,
                     struct pt_error *err)
{
	for (;;) {
		size_t start;
		int ret;

		if (p->broken)
			return pt_error_set(err, PT_E_PROTO, "%s",
			                    p->broken_msg);
		imap_parser_compact(p);
		ret = imap_parser_frame(p, err);
		if (ret < 0)
			return ret;
		start = p->rpos;
		p->rpos = p->scan;
		if (p->discard) {
			/* The end of a response already reported. */
			imap_parser_reset_frame(p);
			continue;
		}
		imap_parser_reset_frame(p);
		return imap_parser_parse(p, p->buf + start, p->rpos - start,
		                         resp_r, err);
	}
}

int imap_parser_eof(struct imap_parser *p, struct pt_error *err)
{
	if (p->broken)
		return pt_error_set(err, PT_E_PROTO, "%s", p->broken_msg);
	if (p->len == p->rpos && !p->discard)
		return 0;
	if (p->lit_left > 0)
		return pt_error_set(err, PT_E_PROTO,
		                    _("connection closed inside a literal "
		                      "(%llu bytes missing)"),
		                    (unsigned long long)p->lit_left);
	return pt_error_set(err, PT_E_PROTO,
	                    _("connection closed in the middle of a response "
	                      "(%zu bytes pending)"),
	                    p->len - p->rpos);
}
