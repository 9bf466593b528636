/* test-cache-fts.c: the full-text index stays in step with messages and
 * body text; MATCH with column filters, non-ASCII words, and filters on
 * the user's view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-cache-util.h"

struct fixture {
	char *dir;
	char *path;
	struct cache *c;
	int64_t mb;
	int64_t other;
};

static void put(struct fixture *f, int64_t mb, uint32_t uid, const char *flags,
                int64_t date, const char *from, const char *to,
                const char *subject)
{
	struct pt_error err = {0};
	struct cache_msg m = {0};

	m.uid = uid;
	m.flags = (char *)flags;
	m.internaldate = date;
	m.has_date = true;
	m.date = date;
	m.from = (char *)from;
	m.to = (char *)to;
	m.subject = (char *)subject;
	assert_int_equal(cache_msg_put(f->c, mb, &m, &err), 0);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = tc_tmpdir();
	f->path = tc_path(f->dir, "fts.sqlite");
	f->c = tc_open(f->path);
	f->mb = tc_mailbox(f->c, "INBOX", 1);
	f->other = tc_mailbox(f->c, "Archive", 1);
	put(f, f->mb, 1, "\\Seen", 1000, "Alice Example <alice@example.org>",
	    "bob@example.org", "Weekly report: numbers");
	put(f, f->mb, 2, "", 2000, "Bob <bob@example.org>", "alice@example.org",
	    "Re: weekly report");
	put(f, f->mb, 3, "\\Flagged", 3000, "Jürgen Müller <jm@example.de>",
	    "alice@example.org", "Grüße aus Köln");
	put(f, f->mb, 4, "", 4000, "Дмитрий <d@example.ru>",
	    "alice@example.org", "Привет, отчёт готов");
	put(f, f->mb, 5, "\\Seen", 5000, "Carol <carol@example.com>",
	    "alice@example.org", "Lunch?");
	put(f, f->other, 1, "", 1000, "Alice Example <alice@example.org>",
	    "x@example.org", "Weekly report (archived)");
	*state = f;
	return 0;
}

/* The external-content index agrees with its content: the check with
 * rank 1 compares every row's tokens, and fails (SQLITE_CORRUPT) when a
 * trigger or cache_fts_set_text() missed an update. */
static void check_integrity(struct fixture *f)
{
	sqlite3 *db = tc_raw(f->path);

	tc_exec(db, "INSERT INTO msg_fts (msg_fts, rank)"
	            " VALUES ('integrity-check', 1)");
	sqlite3_close(db);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	check_integrity(f);
	cache_close(&f->c);
	free(f->path);
	tc_rmrf(f->dir);
	free(f);
	return 0;
}

