/* imap-seqset.c: sequence sets as sorted, merged ranges (RFC 3501 §9). */
#include "imap/imap-seqset.h"

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

void imap_seqset_init(struct imap_seqset *s)
{
	s->r = NULL;
	s->n = 0;
	s->cap = 0;
}

void imap_seqset_clear(struct imap_seqset *s)
{
	if (s->cap > 0)
		free(s->r);
	imap_seqset_init(s);
}

/* Make s own its storage and have room for extra more ranges. */
static void imap_seqset_reserve(struct imap_seqset *s, size_t extra)
{
	size_t need = s->n + extra, cap;
	struct imap_seqset_range *r;

	if (need <= s->cap)
		return;
	cap = s->cap > 0 ? s->cap : 4;
	while (cap < need)
		cap *= 2;
	if (s->cap == 0 && s->r != NULL) {
		/* A borrowed view: copy before the first write. */
		r = xreallocarray(NULL, cap, sizeof(*r));
		memcpy(r, s->r, s->n * sizeof(*r));
	} else {
		r = xreallocarray(s->r, cap, sizeof(*r));
	}
	s->r = r;
	s->cap = cap;
}

void imap_seqset_copy(struct imap_seqset *dst, const struct imap_seqset *src)
{
	imap_seqset_clear(dst);
	if (src->n == 0)
		return;
	imap_seqset_reserve(dst, src->n);
	memcpy(dst->r, src->r, src->n * sizeof(*src->r));
	dst->n = src->n;
}

/* Index of the first range whose hi + 1 >= v, i.e. the first range that
 * contains v, touches it from below, or lies above it. */
static size_t imap_seqset_lower(const struct imap_seqset *s, uint64_t v)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uint64_t)s->r[mid].hi + 1 < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void imap_seqset_add_range(struct imap_seqset *s, uint32_t lo, uint32_t hi)
{
	size_t i, j;

	if (lo > hi) {
		uint32_t t = lo;

		lo = hi;
		hi = t;
	}
	i = imap_seqset_lower(s, lo);
	for (j = i; j < s->n && s->r[j].lo <= (uint64_t)hi + 1; j++)
		;
	if (i == j) {
		imap_seqset_reserve(s, 1);
		memmove(s->r + i + 1, s->r + i, (s->n - i) * sizeof(*s->r));
		s->r[i].lo = lo;
		s->r[i].hi = hi;
		s->n++;
		return;
	}
	imap_seqset_reserve(s, 0);
	if (s->r[i].lo < lo)
		lo = s->r[i].lo;
	if (s->r[j - 1].hi > hi)
		hi = s->r[j - 1].hi;
	s->r[i].lo = lo;
	s->r[i].hi = hi;
	memmove(s->r + i + 1, s->r + j, (s->n - j) * sizeof(*s->r));
	s->n -= j - i - 1;
}

void imap_seqset_add(struct imap_seqset *s, uint32_t n)
{
	imap_seqset_add_range(s, n, n);
}

void imap_seqset_remove_range(struct imap_seqset *s, uint32_t lo, uint32_t hi)
{
	size_t i, j;

	if (lo > hi) {
		uint32_t t = lo;

		lo = hi;
		hi = t;
	}
	i = imap_seqset_lower(s, (uint64_t)lo + 1); /* first with hi >= lo */
	if (i == s->n || s->r[i].lo > hi)
		return;
	imap_seqset_reserve(s, 1);
	if (s->r[i].lo < lo && s->r[i].hi > hi) {
		/* Punch a hole in the middle of one range. */
		memmove(s->r + i + 1, s->r + i, (s->n - i) * sizeof(*s->r));
		s->r[i].hi = lo - 1;
		s->r[i + 1].lo = hi + 1;
		s->n++;
		return;
	}
	if (s->r[i].lo < lo) {
		s->r[i].hi = lo - 1;
		i++;
	}
	for (j = i; j < s->n && s->r[j].hi <= hi; j++)
		;
	if (j < s->n && s->r[j].lo <= hi)
		s->r[j].lo = hi + 1;
	memmove(s->r + i, s->r + j, (s->n - j) * sizeof(*s->r));
	s->n -= j - i;
}

void imap_seqset_remove(struct imap_seqset *s, uint32_t n)
{
	imap_seqset_remove_range(s, n, n);
}

