/* cache-flags.c: parsing, normalizing and combining flag lists (the
 * canonical form is described in cache-flags.h). Flag lists are short, so
 * the set operations are simple scans. */
#include "cache/cache-flags.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/xmalloc.h"

/* A list of flags pointing into one private copy of the input. */
struct flagvec {
	char *copy;
	const char **v;
	size_t n;
};

static const char *const cache_flags_system[] = {
        "\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen",
};

static void flagvec_free(struct flagvec *fv)
{
	free(fv->copy);
	free(fv->v);
	memset(fv, 0, sizeof *fv);
}

/* Split on spaces and tabs; no validation (canonical input). */
static void flagvec_split(struct flagvec *fv, const char *s)
{
	size_t cap = 0;
	char *p, *save = NULL;

	memset(fv, 0, sizeof *fv);
	fv->copy = xstrdup(s != NULL ? s : "");
	for (p = strtok_r(fv->copy, " \t", &save); p != NULL;
	     p = strtok_r(NULL, " \t", &save)) {
		if (fv->n == cap) {
			cap = cap ? cap * 2 : 8;
			fv->v = xreallocarray(fv->v, cap, sizeof *fv->v);
		}
		fv->v[fv->n++] = p;
	}
}

static bool flagvec_has(const struct flagvec *fv, const char *flag)
{
	size_t i;

	for (i = 0; i < fv->n; i++)
		if (strcasecmp(fv->v[i], flag) == 0)
			return true;
	return false;
}

static int flagvec_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort by byte value and join with single spaces. */
static char *flagvec_join(struct flagvec *fv)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (fv->n > 1)
		qsort(fv->v, fv->n, sizeof *fv->v, flagvec_cmp);
	for (i = 0; i < fv->n; i++) {
		if (i > 0)
			buf_addch(&b, ' ');
		buf_addstr(&b, fv->v[i]);
	}
	return buf_detach(&b);
}

/* RFC 3501 §9: ATOM-CHAR is any CHAR except atom-specials
 * ( ) { SP CTL % * " \ ] -- and 8-bit bytes are not CHARs. */
static bool cache_flags_atom_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && strchr("(){%*\"\\]", ch) == NULL;
}

static bool cache_flags_valid(const char *flag)
{
	const char *p = flag[0] == '\\' ? flag + 1 : flag;

	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (!cache_flags_atom_char((unsigned char)*p))
			return false;
	return true;
}

/* The canonical spelling of a system flag, or flag itself. */
static const char *cache_flags_spelling(const char *flag)
{
	size_t i;

	for (i = 0; i < sizeof cache_flags_system / sizeof *cache_flags_system;
	     i++)
		if (strcasecmp(flag, cache_flags_system[i]) == 0)
			return cache_flags_system[i];
	return flag;
}

int cache_flags_normalize(const char *in, char **out_r, struct pt_error *err)
{
	struct flagvec fv, out = {NULL, NULL, 0};
	size_t i;

	*out_r = NULL;
	if (in != NULL && strlen(in) > CACHE_FLAGS_MAX_LEN)
		return pt_error_set(err, PT_E_DATA, "flag list too long");
	flagvec_split(&fv, in);
	if (fv.n > CACHE_FLAGS_MAX_COUNT) {
		flagvec_free(&fv);
		return pt_error_set(err, PT_E_DATA, "too many flags");
	}
	out.v = xreallocarray(NULL, fv.n + 1, sizeof *out.v);
	for (i = 0; i < fv.n; i++) {
		if (!cache_flags_valid(fv.v[i])) {
			pt_error_set(err, PT_E_DATA, "invalid flag \"%.64s\"",
			             fv.v[i]);
			flagvec_free(&fv);
			flagvec_free(&out);
			return -1;
		}
		/* \Recent belongs to one session (RFC 3501 §2.3.2). */
		if (strcasecmp(fv.v[i], "\\Recent") == 0 ||
		    flagvec_has(&out, fv.v[i]))
			continue;
		out.v[out.n++] = cache_flags_spelling(fv.v[i]);
	}
	*out_r = flagvec_join(&out);
	flagvec_free(&fv);
	flagvec_free(&out);
	return 0;
}

char *cache_flags_apply(const char *flags, const char *add, const char *remove)
{
	struct flagvec f, a, r, out = {NULL, NULL, 0};
	size_t i;
	char *s;

	flagvec_split(&f, flags);
	flagvec_split(&a, add);
	flagvec_split(&r, remove);
	out.v = xreallocarray(NULL, f.n + a.n + 1, sizeof *out.v);
	for (i = 0; i < f.n; i++)
		if (!flagvec_has(&r, f.v[i]))
			out.v[out.n++] = f.v[i];
	for (i = 0; i < a.n; i++)
		if (!flagvec_has(&r, a.v[i]) && !flagvec_has(&out, a.v[i]))
			out.v[out.n++] = a.v[i];
	s = flagvec_join(&out);
	flagvec_free(&f);
	flagvec_free(&a);
	flagvec_free(&r);
	flagvec_free(&out);
	return s;
}

char *cache_flags_minus(const char *a, const char *b)
{
	return cache_flags_apply(a, NULL, b);
}

bool cache_flags_has(const char *flags, const char *flag)
{
	struct flagvec f;
	bool has;

	flagvec_split(&f, flags);
	has = flagvec_has(&f, flag);
	flagvec_free(&f);
	return has;
}

bool cache_flags_equal(const char *a, const char *b)
{
	struct flagvec fa, fb;
	bool eq;
	size_t i;

	flagvec_split(&fa, a);
	flagvec_split(&fb, b);
	eq = fa.n == fb.n;
	for (i = 0; eq && i < fa.n; i++)
		eq = flagvec_has(&fb, fa.v[i]);
	flagvec_free(&fa);
	flagvec_free(&fb);
	return eq;
}
