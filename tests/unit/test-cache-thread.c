/* test-cache-thread.c: the thread order of the cache (CACHE_ORDER_THREAD):
 * parent links from References / In-Reply-To, parents arriving after
 * their children, deep chains, reference cycles, missing parents,
 * interleaved threads, keyset paging in both directions, the tree
 * drawing, and the time of a recompute at 100,000 messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "common/buf.h"
#include "test-cache-util.h"

struct fx {
	char *dir, *path;
	struct cache *c;
	int64_t mb;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);

	f->dir = tc_tmpdir();
	f->path = tc_path(f->dir, "cache.db");
	f->c = tc_open(f->path);
	f->mb = tc_mailbox(f->c, "INBOX", 7);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	cache_close(&f->c);
	free(f->path);
	tc_rmrf(f->dir);
	free(f);
	return 0;
}

/* Insert message uid with id "<m<uid>@x>", a date, and the given
 * In-Reply-To and References (NULL: absent). */
static void put(struct fx *f, uint32_t uid, int64_t date, const char *irt,
                const char *refs)
{
	struct cache_msg m = {0};
	struct pt_error err = {0};
	char mid[32], subj[32];

	snprintf(mid, sizeof mid, "<m%u@x>", uid);
	snprintf(subj, sizeof subj, "s%u", uid);
	m.uid = uid;
	m.has_date = true;
	m.date = date;
	m.internaldate = date;
	m.message_id = mid;
	m.subject = subj;
	m.in_reply_to = (char *)irt;
	m.references = (char *)refs;
	if (cache_msg_put(f->c, f->mb, &m, &err) != 0)
		fail_msg("put: %s", err.msg);
}

/* The whole thread order as "uid:tree uid:tree ..." (a root's tree is
 * empty), read in pages of `step` rows. */
static char *order(struct fx *f, enum cache_order o, size_t step)
{
	struct buf b = BUF_INIT;
	struct cache_page_key k, *after = NULL;
	struct pt_error err = {0};

	for (;;) {
		struct cache_msg_page p;
		if (cache_msg_page(f->c, f->mb, o, after, step, &p, &err) != 0)
			fail_msg("page: %s", err.msg);
		for (size_t i = 0; i < p.n; i++) {
			const struct cache_msg *m = &p.v[i];
			assert_non_null(m->thread_tree);
			assert_int_equal(strlen(m->thread_tree) <=
			                         CACHE_THREAD_TREE_MAX,
			                 1);
			buf_printf(&b, "%s%u:%s", b.len ? " " : "", m->uid,
			           m->thread_tree);
		}
		if (p.n > 0) {
			k.sort_date = p.v[p.n - 1].thread_pos;
			k.uid = p.v[p.n - 1].uid;
			after = &k;
		}
		size_t n = p.n;
		cache_msg_page_free(&p);
		if (n < step)
			break;
	}
	return buf_detach(&b);
}

static void expect_order(struct fx *f, const char *want)
{
	char *got = order(f, CACHE_ORDER_THREAD, 2);
	char *got1 = order(f, CACHE_ORDER_THREAD, 1000);

	assert_string_equal(got, want);
	assert_string_equal(got1, want);
	free(got);
	free(got1);
}

static void test_cache_thread_basic(void **state)
{
	struct fx *f = *state;

	put(f, 1, 100, NULL, NULL);
	put(f, 2, 200, "<m1@x>", "<m1@x>");
	put(f, 3, 300, "<m1@x>", "<m1@x>");
	put(f, 4, 400, "<m2@x>", "<m1@x> <m2@x>");
	/* 1 is the root; 2 has 4 below it and a later sibling 3. */
	expect_order(f, "1: 2:+ 4:|` 3:`");
}

/* Children cached before their parent: the parent, once it arrives,
 * gathers them (the recompute after the insert). */
static void test_cache_thread_parent_late(void **state)
{
	struct fx *f = *state;

	put(f, 5, 500, "<m3@x>", "<m1@x> <m3@x>");
	put(f, 4, 400, "<m1@x>", "<m1@x>");
	expect_order(f, "5: 4:");
	put(f, 1, 100, NULL, NULL);
	expect_order(f, "1: 4:+ 5:`");
	put(f, 3, 300, "<m1@x>", "<m1@x>");
	expect_order(f, "1: 3:+ 5:|` 4:`");
}

/* A missing parent: the last References id that is cached wins, else
 * In-Reply-To; nothing cached makes a root. */
static void test_cache_thread_missing_parent(void **state)
{
	struct fx *f = *state;

	put(f, 1, 100, NULL, NULL);
	put(f, 2, 200, "<gone@x>", "<m1@x> <gone@x>");
	put(f, 3, 300, "<m1@x>", "<nowhere@x>");
	put(f, 4, 400, "<gone@x>", "<gone2@x>");
	/* Thread of 4 is newest (400), then 1's thread (latest 300). */
	expect_order(f, "4: 1: 2:+ 3:`");
}

/* Two threads whose messages interleave by date: each thread stays
 * together, the one with the newest message first. */
static void test_cache_thread_interleaved(void **state)
{
	struct fx *f = *state;

	put(f, 1, 100, NULL, NULL);
	put(f, 2, 200, NULL, NULL);
	put(f, 3, 300, "<m1@x>", "<m1@x>");
	put(f, 4, 400, "<m2@x>", "<m2@x>");
	put(f, 5, 500, "<m3@x>", "<m1@x> <m3@x>");
	expect_order(f, "1: 3:` 5: ` 2: 4:`");
	/* Reverse order, for scrolling back. */
	char *rev = order(f, CACHE_ORDER_THREAD_REV, 3);
	assert_string_equal(rev, "4:` 2: 5: ` 3:` 1:");
	free(rev);
	/* A new reply to 2 brings its thread to the top. */
	put(f, 6, 600, "<m2@x>", "<m2@x>");
	expect_order(f, "2: 4:+ 6:` 1: 3:` 5: `");
}