bool imap_seqset_contains(const struct imap_seqset *s, uint32_t n)
{
	size_t i = imap_seqset_lower(s, (uint64_t)n + 1);

	return i < s->n && s->r[i].lo <= n;
}

uint64_t imap_seqset_count(const struct imap_seqset *s)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		total += (uint64_t)s->r[i].hi - s->r[i].lo + 1;
	return total;
}

bool imap_seqset_empty(const struct imap_seqset *s)
{
	return s->n == 0;
}

uint32_t imap_seqset_min(const struct imap_seqset *s)
{
	return s->n > 0 ? s->r[0].lo : 0;
}

uint32_t imap_seqset_max(const struct imap_seqset *s)
{
	return s->n > 0 ? s->r[s->n - 1].hi : 0;
}

bool imap_seqset_equal(const struct imap_seqset *a, const struct imap_seqset *b)
{
	return a->n == b->n &&
	       (a->n == 0 || memcmp(a->r, b->r, a->n * sizeof(*a->r)) == 0);
}

size_t imap_seqset_nranges(const struct imap_seqset *s)
{
	return s->n;
}

const struct imap_seqset_range *imap_seqset_get(const struct imap_seqset *s,
                                                size_t i)
{
	return i < s->n ? &s->r[i] : NULL;
}

/* ---------------------------------------------------------------- text */

static void imap_seqset_print_range(const struct imap_seqset_range *r,
                                    struct buf *out)
{
	if (r->lo == r->hi)
		buf_printf(out, "%u", (unsigned)r->lo);
	else
		buf_printf(out, "%u:%u", (unsigned)r->lo, (unsigned)r->hi);
}

void imap_seqset_print(const struct imap_seqset *s, struct buf *out)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (i > 0)
			buf_addch(out, ',');
		imap_seqset_print_range(&s->r[i], out);
	}
}

static size_t imap_seqset_digits(uint32_t v)
{
	size_t d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static size_t imap_seqset_range_len(const struct imap_seqset_range *r)
{
	if (r->lo == r->hi)
		return imap_seqset_digits(r->lo);
	return imap_seqset_digits(r->lo) + 1 + imap_seqset_digits(r->hi);
}

int imap_seqset_print_chunk(const struct imap_seqset *s, size_t *cursor,
                            size_t max_bytes, struct buf *out)
{
	size_t i = *cursor, used = 0;

	if (i >= s->n)
		return 0;
	if (imap_seqset_range_len(&s->r[i]) > max_bytes)
		return -1;
	for (; i < s->n; i++) {
		size_t len = imap_seqset_range_len(&s->r[i]) + (used > 0);

		if (used + len > max_bytes)
			break;
		if (used > 0)
			buf_addch(out, ',');
		imap_seqset_print_range(&s->r[i], out);
		used += len;
	}
	*cursor = i;
	return 1;
}

/* Parse one number or "*" at text[*pos]; star == 0 forbids "*". */
static int imap_seqset_number(const char *text, size_t len, size_t *pos,
                              uint32_t star, uint32_t *n_r,
                              struct pt_error *err)
{
	size_t i = *pos;
	uint64_t v = 0;

	if (i < len && text[i] == '*') {
		if (star == 0)
			return pt_error_set(err, PT_E_PROTO,
			                    _("\"*\" not allowed in this "
			                      "sequence set"));
		*pos = i + 1;
		*n_r = star;
		return 0;
	}
	if (i >= len || text[i] < '0' || text[i] > '9')
		return pt_error_set(err, PT_E_PROTO,
		                    _("sequence set: number expected at "
		                      "offset %zu"),
		                    i);
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(text[i] - '0');
		if (v > UINT32_MAX)
			return pt_error_set(err, PT_E_PROTO,
			                    _("sequence set: number above "
			                      "4294967295"));
	}
	if (v == 0)
		return pt_error_set(err, PT_E_PROTO,
		                    _("sequence set: 0 is not a valid "
		                      "message number or UID"));
	*pos = i;
	*n_r = (uint32_t)v;
	return 0;
}

/* Parse text into a malloc'ed array of ranges, as written. */
static int imap_seqset_scan(const char *text, size_t len, uint32_t star,
                            struct imap_seqset_range **r_r, size_t *n_r,
                            struct pt_error *err)
{
	struct imap_seqset_range *r = NULL;
	size_t n = 0, cap = 0, pos = 0;

