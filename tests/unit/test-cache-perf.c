/* test-cache-perf.c: the cache at mailbox scale. Inserts N synthetic
 * messages (default 100,000; PETREL_CACHE_PERF_N overrides) in
 * transactions of 500, then times page reads, counts, UID lists, search
 * and a range delete, prints the numbers, and checks loose bounds that
 * hold on slow machines and under sanitizers: the DESIGN quality bar is
 * "opening a cached 100,000-message mailbox paints the index at once". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "test-cache-util.h"

#define CHUNK 500
#define PAGE 50

static const char *const words[] = {
        "invoice", "meeting", "report", "budget",   "release", "holiday",
        "server",  "outage",  "lunch",  "contract", "review",  "draft",
        "Köln",    "Zürich",  "naïve",  "garçon",   "привет",  "отчёт",
};
#define NWORDS (sizeof words / sizeof *words)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t perf_n(void)
{
	const char *s = getenv("PETREL_CACHE_PERF_N");
	long n = s != NULL ? strtol(s, NULL, 10) : 0;

	return n > 0 ? (size_t)n : 100000;
}

static void fill(struct cache *c, int64_t mb, size_t n)
{
	struct pt_error err = {0};
	uint32_t uid;

	for (uid = 1; uid <= n; uid++) {
		struct cache_msg m = {0};
		char from[96], subject[160];

		if ((uid - 1) % CHUNK == 0)
			assert_int_equal(cache_begin(c, &err), 0);
		snprintf(from, sizeof from, "Sender %u <user%u@example.org>",
		         uid % 997, uid % 997);
		snprintf(subject, sizeof subject, "%s %s %s number %u",
		         words[uid % NWORDS], words[(uid / 7) % NWORDS],
		         words[(uid / 131) % NWORDS], uid);
		m.uid = uid;
		m.has_modseq = true;
		m.modseq = uid;
		m.flags = uid % 3 ? "\\Seen" : (uid % 10 ? "" : "\\Flagged");
		m.internaldate = 1600000000 + (int64_t)uid * 60;
		m.has_date = uid % 50 != 0;
		m.date = 1600000000 + (int64_t)(n - uid) * 60;
		m.size = 2000 + uid % 5000;
		m.from = from;
		m.to = "Me <me@example.org>";
		m.subject = subject;
		m.message_id = "<id@example.org>";
		if (cache_msg_put(c, mb, &m, &err) != 0)
			fail_msg("put: %s", err.msg);
		if (uid % CHUNK == 0 || uid == n)
			assert_int_equal(cache_commit(c, &err), 0);
	}
}

/* Average time of `reps` page reads of PAGE rows at scattered points. */
static double time_pages(struct cache *c, int64_t mb, enum cache_order order,
                         size_t n, int reps)
{
	struct pt_error err = {0};
	struct cache_msg_page p;
	struct cache_page_key key;
	double t0 = now_ms();
	int i;

	for (i = 0; i < reps; i++) {
		key.uid = (uint32_t)((size_t)i * 7919 % n);
		key.sort_date = 1600000000 + (int64_t)key.uid * 60;
		assert_int_equal(cache_msg_page(c, mb, order,
		                                i == 0 ? NULL : &key, PAGE, &p,
		                                &err),
		                 0);
		assert_true(p.n > 0);
		cache_msg_page_free(&p);
	}
	return (now_ms() - t0) / reps;
}

static double time_search(struct cache *c, int64_t mb, const char *match,
                          const struct cache_search_filter *flt, size_t *hits_r)
{
	struct pt_error err = {0};
	struct cache_uidlist l;
	double t0 = now_ms();

	if (cache_fts_search(c, mb, match, flt, &l, &err) != 0)
		fail_msg("search %s: %s", match, err.msg);
	*hits_r = l.n;
	cache_uidlist_free(&l);
	return now_ms() - t0;
}

static void report_searches(struct cache *c, int64_t mb)
{
	static const char *const queries[] = {
	        "number",       "invoice",           "from:user42",
	        "subject:köln", "привет AND budget", "\"outage lunch\"",
	        "zzznothing",
	};
	struct cache_search_filter unread = {0};
	size_t i, hits;
	double ms;

	for (i = 0; i < sizeof queries / sizeof *queries; i++) {
		ms = time_search(c, mb, queries[i], NULL, &hits);
		printf("search %-22s %7zu hits %8.1f ms\n", queries[i], hits,
		       ms);
		assert_true(ms < 3000);
	}
	unread.unread = true;
	ms = time_search(c, mb, "invoice", &unread, &hits);
	printf("search invoice+unread      %7zu hits %8.1f ms\n", hits, ms);
	assert_true(hits > 0);
}

static void test_cache_perf(void **state)
{
	char *dir = tc_tmpdir(), *path = tc_path(dir, "perf.sqlite");
	struct cache *c = tc_open(path);
	struct pt_error err = {0};
	struct cache_uidlist l;
	struct cache_uid_range all = {1, 4294967295u};
	uint64_t msgs, unseen, del;
	int64_t mb = tc_mailbox(c, "INBOX", 1);
	size_t n = perf_n();
	double t0, ms, page_ms;

	t0 = now_ms();
	fill(c, mb, n);
	ms = now_ms() - t0;
	printf("insert %zu messages (%d per transaction): %.0f ms, %.0f/s\n", n,
	       CHUNK, ms, n / (ms / 1e3));

	page_ms = time_pages(c, mb, CACHE_ORDER_UID_ASC, n, 200);
	printf("page of %d, UID order:  %.1f us\n", PAGE, page_ms * 1e3);
	assert_true(page_ms < 50);
	page_ms = time_pages(c, mb, CACHE_ORDER_DATE_DESC, n, 200);
	printf("page of %d, date order: %.1f us\n", PAGE, page_ms * 1e3);
	assert_true(page_ms < 50);

	t0 = now_ms();
	assert_int_equal(cache_mailbox_counts(c, mb, &msgs, &unseen, &err), 0);
	printf("counts (messages %llu, unseen %llu): %.2f ms\n",
	       (unsigned long long)msgs, (unsigned long long)unseen,
	       now_ms() - t0);
	assert_int_equal(msgs, n);

	t0 = now_ms();
	assert_int_equal(cache_msg_uids(c, mb, &l, &err), 0);
	printf("UID list of %zu: %.1f ms\n", l.n, now_ms() - t0);
	assert_int_equal(l.n, n);
	t0 = now_ms();
	assert_int_equal(cache_queue_edit(c, mb, l.uids,
	                                  l.n < 1000 ? l.n : 1000, "\\Flagged",
	                                  NULL, NULL, NULL, &err),
	                 0);
	printf("queue edit of 1000 messages: %.1f ms\n", now_ms() - t0);
	cache_uidlist_free(&l);

	report_searches(c, mb);

	t0 = now_ms();
	assert_int_equal(cache_msg_delete_ranges(c, mb, &all, 1, &del, &err),
	                 0);
	printf("VANISHED 1:4294967295 (%llu rows, index kept current): "
	       "%.0f ms\n",
	       (unsigned long long)del, now_ms() - t0);
	assert_int_equal(del, n);
	cache_close(&c);
	free(path);
	tc_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cache_perf),
	};

	return cmocka_run_group_tests_name("cache-perf", tests, NULL, NULL);
}
