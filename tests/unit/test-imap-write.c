/* test-imap-write.c: astring/quoted/literal generation (RFC 3501 §4.3,
 * RFC 7888, RFC 7162 ). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "imap/imap-write.h"

static void check(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	imap_write_astring(&b, in);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void test_imap_write_astring(void **state)
{
	check("INBOX", "INBOX");
	check("a]b", "a]b");
	check("", "\"\"");
	check("NIL", "\"NIL\"");
	check("two words", "\"two words\"");
	check("a\"b\\c", "\"a\\\"b\\\\c\"");
	/* the entry name of SEARCH MODSEQ escapes its backslash. */
	check("/flags/\\seen", "\"/flags/\\\\seen\"");
	check("50%", "\"50%\"");
	check("a*", "\"a*\"");
	check("line\r\nbreak", "{11}\r\nline\r\nbreak");
	check("caf\xc3\xa9", "{5}\r\ncaf\xc3\xa9");
}

static void test_imap_write_flags(void **state)
{
	struct buf b = BUF_INIT;
	char *big = malloc(IMAP_WRITE_QUOTED_MAX + 2);

	assert_false(
	        imap_write_astring_ex(&b, "caf\xc3\xa9", 5, IMAP_WRITE_UTF8));
	assert_string_equal(buf_str(&b), "\"caf\xc3\xa9\"");
	buf_reset(&b);
	assert_true(
	        imap_write_astring_ex(&b, "a\nb", 3, IMAP_WRITE_LITERAL_PLUS));
	assert_string_equal(buf_str(&b), "{3+}\r\na\nb");
	buf_reset(&b);
	/* long strings go out as literals. */
	memset(big, 'x', IMAP_WRITE_QUOTED_MAX + 1);
	big[0] = ' ';
	big[IMAP_WRITE_QUOTED_MAX + 1] = '\0';
	assert_true(imap_write_astring_ex(&b, big, strlen(big), 0));
	assert_int_equal(strncmp(b.data, "{1025}\r\n", 8), 0);
	buf_reset(&b);
	assert_false(imap_write_quoted(&b, "a\rb", 3));
	assert_int_equal(b.len, 0);
	assert_true(imap_write_quoted(&b, "a b", 3));
	assert_string_equal(buf_str(&b), "\"a b\"");
	free(big);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_imap_write_astring),
	        cmocka_unit_test(test_imap_write_flags),
	};

	return cmocka_run_group_tests_name("imap-write", tests, NULL, NULL);
}
