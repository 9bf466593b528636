/* mime-param.c: MIME parameters, RFC 2045 quoting and RFC 2231. */
#include "mime/mime-param.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "mime/charset.h"
#include "mime/mime-2047.h"

/* A parameter as written, before RFC 2231 sections are joined. */
struct mime_param_raw {
	char *base;    /* name without the "*N*" suffix, lower case */
	int section;   /* -1: no section ("name" or "name*") */
	bool extended; /* trailing '*': %-encoded, maybe charset'lang' */
	bool rfc2231;  /* any '*' form */
	size_t order;
	struct buf value;
};

static bool mime_param_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char mime_param_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The leading token: up to ';', without white space or comments. */
static size_t mime_param_token(const char *s, size_t len, char **token_r)
{
	struct buf b = BUF_INIT;
	size_t i;
	int depth = 0;

	for (i = 0; i < len && (s[i] != ';' || depth > 0); i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !mime_param_is_space(s[i]) &&
		         s[i] != '"')
			buf_addch(&b, mime_param_lower(s[i]));
	}
	*token_r = buf_detach(&b);
	return i;
}

/* A quoted string starting after the opening quote; returns the offset
 * after the closing quote (or len). */
static size_t mime_param_quoted(const char *s, size_t len, size_t i,
                                struct buf *out)
{
	for (; i < len; i++) {
		if (s[i] == '"')
			return i + 1;
		if (s[i] == '\\' && i + 1 < len)
			i++;
		buf_addch(out, s[i]);
	}
	return len;
}

/* Split "name*N*" into its parts. */
static void mime_param_name(struct mime_param_raw *r, const char *s, size_t n)
{
	const char *star = memchr(s, '*', n);
	size_t i, blen = star != NULL ? (size_t)(star - s) : n;
	long sec = 0;

	r->base = xstrndup(s, blen);
	/* xstrndup stops at a NUL byte inside the name */
	for (i = 0; r->base[i] != '\0'; i++)
		r->base[i] = mime_param_lower(r->base[i]);
	r->section = -1;
	r->rfc2231 = r->extended = star != NULL;
	if (star == NULL)
		return;
	i = blen + 1;
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (sec < MIME_MAX_SECTIONS)
				sec = sec * 10 + (s[i] - '0');
		r->section = (int)sec;
		r->extended = i < n && s[i] == '*';
	}
}

/* Parse one "name=value" starting at s[i]; returns the offset after it. */
static size_t mime_param_one(const char *s, size_t len, size_t i,
                             struct mime_param_raw *r, bool *ok_r)
{
	size_t ns, ne, vs, ve;

	*ok_r = false;
	while (i < len && (mime_param_is_space(s[i]) || s[i] == ';'))
		i++;
	ns = i;
	while (i < len && s[i] != '=' && s[i] != ';')
		i++;
	if (i >= len || s[i] != '=')
		return i;
	ne = i++;
	while (ne > ns && mime_param_is_space(s[ne - 1]))
		ne--;
	while (i < len && mime_param_is_space(s[i]))
		i++;
	memset(r, 0, sizeof(*r));
	if (i < len && s[i] == '"') {
		i = mime_param_quoted(s, len, i + 1, &r->value);
		while (i < len && s[i] != ';')
			i++;
	} else {
		/* unquoted: up to ';', spaces included (a common violation) */
		for (vs = i; i < len && s[i] != ';'; i++)
			;
		for (ve = i; ve > vs && mime_param_is_space(s[ve - 1]); ve--)
			;
		buf_add(&r->value, s + vs, ve - vs);
	}
	if (ne == ns) {
		buf_free(&r->value);
		return i;
	}
	mime_param_name(r, s + ns, ne - ns);
	*ok_r = true;
	return i;
}

static int mime_param_cmp(const void *a, const void *b)
{
	const struct mime_param_raw *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	if (c != 0)
		return c;
	if (x->rfc2231 != y->rfc2231)
		return x->rfc2231 ? -1 : 1;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int mime_param_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void mime_param_percent(const char *s, size_t len, struct buf *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len) {
			hi = mime_param_hex(s[i + 1]);
			lo = mime_param_hex(s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				buf_addch(out, (char)(hi << 4 | lo));
				i += 2;
				continue;
			}
		}
		buf_addch(out, s[i]);
	}
}