	for (;;) {
		uint32_t lo, hi;

		if (imap_seqset_number(text, len, &pos, star, &lo, err) < 0)
			goto fail;
		hi = lo;
		if (pos < len && text[pos] == ':') {
			pos++;
			if (imap_seqset_number(text, len, &pos, star, &hi,
			                       err) < 0)
				goto fail;
		}
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 8;
			r = xreallocarray(r, cap, sizeof(*r));
		}
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		if (pos == len)
			break;
		if (text[pos] != ',') {
			pt_error_set(err, PT_E_PROTO,
			             _("sequence set: unexpected byte 0x%02x "
			               "at offset %zu"),
			             (unsigned char)text[pos], pos);
			goto fail;
		}
		pos++;
	}
	*r_r = r;
	*n_r = n;
	return 0;
fail:
	free(r);
	return -1;
}

static int imap_seqset_cmp(const void *a, const void *b)
{
	const struct imap_seqset_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

int imap_seqset_parse(struct imap_seqset *s, const char *text, size_t len,
                      uint32_t star, struct pt_error *err)
{
	struct imap_seqset_range *r;
	size_t n, i;

	if (imap_seqset_scan(text, len, star, &r, &n, err) < 0)
		return -1;
	/* Sort then merge once: O(n log n) even for descending input,
	 * where adding one range at a time would be quadratic (T-20). */
	for (i = 0; i < n; i++) {
		if (r[i].lo > r[i].hi) {
			uint32_t t = r[i].lo;

			r[i].lo = r[i].hi;
			r[i].hi = t;
		}
	}
	qsort(r, n, sizeof(*r), imap_seqset_cmp);
	if (s->n == 0) {
		struct imap_seqset tmp = {r, 0, n};

		for (i = 0; i < n; i++) {
			if (tmp.n > 0 &&
			    r[i].lo <= (uint64_t)r[tmp.n - 1].hi + 1) {
				if (r[i].hi > r[tmp.n - 1].hi)
					r[tmp.n - 1].hi = r[i].hi;
			} else {
				r[tmp.n++] = r[i];
			}
		}
		imap_seqset_clear(s);
		*s = tmp;
		return 0;
	}
	for (i = 0; i < n; i++)
		imap_seqset_add_range(s, r[i].lo, r[i].hi);
	free(r);
	return 0;
}

/* ------------------------------------------------------- seq-match-data */

void imap_seqset_sample(const uint32_t *uids, size_t n,
                        struct imap_seqset *seqs_r, struct imap_seqset *uids_r)
{
	size_t step = 1, idx;

	if (n == 0)
		return;
	/* Indices n-1, n-2, n-4, n-8, ... 0: recent messages are the
	 * likeliest to have been expunged, so sample the end densely. */
	idx = n - 1;
	for (;;) {
		imap_seqset_add(seqs_r, (uint32_t)(idx + 1));
		imap_seqset_add(uids_r, uids[idx]);
		if (idx == 0)
			break;
		idx = idx >= step ? idx - step : 0;
		if (step < n)
			step *= 2;
	}
}

/* ---------------------------------------------------------- ordered list */

int imap_seqset_list_parse(struct imap_seqset_list *list, const char *text,
                           size_t len, struct pt_error *err)
{
	return imap_seqset_scan(text, len, 0, &list->r, &list->n, err);
}

void imap_seqset_list_free(struct imap_seqset_list *list)
{
	free(list->r);
	list->r = NULL;
	list->n = 0;
}

static uint64_t imap_seqset_width(const struct imap_seqset_range *r)
{
	return r->lo <= r->hi ? (uint64_t)r->hi - r->lo + 1
	                      : (uint64_t)r->lo - r->hi + 1;
}

uint64_t imap_seqset_list_count(const struct imap_seqset_list *list)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < list->n; i++)
		total += imap_seqset_width(&list->r[i]);
	return total;
}

bool imap_seqset_list_nth(const struct imap_seqset_list *list, uint64_t idx,
                          uint32_t *n_r)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct imap_seqset_range *r = &list->r[i];
		uint64_t w = imap_seqset_width(r);

		if (idx < w) {
			*n_r = r->lo <= r->hi ? (uint32_t)(r->lo + idx)
			                      : (uint32_t)(r->lo - idx);
			return true;
		}
		idx -= w;
	}
	return false;
}
