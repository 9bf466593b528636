/* test-imap-seqset.c: sequence sets (RFC 3501 §9; RFC 7162,
 * T-12, T-20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "imap/imap-seqset.h"

/* Parse text (star as given) and print it back. */
static char *roundtrip(const char *text, uint32_t star)
{
	struct imap_seqset s = IMAP_SEQSET_INIT;
	struct buf b = BUF_INIT;
	struct pt_error err;

	assert_int_equal(imap_seqset_parse(&s, text, strlen(text), star, &err),
	                 0);
	imap_seqset_print(&s, &b);
	imap_seqset_clear(&s);
	return buf_detach(&b);
}

static void assert_roundtrip(const char *text, uint32_t star, const char *want)
{
	char *got = roundtrip(text, star);

	assert_string_equal(got, want);
	free(got);
}

static void test_imap_seqset_parse_print(void **state)
{
	assert_roundtrip("1:4,7,9:12", 0, "1:4,7,9:12");
	assert_roundtrip("3,4,5,7", 0, "3:5,7");
	assert_roundtrip("1:5,3:9", 0, "1:9");
	assert_roundtrip("5,4,3", 0, "3:5");
	assert_roundtrip("4294967295", 0, "4294967295");
	assert_roundtrip("7,3,4,5,7", 0, "3:5,7"); /* Q-34 duplicates */
}

/* T-20: descending and overlapping ranges are normalised. */
static void test_imap_seqset_reversed(void **state)
{
	assert_roundtrip("9:3", 0, "3:9");
	assert_roundtrip("9:3,5:7,5,20:18,10", 0, "3:10,18:20");
}

static void test_imap_seqset_star(void **state)
{
	struct imap_seqset s = IMAP_SEQSET_INIT;
	struct pt_error err;

	assert_roundtrip("9:*", 20, "9:20");
	assert_roundtrip("9:*", 5, "5:9"); /* RFC 3501: n:* with n > max */
	assert_roundtrip("*", 7, "7");
	assert_int_equal(imap_seqset_parse(&s, "1:*", 3, 0, &err), -1);
	assert_int_equal(err.code, PT_E_PROTO);
	assert_non_null(strstr(err.msg, "*"));
	assert_int_equal(s.n, 0);
}

static void test_imap_seqset_reject(void **state)
{
	static const char *const bad[] = {
	        "",      "0",    "1:0",  "4294967296",
	        ",",     "1,",   ",1",   "a",
	        "1:2:3", "1 2",  "1::2", "99999999999999999999999",
	        "-1",    "1,,2", "1:",   ":1",
	};
	struct imap_seqset s = IMAP_SEQSET_INIT;
	struct pt_error err;
	size_t i;

	imap_seqset_add(&s, 42);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pt_error_clear(&err);
		assert_int_equal(
		        imap_seqset_parse(&s, bad[i], strlen(bad[i]), 0, &err),
		        -1);
		assert_int_equal(err.code, PT_E_PROTO);
		/* unchanged on error */
		assert_int_equal(s.n, 1);
		assert_true(imap_seqset_contains(&s, 42));
	}
	imap_seqset_clear(&s);
}

/* the whole UID space is one range, O(1) memory. */
static void test_imap_seqset_full_range(void **state)
{
	struct imap_seqset s = IMAP_SEQSET_INIT;
	struct pt_error err;

	assert_int_equal(imap_seqset_parse(&s, "1:4294967295", 12, 0, &err), 0);
	assert_int_equal(imap_seqset_nranges(&s), 1);
	assert_true(imap_seqset_count(&s) == 4294967295ull);
	assert_true(imap_seqset_contains(&s, 4294967295u));
	assert_true(imap_seqset_contains(&s, 1));
	assert_int_equal(imap_seqset_min(&s), 1);
	assert_int_equal(imap_seqset_max(&s), 4294967295u);
	imap_seqset_remove(&s, 4294967295u);
	imap_seqset_remove(&s, 1);
	assert_int_equal(imap_seqset_get(&s, 0)->lo, 2);
	assert_int_equal(imap_seqset_get(&s, 0)->hi, 4294967294u);
	imap_seqset_add_range(&s, 4294967295u, 1);
	assert_int_equal(imap_seqset_nranges(&s), 1);
	assert_true(imap_seqset_count(&s) == 4294967295ull);
	imap_seqset_clear(&s);
}