/* Join the RFC 2231 sections r[0..n) of one parameter (sorted) and
 * convert them from the charset named by the first one (3, 4). */
static char *mime_param_join(const struct mime_param_raw *r, size_t n)
{
	struct buf bytes = BUF_INIT, out = BUF_INIT;
	char charset[65] = "";
	const char *v, *q1, *q2;
	size_t k, vlen;

	for (k = 0; k < n; k++) {
		if (k > 0 &&
		    (r[k].section == r[k - 1].section || r[0].section < 0))
			continue;
		if (r[k].section >= MIME_MAX_SECTIONS)
			break;
		v = r[k].value.data != NULL ? r[k].value.data : "";
		vlen = r[k].value.len;
		q1 = k == 0 && r[k].extended ? memchr(v, '\'', vlen) : NULL;
		q2 = q1 != NULL
		             ? memchr(q1 + 1, '\'', vlen - (size_t)(q1 + 1 - v))
		             : NULL;
		if (q2 != NULL) {
			snprintf(charset, sizeof(charset), "%.*s",
			         (int)(q1 - v), v);
			vlen -= (size_t)(q2 + 1 - v);
			v = q2 + 1;
		}
		if (r[k].extended)
			mime_param_percent(v, vlen, &bytes);
		else
			buf_add(&bytes, v, vlen);
	}
	charset_to_utf8(charset[0] != '\0' ? charset : NULL, buf_str(&bytes),
	                bytes.len, &out);
	buf_free(&bytes);
	return buf_detach(&out);
}

static void mime_param_push(struct mime_param_list *params, const char *name,
                            char *value)
{
	struct mime_param *p;

	params->v = xreallocarray(params->v, params->count + 1, sizeof(*p));
	p = &params->v[params->count++];
	p->name = xstrdup(name);
	p->value = value;
}

/* Turn the sorted raw parameters into the final list. */
static void mime_param_assemble(struct mime_param_raw *raw, size_t n,
                                struct mime_param_list *params)
{
	size_t i = 0, j, k;
	struct buf b = BUF_INIT;

	while (i < n) {
		for (j = i + 1; j < n && strcmp(raw[j].base, raw[i].base) == 0;
		     j++)
			;
		if (raw[i].rfc2231) {
			for (k = i; k < j && raw[k].rfc2231; k++)
				;
			mime_param_push(params, raw[i].base,
			                mime_param_join(raw + i, k - i));
		} else {
			mime_2047_decode(buf_str(&raw[i].value),
			                 raw[i].value.len, &b);
			mime_param_push(params, raw[i].base, buf_detach(&b));
		}
		i = j;
	}
}

void mime_param_parse(const char *value, size_t len, char **token_r,
                      struct mime_param_list *params)
{
	struct mime_param_raw *raw = NULL;
	size_t n = 0, i;
	bool ok;

	i = mime_param_token(value, len, token_r);
	raw = xcalloc(MIME_MAX_PARAMS, sizeof(*raw));
	while (i < len && n < MIME_MAX_PARAMS) {
		i = mime_param_one(value, len, i, &raw[n], &ok);
		if (ok) {
			raw[n].order = n;
			n++;
		}
	}
	qsort(raw, n, sizeof(*raw), mime_param_cmp);
	mime_param_assemble(raw, n, params);
	for (i = 0; i < n; i++) {
		free(raw[i].base);
		buf_free(&raw[i].value);
	}
	free(raw);
}

const char *mime_param_get(const struct mime_param_list *params,
                           const char *name)
{
	size_t i;

	for (i = 0; i < params->count; i++)
		if (strcmp(params->v[i].name, name) == 0)
			return params->v[i].value;
	return NULL;
}

void mime_param_list_free(struct mime_param_list *params)
{
	size_t i;

	for (i = 0; i < params->count; i++) {
		free(params->v[i].name);
		free(params->v[i].value);
	}
	free(params->v);
	params->v = NULL;
	params->count = 0;
}
