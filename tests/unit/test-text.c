/* test-text.c: terminal safety and UTF-8 helpers (common/text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"

static char *san(const char *s, size_t len, unsigned flags)
{
	struct buf b = BUF_INIT;

	text_sanitize(s, len, &b, flags);
	return buf_detach(&b);
}

#define SAN_EQ(in, flags, want)                              \
	do {                                                 \
		char *got_ = san(in, sizeof(in) - 1, flags); \
		assert_string_equal(got_, want);             \
		free(got_);                                  \
	} while (0)

static void test_text_sanitize_escapes(void **state)
{
	SAN_EQ("a\x1b[31mred\x1b[0m", 0, "a[31mred[0m");
	SAN_EQ("bell\x07 bs\x08 del\x7f nul", 0, "bell bs del nul");
	/* NUL bytes inside the input are dropped too */
	SAN_EQ("a\0b", 0, "ab");
	/* C1 controls, including 8-bit CSI U+009B, encoded in UTF-8 */
	SAN_EQ("x\xc2\x9b"
	       "31my\xc2\x85z",
	       0, "x31myz");
}

static void test_text_sanitize_bidi(void **state)
{
	SAN_EQ("evil\xe2\x80\xae"
	       "cod.exe",
	       0, "evilcod.exe");
	SAN_EQ("\xe2\x81\xa6"
	       "a\xe2\x81\xa9"
	       "\xe2\x80\x8f"
	       "b\xd8\x9c"
	       "c",
	       0, "abc");
	SAN_EQ("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\x8e",
	       0, "");
	/* other non-ASCII text is untouched */
	SAN_EQ("caf\xc3\xa9 \xe6\x97\xa5", 0, "caf\xc3\xa9 \xe6\x97\xa5");
}

static void test_text_sanitize_invalid_utf8(void **state)
{
	/* a stray continuation byte, a truncated sequence, an overlong '/',
	 * an encoded surrogate, a byte that never occurs */
	SAN_EQ("a\x80z", 0, "a\xef\xbf\xbdz");
	SAN_EQ("a\xe6\x97", 0, "a\xef\xbf\xbd\xef\xbf\xbd");
	SAN_EQ("\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd");
	SAN_EQ("\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	SAN_EQ("\xff", 0, "\xef\xbf\xbd");
	assert_false(text_utf8_valid("\xf5\x80\x80\x80", 4));
	assert_true(text_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void test_text_sanitize_newlines(void **state)
{
	SAN_EQ("a\r\nb\rc\nd\te", 0, "a\nb\nc\nd\te");
	SAN_EQ("a\r\nb\tc", TEXT_NOTABLF, "a b c");
	SAN_EQ("line\xe2\x80\xa8sep", 0, "line\nsep");
}

static void test_text_sanitize_oneline(void **state)
{
	SAN_EQ("  Re:\t\r\n  hello \x1b  world\x07 ", TEXT_ONELINE,
	       "Re: hello world");
	SAN_EQ("\x01\x02", TEXT_ONELINE, "");
	/* bidi controls vanish without leaving a space */
	SAN_EQ("a\xe2\x80\xae"
	       "b",
	       TEXT_ONELINE, "ab");
	/* appending keeps what was there */
	{
		struct buf b = BUF_INIT;

		buf_addstr(&b, "X: ");
		text_sanitize("  v ", 4, &b, TEXT_ONELINE);
		assert_string_equal(buf_str(&b), "X: v");
		buf_free(&b);
	}
}

static void test_text_width(void **state)
{
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* 日本 */
	assert_int_equal(text_width("e\xcc\x81"), 1); /* e + combining acute */
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("\xff"), 1);
}

static char *trunc_str(const char *s, int cols, int *w_r)
{
	struct buf b = BUF_INIT;

	*w_r = text_truncate(s, cols, &b);
	return buf_detach(&b);
}

static void test_text_truncate(void **state)
{
	char *s;
	int w;

	s = trunc_str("hello", 3, &w);
	assert_string_equal(s, "hel");
	assert_int_equal(w, 3);
	free(s);
	/* a wide character that does not fit entirely is left out */
	s = trunc_str("a\xe6\x97\xa5\xe6\x9c\xac", 4, &w);
	assert_string_equal(s, "a\xe6\x97\xa5");
	assert_int_equal(w, 3);
	free(s);
	/* combining marks stay with their base ... */
	s = trunc_str("xe\xcc\x81\xcc\x82y", 2, &w);
	assert_string_equal(s, "xe\xcc\x81\xcc\x82");
	assert_int_equal(w, 2);
	free(s);
	/* ... and go with it when the base does not fit */
	s = trunc_str("xe\xcc\x81y", 1, &w);
	assert_string_equal(s, "x");
	free(s);
	s = trunc_str("abc", 0, &w);
	assert_string_equal(s, "");
	assert_int_equal(w, 0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_text_sanitize_escapes),
	        cmocka_unit_test(test_text_sanitize_bidi),
	        cmocka_unit_test(test_text_sanitize_invalid_utf8),
	        cmocka_unit_test(test_text_sanitize_newlines),
	        cmocka_unit_test(test_text_sanitize_oneline),
	        cmocka_unit_test(test_text_width),
	        cmocka_unit_test(test_text_truncate),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