static void test_imap_seqset_add_remove(void **state)
{
	struct imap_seqset s = IMAP_SEQSET_INIT;
	struct buf b = BUF_INIT;

	imap_seqset_add_range(&s, 10, 20);
	imap_seqset_add_range(&s, 30, 40);
	imap_seqset_add(&s, 21); /* touches: merges */
	imap_seqset_add(&s, 29);
	imap_seqset_add(&s, 25);
	imap_seqset_print(&s, &b);
	assert_string_equal(buf_str(&b), "10:21,25,29:40");
	imap_seqset_remove_range(&s, 15, 35); /* across three ranges */
	buf_reset(&b);
	imap_seqset_print(&s, &b);
	assert_string_equal(buf_str(&b), "10:14,36:40");
	imap_seqset_remove(&s, 38); /* split */
	imap_seqset_remove(&s, 10); /* endpoint */
	imap_seqset_remove(&s, 99); /* absent */
	buf_reset(&b);
	imap_seqset_print(&s, &b);
	assert_string_equal(buf_str(&b), "11:14,36:37,39:40");
	assert_int_equal(imap_seqset_count(&s), 8);
	assert_false(imap_seqset_contains(&s, 38));
	assert_true(imap_seqset_contains(&s, 39));
	imap_seqset_remove_range(&s, 1, 100);
	assert_true(imap_seqset_empty(&s));
	assert_int_equal(imap_seqset_max(&s), 0);
	imap_seqset_clear(&s);
	buf_free(&b);
}

/* Random operations checked against a bitmap. */
static void test_imap_seqset_random_model(void **state)
{
	enum { N = 300 };
	bool model[N + 2];
	struct imap_seqset s = IMAP_SEQSET_INIT;
	unsigned seed = 12345;
	int round, v;

	memset(model, 0, sizeof(model));
	for (round = 0; round < 20000; round++) {
		uint32_t a, b, lo, hi;

		seed = seed * 1103515245u + 12345u;
		a = 1 + (seed >> 8) % N;
		seed = seed * 1103515245u + 12345u;
		b = 1 + (seed >> 8) % N;
		if ((seed >> 20) % 4 == 0)
			b = a;
		lo = a < b ? a : b;
		hi = a < b ? b : a;
		if ((seed >> 24) % 2 == 0)
			imap_seqset_add_range(&s, a, b);
		else
			imap_seqset_remove_range(&s, a, b);
		for (v = (int)lo; v <= (int)hi; v++)
			model[v] = (seed >> 24) % 2 == 0;
		if (round % 97 == 0) {
			uint64_t count = 0;
			size_t i;

			for (v = 1; v <= N; v++) {
				assert_int_equal(imap_seqset_contains(&s, v),
				                 model[v]);
				count += model[v];
			}
			assert_true(imap_seqset_count(&s) == count);
			for (i = 1; i < s.n; i++) /* sorted, not touching */
				assert_true((uint64_t)s.r[i - 1].hi + 1 <
				            s.r[i].lo);
		}
	}
	imap_seqset_clear(&s);
}

/* chunks stay under the limit and cover the set exactly. */
static void test_imap_seqset_chunks(void **state)
{
	struct imap_seqset s = IMAP_SEQSET_INIT, back = IMAP_SEQSET_INIT;
	struct buf b = BUF_INIT;
	struct pt_error err;
	size_t cursor = 0, chunks = 0;
	uint32_t u;
	int ret;

	for (u = 2; u <= 100000; u += 2) /* 50,000 scattered UIDs */
		imap_seqset_add(&s, u * 7);
	imap_seqset_add_range(&s, 4000000000u, 4294967295u);
	while ((ret = imap_seqset_print_chunk(&s, &cursor, 8192, &b)) == 1) {
		assert_true(b.len <= 8192);
		if (cursor < s.n) /* all but the last chunk are full */
			assert_true(b.len >
			            8192 - IMAP_SEQSET_MAX_RANGE_LEN - 1);
		assert_int_equal(
		        imap_seqset_parse(&back, b.data, b.len, 0, &err), 0);
		buf_reset(&b);
		chunks++;
		if (cursor == s.n)
			break;
	}
	assert_int_equal(imap_seqset_print_chunk(&s, &cursor, 8192, &b), 0);
	assert_true(chunks > 40);
	assert_true(imap_seqset_equal(&s, &back));

	/* A limit below one range cannot make progress. */
	cursor = s.n - 1;
	assert_int_equal(imap_seqset_print_chunk(&s, &cursor, 10, &b), -1);
	cursor = 0;
	assert_int_equal(imap_seqset_print_chunk(&s, &cursor,
	                                         IMAP_SEQSET_MAX_RANGE_LEN, &b),
	                 1);
	imap_seqset_clear(&s);
	imap_seqset_clear(&back);
	buf_free(&b);
}

