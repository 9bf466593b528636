/* test-search-query.c: the `petrel search` query language: the FTS5 MATCH
 * text and filter each query becomes, the errors, and (against a real
 * cache) that no user input is ever taken as FTS5 syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "search-query.h"
#include "test-cache-util.h"

static struct search_query parse_any(const char *text)
{
	struct pt_error err = {0};
	struct search_query q;

	if (search_query_parse(text, &q, &err) != 0)
		fail_msg("parse [%s]: %s", text, err.msg);
	return q;
}

/* Parse text, expect success and the given MATCH text (NULL: none). */
static struct search_query parse_ok(const char *text, const char *want)
{
	struct search_query q = parse_any(text);

	if (want == NULL && q.match != NULL)
		fail_msg("parse [%s]: match [%s], want none", text, q.match);
	if (want != NULL && (q.match == NULL || strcmp(q.match, want) != 0))
		fail_msg("parse [%s]: match [%s], want [%s]", text,
		         q.match ? q.match : "(null)", want);
	return q;
}

static void check_match(const char *text, const char *want)
{
	struct search_query q = parse_ok(text, want);

	search_query_clear(&q);
}

/* Parse text, expect PT_E_DATA with a message containing part. */
static void check_error(const char *text, const char *part)
{
	struct pt_error err = {0};
	struct search_query q;

	if (search_query_parse(text, &q, &err) == 0)
		fail_msg("parse [%s] succeeded: [%s]", text,
		         q.match ? q.match : "(null)");
	assert_int_equal(err.code, PT_E_DATA);
	if (strstr(err.msg, part) == NULL)
		fail_msg("parse [%s]: error [%s] lacks [%s]", text, err.msg,
		         part);
	assert_null(q.match);
}

static void test_search_query_words(void **state)
{
	(void)state;
	check_match("alice", "\"alice\"");
	check_match("  alice   report ", "\"alice\" AND \"report\"");
	check_match("\"weekly report\"", "\"weekly report\"");
	check_match("\"weekly report\" numbers",
	            "\"weekly report\" AND \"numbers\"");
	check_match("12:30", "\"12:30\"");
	check_match("Grüße 田中", "\"Grüße\" AND \"田中\"");
}

static void test_search_query_fields(void **state)
{
	(void)state;
	check_match("from:alice", "\"from\" : \"alice\"");
	check_match("to:bob cc:carol",
	            "\"to\" : \"bob\" AND \"cc\" : \"carol\"");
	check_match("subject:\"weekly report\"",
	            "\"subject\" : \"weekly report\"");
	check_match("body:lorem", "\"body\" : \"lorem\"");
	check_match("FROM:José Subject:x",
	            "\"from\" : \"José\" AND \"subject\" : \"x\"");
	check_match("from:alice@example.org",
	            "\"from\" : \"alice@example.org\"");
	/* The value ends at white space; the rest is another term. */
	check_match("from:\"José Müller\"word",
	            "\"from\" : \"José Müller\" AND \"word\"");
}

/* Whatever the user types stays inside FTS5 strings. */
static void test_search_query_escaping(void **state)
{
	(void)state;
	check_match("foo\"bar", "\"foo\"\"bar\"");
	check_match("AND OR NOT", "\"AND\" AND \"OR\" AND \"NOT\"");
	check_match("NEAR(a b)", "\"NEAR(a\" AND \"b)\"");
	check_match("repo* ^start", "\"repo*\" AND \"^start\"");
	check_match("{from}:x", "\"{from}:x\"");
	check_match("from:a\"b", "\"from\" : \"a\"\"b\"");
	/* Terms without letters or digits cannot match a word: ignored. */
	check_match("- alice +", "\"alice\"");
	{
		struct search_query q = parse_ok("-", NULL);
		assert_false(q.filter.unread);
		search_query_clear(&q);
	}
}

static void test_search_query_flags(void **state)
{
	struct search_query q;

	(void)state;
	q = parse_ok("is:unread", NULL);
	assert_true(q.filter.unread);
	assert_false(q.filter.flagged);
	search_query_clear(&q);
	q = parse_ok("IS:Flagged alice", "\"alice\"");
	assert_true(q.filter.flagged);
	assert_false(q.filter.unread);
	search_query_clear(&q);
	check_error("is:read", "is:read");
	check_error("is:", "needs a value");
}