/* A reference cycle (1 -> 3 -> 2 -> 1: each names the next as parent)
 * is cut where the walk from the lowest UID closes it (2 becomes a
 * root); a self-reference is ignored. Every message appears once. */
static void test_cache_thread_cycle(void **state)
{
	struct fx *f = *state;
	char *got;

	put(f, 1, 100, "<m3@x>", "<m3@x>");
	put(f, 2, 200, "<m1@x>", "<m1@x>");
	put(f, 3, 300, "<m2@x>", "<m2@x>");
	put(f, 4, 400, "<m4@x>", "<m4@x>");
	got = order(f, CACHE_ORDER_THREAD, 1000);
	assert_string_equal(got, "4: 2: 3:` 1: `");
	free(got);
}

/* A chain 10,000 deep: no recursion, the drawing is capped. */
static void test_cache_thread_deep(void **state)
{
	struct fx *f = *state;
	struct pt_error err = {0};
	struct cache_msg_page p;
	char ref[32];
	enum { N = 10000 };

	assert_int_equal(cache_begin(f->c, &err), 0);
	put(f, 1, 1, NULL, NULL);
	for (uint32_t u = 2; u <= N; u++) {
		snprintf(ref, sizeof ref, "<m%u@x>", u - 1);
		put(f, u, u, ref, ref);
	}
	assert_int_equal(cache_commit(f->c, &err), 0);
	assert_int_equal(cache_msg_page(f->c, f->mb, CACHE_ORDER_THREAD, NULL,
	                                N, &p, &err),
	                 0);
	assert_int_equal(p.n, N);
	for (size_t i = 0; i < p.n; i++) {
		assert_int_equal(p.v[i].uid, i + 1);
		assert_int_equal(p.v[i].thread_depth, i);
	}
	assert_int_equal(strlen(p.v[N - 1].thread_tree), CACHE_THREAD_TREE_MAX);
	assert_int_equal(p.v[N - 1].thread_tree[CACHE_THREAD_TREE_MAX - 1],
	                 '`');
	cache_msg_page_free(&p);
}

/* Deleting a parent makes its children roots again. */
static void test_cache_thread_delete(void **state)
{
	struct fx *f = *state;
	struct pt_error err = {0};

	put(f, 1, 100, NULL, NULL);
	put(f, 2, 200, "<m1@x>", "<m1@x>");
	put(f, 3, 300, "<m2@x>", "<m1@x> <m2@x>");
	expect_order(f, "1: 2:` 3: `");
	assert_int_equal(cache_msg_delete(f->c, f->mb, 2, &err), 0);
	expect_order(f, "1: 3:`");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 100,000 messages in threads of 10: the first thread read recomputes
 * everything; later pages are keyset reads. Loose bounds (sanitizers). */
static void test_cache_thread_perf(void **state)
{
	struct fx *f = *state;
	struct pt_error err = {0};
	struct cache_msg_page p;
	struct cache_page_key k;
	char ref[32];
	double t0, t1, t2;
	enum { N = 100000 };

	assert_int_equal(cache_begin(f->c, &err), 0);
	for (uint32_t u = 1; u <= N; u++) {
		snprintf(ref, sizeof ref, "<m%u@x>", u - 1);
		put(f, u, u, u % 10 == 1 ? NULL : ref,
		    u % 10 == 1 ? NULL : ref);
	}
	assert_int_equal(cache_commit(f->c, &err), 0);
	t0 = now_ms();
	assert_int_equal(cache_msg_page(f->c, f->mb, CACHE_ORDER_THREAD, NULL,
	                                50, &p, &err),
	                 0);
	t1 = now_ms();
	assert_int_equal(p.n, 50);
	assert_int_equal(p.v[0].uid, N - 9); /* the newest thread's root */
	k.sort_date = p.v[p.n - 1].thread_pos;
	k.uid = 0;
	cache_msg_page_free(&p);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(cache_msg_page(f->c, f->mb, CACHE_ORDER_THREAD,
		                                &k, 50, &p, &err),
		                 0);
		assert_int_equal(p.n, 50);
		k.sort_date = p.v[p.n - 1].thread_pos;
		cache_msg_page_free(&p);
	}
	t2 = now_ms();
	print_message("thread recompute of %d: %.0f ms; 100 pages: %.1f ms\n",
	              N, t1 - t0, t2 - t1);
	assert_true(t1 - t0 < 20000);
	assert_true(t2 - t1 < 5000);
	/* One new message: the recompute rewrites only what moved. */
	put(f, N + 1, N + 1, NULL, NULL);
	t0 = now_ms();
	assert_int_equal(cache_msg_page(f->c, f->mb, CACHE_ORDER_THREAD, NULL,
	                                1, &p, &err),
	                 0);
	print_message("recompute after one new message: %.0f ms\n",
	              now_ms() - t0);
	assert_int_equal(p.v[0].uid, N + 1);
	cache_msg_page_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_cache_thread_basic, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_thread_parent_late,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_thread_missing_parent, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_thread_interleaved,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_thread_cycle, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_thread_deep, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_thread_delete, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_thread_perf, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests_name("cache-thread", tests, NULL, NULL);
}