/* seq-match-data samples: O(log n), ascending, paired. */
static void test_imap_seqset_sample(void **state)
{
	enum { N = 10000 };
	uint32_t *uids = malloc(N * sizeof(*uids));
	struct imap_seqset seqs = IMAP_SEQSET_INIT, us = IMAP_SEQSET_INIT;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < N; i++)
		uids[i] = (uint32_t)(3 * i + 5); /* gaps: expunged UIDs */
	imap_seqset_sample(uids, N, &seqs, &us);
	assert_true(imap_seqset_count(&seqs) == imap_seqset_count(&us));
	assert_true(imap_seqset_count(&seqs) <= 2 * 14 + 2);
	assert_true(imap_seqset_count(&seqs) >= 14);
	assert_true(imap_seqset_contains(&seqs, N));
	assert_true(imap_seqset_contains(&us, uids[N - 1]));
	assert_true(imap_seqset_contains(&seqs, 1));
	/* Pairing: the i-th sequence number maps to the i-th UID. */
	for (i = 1; i <= N; i++)
		assert_int_equal(imap_seqset_contains(&seqs, (uint32_t)i),
		                 imap_seqset_contains(&us, uids[i - 1]));
	imap_seqset_print(&seqs, &b);
	assert_null(strchr(b.data, '*'));
	imap_seqset_clear(&seqs);
	imap_seqset_clear(&us);
	imap_seqset_sample(uids, 0, &seqs, &us);
	assert_true(imap_seqset_empty(&seqs));
	free(uids);
	buf_free(&b);
}

/* COPYUID order is kept (RFC 4315 §3). */
static void test_imap_seqset_list(void **state)
{
	struct imap_seqset_list src, dst;
	struct pt_error err;
	uint32_t a, b;

	assert_int_equal(imap_seqset_list_parse(&src, "304,319:320", 11, &err),
	                 0);
	assert_int_equal(imap_seqset_list_parse(&dst, "3958:3956", 9, &err), 0);
	assert_true(imap_seqset_list_count(&src) == 3);
	assert_true(imap_seqset_list_count(&dst) == 3);
	assert_true(imap_seqset_list_nth(&src, 0, &a));
	assert_true(imap_seqset_list_nth(&dst, 0, &b));
	assert_int_equal(a, 304);
	assert_int_equal(b, 3958);
	assert_true(imap_seqset_list_nth(&src, 2, &a));
	assert_true(imap_seqset_list_nth(&dst, 2, &b));
	assert_int_equal(a, 320);
	assert_int_equal(b, 3956);
	assert_false(imap_seqset_list_nth(&src, 3, &a));
	imap_seqset_list_free(&src);
	imap_seqset_list_free(&dst);
	assert_int_equal(imap_seqset_list_parse(&src, "1:*", 3, &err), -1);
}

/* A read-only view is copied before the first change, never freed. */
static void test_imap_seqset_view(void **state)
{
	struct imap_seqset_range r[2] = {{1, 3}, {7, 9}};
	struct imap_seqset view = {r, 2, 0}, copy = IMAP_SEQSET_INIT;

	imap_seqset_copy(&copy, &view);
	assert_true(imap_seqset_equal(&copy, &view));
	imap_seqset_add(&view, 5);
	assert_int_equal(r[1].lo, 7); /* original untouched */
	assert_int_equal(view.n, 3);
	assert_true(view.cap > 0);
	imap_seqset_clear(&view);
	imap_seqset_clear(&copy);
	view.r = r;
	view.n = 2;
	view.cap = 0;
	imap_seqset_clear(&view); /* must not free r */
	assert_int_equal(r[0].hi, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_imap_seqset_parse_print),
	        cmocka_unit_test(test_imap_seqset_reversed),
	        cmocka_unit_test(test_imap_seqset_star),
	        cmocka_unit_test(test_imap_seqset_reject),
	        cmocka_unit_test(test_imap_seqset_full_range),
	        cmocka_unit_test(test_imap_seqset_add_remove),
	        cmocka_unit_test(test_imap_seqset_random_model),
	        cmocka_unit_test(test_imap_seqset_chunks),
	        cmocka_unit_test(test_imap_seqset_sample),
	        cmocka_unit_test(test_imap_seqset_list),
	        cmocka_unit_test(test_imap_seqset_view),
	};

	return cmocka_run_group_tests_name("imap-seqset", tests, NULL, NULL);
}