static void test_search_query_dates(void **state)
{
	struct search_query q;
	int64_t t;

	(void)state;
	assert_int_equal(search_query_date("1970-01-01", 10, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(search_query_date("2024-03-01", 10, &t), 0);
	assert_int_equal(t, 1709251200);
	assert_int_equal(search_query_date("2024-02-29", 10, &t), 0);
	assert_int_equal(t, 1709164800);
	assert_int_equal(search_query_date("2000-02-29", 10, &t), 0);
	assert_int_equal(search_query_date("9999-12-31", 10, &t), 0);
	assert_int_equal(search_query_date("2023-02-29", 10, &t), -1);
	assert_int_equal(search_query_date("1900-02-29", 10, &t), -1);
	assert_int_equal(search_query_date("2023-04-31", 10, &t), -1);
	assert_int_equal(search_query_date("2023-13-01", 10, &t), -1);
	assert_int_equal(search_query_date("2023-00-10", 10, &t), -1);
	assert_int_equal(search_query_date("0000-01-01", 10, &t), -1);
	assert_int_equal(search_query_date("2023-1-01", 9, &t), -1);
	assert_int_equal(search_query_date("2023/01/01", 10, &t), -1);
	assert_int_equal(search_query_date("2023-01-0x", 10, &t), -1);
	assert_int_equal(search_query_date("2023-01-011", 11, &t), -1);

	/* before is exclusive, after inclusive: both are midnights UTC. */
	q = parse_ok("before:2024-03-01 after:2024-02-01", NULL);
	assert_true(q.filter.has_before);
	assert_int_equal(q.filter.before, 1709251200);
	assert_true(q.filter.has_after);
	assert_int_equal(q.filter.after, 1706745600);
	search_query_clear(&q);
	/* Repeated: every bound must hold. */
	q = parse_ok("before:2024-03-01 before:2024-02-10 after:2024-01-01 "
	             "after:2024-01-05",
	             NULL);
	assert_int_equal(q.filter.before, 1707523200);
	assert_int_equal(q.filter.after, 1704412800);
	search_query_clear(&q);
	check_error("before:2023-02-30", "before:2023-02-30");
	check_error("after:yesterday", "YYYY-MM-DD");
	check_error("after:\"2024-01-01 10:00\"", "after:");
}

static void test_search_query_errors(void **state)
{
	char *big;

	(void)state;
	check_error("", "empty");
	check_error(" \t ", "empty");
	check_error("foo:bar", "foo:");
	check_error("http://example.org", "http:");
	check_error("alice \"weekly report", "unterminated");
	check_error("subject:\"weekly", "unterminated");
	check_error("from:", "from: needs a value");
	check_error("from: alice", "from: needs a value");
	big = xcalloc(SEARCH_QUERY_MAX + 2, 1);
	memset(big, 'a', SEARCH_QUERY_MAX + 1);
	check_error(big, "too long");
	free(big);
}

/* ------------------------------------------------- against the cache */

struct fixture {
	char *dir;
	struct cache *c;
	int64_t mb;
};

static void put(struct fixture *f, uint32_t uid, const char *flags,
                int64_t date, const char *from, const char *to,
                const char *subject, const char *body)
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
	assert_int_equal(cache_msg_put(f->c, f->mb, &m, &err), 0);
	assert_int_equal(cache_fts_set_text(f->c, f->mb, uid, body, &err), 0);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *path;

	f->dir = tc_tmpdir();
	path = tc_path(f->dir, "search.sqlite");
	f->c = tc_open(path);
	free(path);
	f->mb = tc_mailbox(f->c, "INBOX", 1);
	/* 2024-02-29 12:00, 2024-03-01 00:00, 2024-03-01 23:59:59 UTC. */
	put(f, 1, "\\Seen", 1709208000, "José Müller <jose@example.de>",
	    "petrel@example.org", "Weekly report", "numbers AND more \"x\"");
	put(f, 2, "\\Flagged", 1709251200, "田中 太郎 <taro@example.jp>",
	    "jose@example.de", "Re: weekly report", "see NEAR(the) end");
	put(f, 3, "", 1709337599, "carol@example.com", "taro@example.jp",
	    "Lunch?", "foo\"bar and repo* things");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cache_close(&f->c);
	tc_rmrf(f->dir);
	free(f);
	return 0;
}

/* Parse and search; compare the UIDs with want[0..n). */
static void check_search(struct fixture *f, const char *text,
                         const uint32_t *want, size_t n)
{
	struct pt_error err = {0};
	struct search_query q = parse_any(text);
	struct cache_uidlist l;

	if (cache_fts_search(f->c, f->mb, q.match, &q.filter, &l, &err) != 0)
		fail_msg("search [%s] -> [%s]: %s", text,
		         q.match ? q.match : "(null)", err.msg);
	if (l.n != n)
		fail_msg("search [%s] -> [%s]: %zu results, want %zu", text,
		         q.match ? q.match : "(null)", l.n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(l.uids[i], want[i]);
	cache_uidlist_free(&l);
	search_query_clear(&q);
}

#define SEARCH(f, text, ...)                                                \
	do {                                                                \
		static const uint32_t want_[] = {__VA_ARGS__};              \
		check_search(f, text, want_, sizeof want_ / sizeof *want_); \
	} while (0)
#define SEARCH_NONE(f, text) check_search(f, text, NULL, 0)

static void test_search_query_cache_fields(void **state)
{
	struct fixture *f = *state;

	SEARCH(f, "weekly report", 1, 2);
	SEARCH(f, "\"weekly report\"", 1, 2);
	SEARCH_NONE(f, "\"report weekly\"");
	SEARCH(f, "from:jose", 1);
	SEARCH(f, "jose", 1, 2); /* From of 1, To of 2 */
	SEARCH(f, "to:jose@example.de", 2);
	SEARCH(f, "from:\"José Müller\"", 1);
	SEARCH(f, "from:muller", 1); /* accents do not matter */
	SEARCH(f, "from:田中", 2);
	SEARCH(f, "subject:lunch", 3);
	SEARCH(f, "body:numbers", 1);
	SEARCH_NONE(f, "subject:numbers");
	SEARCH(f, "weekly from:田中", 2);
	SEARCH_NONE(f, "lunch from:田中");
}

/* FTS5 operators and special characters typed by the user are plain
 * words: never a syntax error, never an operator. */
static void test_search_query_cache_literal(void **state)
{
	struct fixture *f = *state;

	SEARCH(f, "numbers AND", 1); /* "and" is a word of 1's body */
	SEARCH_NONE(f, "numbers OR lunch");
	SEARCH(f, "NEAR(the)", 2);
	SEARCH(f, "foo\"bar", 3);
	SEARCH_NONE(f, "rep*"); /* no prefix search: * is not syntax */
	SEARCH(f, "repo*", 3);
	SEARCH_NONE(f, "{from}:x"); /* the words "from x", no column */
	SEARCH(f, "^weekly", 1, 2);
	SEARCH(f, "- :", 1, 2, 3);
	SEARCH(f, "\"\"", 1, 2, 3);
}

static void test_search_query_cache_filters(void **state)
{
	struct fixture *f = *state;

	SEARCH(f, "is:unread", 2, 3);
	SEARCH(f, "is:flagged", 2);
	SEARCH(f, "is:unread is:flagged", 2);
	SEARCH(f, "report is:unread", 2);
	/* before: exclusive, after: inclusive, whole UTC days. */
	SEARCH(f, "before:2024-03-01", 1);
	SEARCH(f, "after:2024-03-01", 2, 3);
	SEARCH(f, "after:2024-03-01 before:2024-03-02", 2, 3);
	SEARCH_NONE(f, "after:2024-03-02");
	SEARCH_NONE(f, "after:2024-03-01 before:2024-03-01");
	SEARCH(f, "after:2024-02-29 weekly", 1, 2);
}

/* is:unread and is:flagged follow the user's view: queued edits count
 * before the server has them. */
static void test_search_query_cache_view(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	uint32_t three = 3, one = 1;

	assert_int_equal(cache_queue_edit(f->c, f->mb, &three, 1,
	                                  "\\Seen \\Flagged", NULL, NULL, NULL,
	                                  &err),
	                 0);
	assert_int_equal(cache_queue_edit(f->c, f->mb, &one, 1, NULL, "\\Seen",
	                                  NULL, NULL, &err),
	                 0);
	SEARCH(f, "is:unread", 1, 2);
	SEARCH(f, "is:flagged", 2, 3);
	SEARCH(f, "lunch is:flagged", 3);
	SEARCH_NONE(f, "lunch is:unread");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_search_query_words),
	        cmocka_unit_test(test_search_query_fields),
	        cmocka_unit_test(test_search_query_escaping),
	        cmocka_unit_test(test_search_query_flags),
	        cmocka_unit_test(test_search_query_dates),
	        cmocka_unit_test(test_search_query_errors),
	        cmocka_unit_test_setup_teardown(test_search_query_cache_fields,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_search_query_cache_literal,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_search_query_cache_filters,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_search_query_cache_view,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
