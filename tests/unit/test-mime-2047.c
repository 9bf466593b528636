/* test-mime-2047.c: RFC 2047 encoded words, including broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime-2047.h"

#define DEC(in, want)                                  \
	do {                                           \
		char *got_ = mime_2047_decode_str(in); \
		assert_string_equal(got_, want);       \
		free(got_);                            \
	} while (0)

static void test_mime_2047_basic(void **state)
{
	DEC("=?utf-8?Q?caf=C3=A9?=", "café");
	DEC("=?UTF-8?B?Y2Fmw6k=?=", "café");
	DEC("=?iso-8859-1?q?caf=e9_au_lait?=", "café au lait");
	DEC("plain text", "plain text");
	DEC("", "");
}

static void test_mime_2047_adjacent(void **state)
{
	/* white space between encoded words goes (RFC 2047 6.2) */
	DEC("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab");
	DEC("=?utf-8?Q?a?=\t  =?utf-8?Q?b?=", "ab");
	/* but not between an encoded word and text */
	DEC("x =?utf-8?Q?a?= y", "x a y");
	/* glued to each other or to text */
	DEC("=?utf-8?Q?a?==?utf-8?Q?b?=", "ab");
	DEC("Re:=?utf-8?Q?x?=end", "Re:xend");
}

static void test_mime_2047_split_multibyte(void **state)
{
	/* 日 (E6 97 A5) split across two B words of one charset */
	DEC("=?utf-8?B?5pc=?= =?utf-8?B?pQ==?=", "日");
	/* split across Q words */
	DEC("=?utf-8?Q?=E6?= =?utf-8?Q?=97=A5?=", "日");
	/* ISO-2022-JP state spans adjacent words */
	DEC("=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=", "日本語");
}

static void test_mime_2047_broken(void **state)
{
	/* bad base64 padding */
	DEC("=?utf-8?B?Y2Fmw6k?=", "café");
	DEC("=?utf-8?B?Y2Fmw6k===?=", "café");
	/* unknown charset: ASCII stays, the rest is U+FFFD */
	DEC("=?x-bogus?Q?a=E9b?=", "a\xef\xbf\xbd"
	                           "b");
	/* RFC 2231 language suffix */
	DEC("=?utf-8*en?Q?hello?=", "hello");
	/* bad Q escape kept */
	DEC("=?utf-8?Q?100=ZZ?=", "100=ZZ");
	/* not encoded words: left alone */
	DEC("=?utf-8?X?abc?=", "=?utf-8?X?abc?=");
	DEC("=??Q?abc?=", "=??Q?abc?=");
	DEC("=?utf-8?Q?no end", "=?utf-8?Q?no end");
	DEC("a =? b ?= c", "a =? b ?= c");
	/* raw 8-bit around encoded words */
	DEC("caf\xe9 =?utf-8?Q?x?=", "café x");
}

static void test_mime_2047_quoted(void **state)
{
	/* the phrase decoder sees unquoted text; words inside are decoded */
	DEC("\"=?utf-8?Q?J=C3=B6rg?=\"", "\"Jörg\"");
}

static void test_mime_2047_linear(void **state)
{
	/* many "=?" that never end must not make the scan quadratic */
	size_t n = 200000, i;
	char *s = malloc(n * 7 + 1), *got;

	for (i = 0; i < n; i++)
		memcpy(s + i * 7, "=?q?q?x", 7);
	s[n * 7] = '\0';
	got = mime_2047_decode_str(s);
	assert_int_equal(strlen(got), n * 7);
	free(got);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_2047_basic),
	        cmocka_unit_test(test_mime_2047_adjacent),
	        cmocka_unit_test(test_mime_2047_split_multibyte),
	        cmocka_unit_test(test_mime_2047_broken),
	        cmocka_unit_test(test_mime_2047_quoted),
	        cmocka_unit_test(test_mime_2047_linear),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
