/* test-mime-address.c: From/To/Cc parsing and the FROM display form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime-address.h"
#include "mime/mime-render.h"

static char *fmt_all(const char *in)
{
	struct mime_address_list l = {NULL, 0};
	struct buf b = BUF_INIT;

	mime_address_parse(in, strlen(in), &l);
	mime_address_list_format(&l, &b);
	mime_address_list_free(&l);
	return buf_detach(&b);
}

#define ALL(in, want)                            \
	do {                                     \
		char *got_ = fmt_all(in);        \
		assert_string_equal(got_, want); \
		free(got_);                      \
	} while (0)

static void test_mime_address_forms(void **state)
{
	ALL("alice@example.org", "alice@example.org");
	ALL("Alice <alice@example.org>", "Alice <alice@example.org>");
	ALL("<alice@example.org>", "alice@example.org");
	ALL("\"Doe, John\" <j@x.org>, b@y.org", "Doe, John <j@x.org>, b@y.org");
	ALL("\"a \\\"q\\\" b\" <q@x>", "a \"q\" b <q@x>");
	ALL("John  Q.   Public <jqp@x>", "John Q. Public <jqp@x>");
	ALL("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	    "Pete <pete@silly.test>");
	/* old style: the comment is the name */
	ALL("dan@example.com (Dan Smith)", "Dan Smith <dan@example.com>");
	/* obsolete route */
	ALL("<@r1.example,@r2.example:carl@example.com>", "carl@example.com");
	/* empty elements (RFC 5322 4.4) */
	ALL(", a@x ,, b@y,", "a@x, b@y");
	ALL("", "");
	/* a local part only */
	ALL("MAILER-DAEMON", "MAILER-DAEMON");
}

static void test_mime_address_groups(void **state)
{
	ALL("undisclosed-recipients:;", "undisclosed-recipients:;");
	ALL("Friends: a@x, \"B\" <b@y>;, c@z", "a@x, B <b@y>, c@z");
	ALL("A Group:Ed <ed@x>;", "Ed <ed@x>");
	/* an unterminated group */
	ALL("G: a@x, b@y", "a@x, b@y");
}

static void test_mime_address_encoded(void **state)
{
	ALL("=?utf-8?Q?Andr=C3=A9?= <a@x>", "André <a@x>");
	/* inside a quoted string, glued to the angle bracket */
	ALL("\"=?utf-8?Q?Andr=C3=A9?= D.\"<a@x>", "André D. <a@x>");
	ALL("=?utf-8?B?5pel?= =?utf-8?B?5pys?= <n@x>", "日本 <n@x>");
	/* raw 8-bit names */
	ALL("J\xfcrgen <j@x>", "Jürgen <j@x>");
}

static void test_mime_address_render_from(void **state)
{
	struct buf b = BUF_INIT;
	const char *v = "  \"Evil\xe2\x80\xae\x1b[1m Name\"\r\n <e@x>, other@y";

	/* FROM: first address, unfolded, sanitized, one line */
	mime_render_from(v, strlen(v), &b);
	assert_string_equal(buf_str(&b), "Evil [1m Name <e@x>");
	buf_reset(&b);
	mime_render_addresses(v, strlen(v), &b);
	assert_string_equal(buf_str(&b), "Evil [1m Name <e@x>, other@y");
	buf_reset(&b);
	/* nothing parseable: the decoded text */
	mime_render_from("<>", 2, &b);
	assert_string_equal(buf_str(&b), "<>");
	buf_free(&b);
}

static void test_mime_address_limit(void **state)
{
	struct mime_address_list l = {NULL, 0};
	size_t n = MIME_MAX_ADDRESSES + 100, i;
	char *s = malloc(n * 4 + 1);

	for (i = 0; i < n; i++)
		memcpy(s + i * 4, "a@b,", 4);
	mime_address_parse(s, n * 4, &l);
	assert_int_equal(l.count, MIME_MAX_ADDRESSES);
	mime_address_list_free(&l);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_address_forms),
	        cmocka_unit_test(test_mime_address_groups),
	        cmocka_unit_test(test_mime_address_encoded),
	        cmocka_unit_test(test_mime_address_render_from),
	        cmocka_unit_test(test_mime_address_limit),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
