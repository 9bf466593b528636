/* search-query.c: parsing `petrel search` queries into an FTS5 MATCH
 * expression and a cache filter (see search-query.h for the language). */
#include "search-query.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/i18n.h"
#include "common/xmalloc.h"

/* Longest excerpt of a term quoted in an error message. */
#define SQ_ERR_EXCERPT 80

/* Field operators and the FTS5 columns they restrict to (cache.h). */
static const struct {
	const char *name;
	const char *column;
} sq_fields[] = {
        {"from", "\"from\""},       {"to", "\"to\""},     {"cc", "\"cc\""},
        {"subject", "\"subject\""}, {"body", "\"body\""},
};

struct sq_state {
	const char *p, *end;
	struct buf match;
	struct cache_search_filter filter;
	bool any_term;
};

static bool sq_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool sq_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool sq_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int sq_excerpt_len(size_t len)
{
	return (int)(len > SQ_ERR_EXCERPT ? SQ_ERR_EXCERPT : len);
}

/* Could the index hold a word of s? The tokenizer (unicode61) keeps
 * letters and digits only; non-ASCII text is assumed to hold some. */
static bool sq_has_word(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || sq_alpha((char)c) || sq_digit((char)c))
			return true;
	}
	return false;
}

/* Append one AND-ed term: the value as an FTS5 string (every '"'
 * doubled), restricted to column when not NULL. */
static void sq_add_text(struct sq_state *st, const char *column, const char *s,
                        size_t len)
{
	struct buf *m = &st->match;

	if (!sq_has_word(s, len))
		return;
	if (m->len > 0)
		buf_addstr(m, " AND ");
	if (column != NULL)
		buf_printf(m, "%s : ", column);
	buf_addch(m, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_addch(m, '"');
		buf_addch(m, s[i]);
	}
	buf_addch(m, '"');
}

/* A value at st->p: a "quoted phrase" or a run up to white space. */
static int sq_read_value(struct sq_state *st, const char **v_r, size_t *len_r,
                         struct pt_error *err)
{
	const char *start = st->p;

	if (st->p < st->end && *st->p == '"') {
		const char *close =
		        memchr(start + 1, '"', (size_t)(st->end - start - 1));
		if (close == NULL)
			return pt_error_set(
			        err, PT_E_DATA,
			        _("unterminated quote in the search "
			          "query: %.*s"),
			        sq_excerpt_len((size_t)(st->end - start)),
			        start);
		*v_r = start + 1;
		*len_r = (size_t)(close - start - 1);
		st->p = close + 1;
		return 0;
	}
	while (st->p < st->end && !sq_space(*st->p))
		st->p++;
	*v_r = start;
	*len_r = (size_t)(st->p - start);
	return 0;
}

int search_query_date(const char *s, size_t len, int64_t *t_r)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30,
	                              31, 31, 30, 31, 30, 31};
	static const int digit_at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
	struct tm tm;
	int y, m, d;
	time_t t;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (size_t i = 0; i < 8; i++)
		if (!sq_digit(s[digit_at[i]]))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	*t_r = (int64_t)t;
	return 0;
}

static int sq_is(struct sq_state *st, const char *v, size_t len,
                 struct pt_error *err)
{
	if (len == 6 && strncasecmp(v, "unread", 6) == 0)
		st->filter.unread = true;
	else if (len == 7 && strncasecmp(v, "flagged", 7) == 0)
		st->filter.flagged = true;
	else
		return pt_error_set(err, PT_E_DATA,
		                    _("unknown search term is:%.*s (use "
		                      "is:unread or is:flagged)"),
		                    sq_excerpt_len(len), v);
	return 0;
}

/* before: keeps the earliest bound, after: the latest (both must hold). */
static int sq_date(struct sq_state *st, bool before, const char *v, size_t len,
                   struct pt_error *err)
{
	struct cache_search_filter *f = &st->filter;
	int64_t t;

	if (search_query_date(v, len, &t) < 0)
		return pt_error_set(err, PT_E_DATA,
		                    _("bad date in the search query: %s:%.*s "
		                      "(use YYYY-MM-DD)"),
		                    before ? "before" : "after",
		                    sq_excerpt_len(len), v);
	if (before && (!f->has_before || t < f->before)) {
		f->has_before = true;
		f->before = t;
	} else if (!before && (!f->has_after || t > f->after)) {
		f->has_after = true;
		f->after = t;
	}
	return 0;
}

/* The operator name[0..nlen) with the value at st->p. */
static int sq_operator(struct sq_state *st, const char *name, size_t nlen,
                       struct pt_error *err)
{
	const char *v;
	size_t len;

	if (st->p >= st->end || sq_space(*st->p))
		return pt_error_set(
		        err, PT_E_DATA,
		        _("%.*s: needs a value in the search query"),
		        sq_excerpt_len(nlen), name);
	if (sq_read_value(st, &v, &len, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof sq_fields / sizeof sq_fields[0]; i++)
		if (strlen(sq_fields[i].name) == nlen &&
		    strncasecmp(sq_fields[i].name, name, nlen) == 0) {
			sq_add_text(st, sq_fields[i].column, v, len);
			return 0;
		}
	if (nlen == 2 && strncasecmp(name, "is", 2) == 0)
		return sq_is(st, v, len, err);
	if (nlen == 6 && strncasecmp(name, "before", 6) == 0)
		return sq_date(st, true, v, len, err);
	if (nlen == 5 && strncasecmp(name, "after", 5) == 0)
		return sq_date(st, false, v, len, err);
	return pt_error_set(err, PT_E_DATA,
	                    _("unknown search operator %.*s: (known: from: to: "
	                      "cc: subject: body: is: before: after:)"),
	                    sq_excerpt_len(nlen), name);
}

/* One term at st->p (not white space). */
static int sq_term(struct sq_state *st, struct pt_error *err)
{
	const char *start = st->p, *q = st->p, *v;
	size_t len;

	st->any_term = true;
	while (q < st->end && sq_alpha(*q))
		q++;
	if (q > start && q < st->end && *q == ':') {
		st->p = q + 1;
		return sq_operator(st, start, (size_t)(q - start), err);
	}
	if (sq_read_value(st, &v, &len, err) < 0)
		return -1;
	sq_add_text(st, NULL, v, len);
	return 0;
}

int search_query_parse(const char *text, struct search_query *q_r,
                       struct pt_error *err)
{
	struct sq_state st;
	size_t len = strlen(text);

	memset(q_r, 0, sizeof *q_r);
	if (len > SEARCH_QUERY_MAX)
		return pt_error_set(err, PT_E_DATA,
		                    _("the search query is too long (at most "
		                      "%d bytes)"),
		                    SEARCH_QUERY_MAX);
	memset(&st, 0, sizeof st);
	st.p = text;
	st.end = text + len;
	for (;;) {
		while (st.p < st.end && sq_space(*st.p))
			st.p++;
		if (st.p >= st.end)
			break;
		if (sq_term(&st, err) < 0) {
			buf_free(&st.match);
			return -1;
		}
	}
	if (!st.any_term) {
		buf_free(&st.match);
		return pt_error_set(err, PT_E_DATA, _("empty search query"));
	}
	q_r->match = st.match.len > 0 ? buf_detach(&st.match) : NULL;
	buf_free(&st.match);
	q_r->filter = st.filter;
	return 0;
}

void search_query_clear(struct search_query *q)
{
	free(q->match);
	memset(q, 0, sizeof *q);
}