/* Search, and compare the UIDs (ascending) with want[0..n). */
static void check_search(struct fixture *f, const char *match,
                         const struct cache_search_filter *flt,
                         const uint32_t *want, size_t n)
{
	struct pt_error err = {0};
	struct cache_uidlist l;
	size_t i;

	if (cache_fts_search(f->c, f->mb, match, flt, &l, &err) != 0)
		fail_msg("search %s: %s", match ? match : "(null)", err.msg);
	if (l.n != n)
		fail_msg("search %s: %zu results, want %zu", match, l.n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(l.uids[i], want[i]);
	cache_uidlist_free(&l);
}

#define SEARCH(f, match, flt, ...)                             \
	do {                                                   \
		static const uint32_t want_[] = {__VA_ARGS__}; \
		check_search(f, match, flt, want_,             \
		             sizeof want_ / sizeof *want_);    \
	} while (0)
#define SEARCH_NONE(f, match, flt) check_search(f, match, flt, NULL, 0)

static void test_cache_fts_columns(void **state)
{
	struct fixture *f = *state;

	SEARCH(f, "weekly", NULL, 1, 2); /* this mailbox only, UID order */
	SEARCH(f, "from:alice", NULL, 1);
	SEARCH(f, "to:alice", NULL, 2, 3, 4, 5);
	SEARCH(f, "subject:\"weekly report\"", NULL, 1, 2);
	SEARCH(f, "from:bob AND subject:report", NULL, 2);
	SEARCH(f, "subject:numbers OR subject:lunch", NULL, 1, 5);
	SEARCH(f, "repo*", NULL, 1, 2);
	SEARCH(f, "{from to}:carol", NULL, 5);
	SEARCH_NONE(f, "subject:alice", NULL);
}

/* Case and accents do not matter; other scripts work. */
static void test_cache_fts_non_ascii(void **state)
{
	struct fixture *f = *state;

	SEARCH(f, "muller", NULL, 3);
	SEARCH(f, "MÜLLER", NULL, 3);
	SEARCH(f, "from:jürgen", NULL, 3);
	SEARCH(f, "subject:koln", NULL, 3);
	SEARCH(f, "subject:Köln", NULL, 3);
	SEARCH(f, "привет", NULL, 4);
	SEARCH(f, "ОТЧЁТ", NULL, 4);
	SEARCH(f, "from:дмитрий", NULL, 4);
}

static void test_cache_fts_follows_updates(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_uid_range r = {4, 5};
	uint64_t n;

	/* A message stored again with another subject (re-fetch). */
	put(f, f->mb, 1, "\\Seen", 1000, "Alice Example <alice@example.org>",
	    "bob@example.org", "Monthly summary");
	SEARCH(f, "weekly", NULL, 2);
	SEARCH(f, "monthly", NULL, 1);
	/* Flag changes leave the index alone (no trigger churn). */
	assert_int_equal(
	        cache_msg_set_flags(f->c, f->mb, 2, "\\Seen", NULL, NULL, &err),
	        0);
	SEARCH(f, "weekly", NULL, 2);
	assert_int_equal(cache_msg_delete(f->c, f->mb, 2, &err), 0);
	SEARCH_NONE(f, "weekly", NULL);
	assert_int_equal(cache_msg_delete_ranges(f->c, f->mb, &r, 1, &n, &err),
	                 0);
	assert_int_equal(n, 2);
	SEARCH_NONE(f, "привет", NULL);
	SEARCH_NONE(f, "lunch", NULL);
	check_integrity(f);
	/* UIDVALIDITY change: everything goes. */
	assert_int_equal(cache_mailbox_reset(f->c, f->mb, 2, NULL, &err), 0);
	SEARCH_NONE(f, "muller", NULL);
}

static void test_cache_fts_body_text(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list dropped;

	assert_int_equal(cache_fts_set_text(f->c, f->mb, 5,
	                                    "Let's meet at the Café Zürich at "
	                                    "noon.",
	                                    &err),
	                 0);
	SEARCH(f, "body:zurich", NULL, 5);
	SEARCH(f, "cafe noon", NULL, 5);
	SEARCH(f, "lunch", NULL, 5); /* the headers are still indexed */
	/* Replacing the text forgets the old words. */
	assert_int_equal(cache_fts_set_text(f->c, f->mb, 5, "Postponed.", &err),
	                 0);
	SEARCH_NONE(f, "zurich", NULL);
	SEARCH(f, "postponed", NULL, 5);
	check_integrity(f);
	assert_int_equal(cache_fts_set_text(f->c, f->mb, 77, "x", &err), -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
	/* The subject changes while body text exists. */
	put(f, f->mb, 5, "\\Seen", 5000, "Carol <carol@example.com>",
	    "alice@example.org", "Dinner?");
	SEARCH(f, "postponed dinner", NULL, 5);
	SEARCH_NONE(f, "lunch", NULL);
	check_integrity(f);
	/* Expunge removes the text from the index. */
	assert_int_equal(cache_msg_delete(f->c, f->mb, 5, &err), 0);
	SEARCH_NONE(f, "postponed", NULL);
	check_integrity(f);
	/* So does deleting the mailbox (cascade). */
	assert_int_equal(cache_fts_set_text(f->c, f->mb, 3, "Rheinufer", &err),
	                 0);
	assert_int_equal(cache_mailbox_delete(f->c, f->mb, &dropped, &err), 0);
	cache_queue_list_free(&dropped);
	f->mb = f->other;
	SEARCH_NONE(f, "rheinufer", NULL);
	SEARCH(f, "archived", NULL, 1);
}

/* Filters use the user's view (queued edits applied) and the `ls` date. */
static void test_cache_fts_filters(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_search_filter flt = {0};
	uint32_t uid;

	flt.unread = true;
	SEARCH(f, NULL, &flt, 2, 3, 4);
	SEARCH(f, "to:alice", &flt, 2, 3, 4);
	uid = 2;
	assert_int_equal(cache_queue_edit(f->c, f->mb, &uid, 1, "\\Seen", NULL,
	                                  NULL, NULL, &err),
	                 0);
	uid = 5;
	assert_int_equal(cache_queue_edit(f->c, f->mb, &uid, 1, "\\Flagged",
	                                  "\\Seen", NULL, NULL, &err),
	                 0);
	SEARCH(f, "to:alice", &flt, 3, 4, 5);
	flt.unread = false;
	flt.flagged = true;
	SEARCH(f, "", &flt, 3, 5);
	uid = 3;
	assert_int_equal(cache_queue_edit(f->c, f->mb, &uid, 1, NULL,
	                                  "\\Flagged", NULL, NULL, &err),
	                 0);
	SEARCH(f, "", &flt, 5);
	flt.flagged = false;
	flt.has_after = true;
	flt.after = 2000;
	flt.has_before = true;
	flt.before = 4000;
	SEARCH(f, NULL, &flt, 2, 3);
	SEARCH(f, "weekly", &flt, 2);
}

static void test_cache_fts_bad_query(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_uidlist l;

	assert_int_equal(
	        cache_fts_search(f->c, f->mb, "\"unterminated", NULL, &l, &err),
	        -1);
	assert_int_equal(err.code, PT_E_DATA);
	assert_int_equal(l.n, 0);
	assert_int_equal(
	        cache_fts_search(f->c, f->mb, "nosuchcolumn:x", NULL, &l, &err),
	        -1);
	assert_int_equal(err.code, PT_E_DATA);
	/* The connection is still fine afterwards. */
	SEARCH(f, "lunch", NULL, 5);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_cache_fts_columns),         T(test_cache_fts_non_ascii),
	        T(test_cache_fts_follows_updates), T(test_cache_fts_body_text),
	        T(test_cache_fts_filters),         T(test_cache_fts_bad_query),
	};
#undef T

	return cmocka_run_group_tests_name("cache-fts", tests, NULL, NULL);
}
