/* test-mime-charset.c: charset labels (WHATWG mapping) and conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "mime/charset.h"

static void conv_eq(const char *label, const char *in, size_t len,
                    const char *want, int want_rc)
{
	struct buf b = BUF_INIT;

	assert_int_equal(charset_to_utf8(label, in, len, &b), want_rc);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

#define CONV(label, in, want) conv_eq(label, in, sizeof(in) - 1, want, 0)

static void test_charset_aliases(void **state)
{
	assert_string_equal(charset_canonical("ISO-8859-1"), "windows-1252");
	assert_string_equal(charset_canonical("latin1"), "windows-1252");
	assert_string_equal(charset_canonical("US-ASCII"), "windows-1252");
	assert_string_equal(charset_canonical(" \"ascii\" "), "windows-1252");
	assert_string_equal(charset_canonical("iso_8859-1"), "windows-1252");
	assert_string_equal(charset_canonical("GB2312"), "GB18030");
	assert_string_equal(charset_canonical("x-gbk"), "GB18030");
	assert_string_equal(charset_canonical("gbk"), "GB18030");
	assert_string_equal(charset_canonical("x-sjis"), "Shift_JIS");
	assert_string_equal(charset_canonical("shift-jis"), "Shift_JIS");
	assert_string_equal(charset_canonical("MS_Kanji"), "Shift_JIS");
	assert_string_equal(charset_canonical("'utf8'"), "UTF-8");
	assert_string_equal(charset_canonical("UTF-8"), "UTF-8");
	assert_string_equal(charset_canonical("koi8-u"), "KOI8-U");
	assert_string_equal(charset_canonical("cp1251"), "windows-1251");
	assert_string_equal(charset_canonical("iso-8859-9"), "windows-1254");
	assert_string_equal(charset_canonical("csISO2022JP"), "ISO-2022-JP");
	assert_null(charset_canonical("x-made-up"));
	assert_null(charset_canonical(""));
	assert_null(charset_canonical(NULL));
}

static void test_charset_windows_1252(void **state)
{
	/* ISO-8859-1 labels decode as windows-1252: curly quotes, euro */
	CONV("iso-8859-1", "\x93q\x94 \x80 caf\xe9",
	     "\xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac caf\xc3\xa9");
	CONV("us-ascii", "\x85", "\xe2\x80\xa6");
	/* the unassigned 0x81 maps to U+0081 (dropped on output) */
	CONV("windows-1252", "\x81", "\xc2\x81");
}

static void test_charset_utf8(void **state)
{
	CONV("utf-8", "ok \xc3\xa9", "ok \xc3\xa9");
	/* invalid bytes become U+FFFD and decoding goes on */
	CONV("UTF8",
	     "a\xff"
	     "b\xc3",
	     "a\xef\xbf\xbd"
	     "b\xef\xbf\xbd");
}

static void test_charset_iconv(void **state)
{
	/* GB2312 label, a GBK-only character (U+5586) */
	CONV("gb2312", "\x86\xb4", "\xe5\x96\x86");
	/* Shift_JIS with a windows-31J extension: circled one */
	CONV("x-sjis", "\x87\x40", "\xe2\x91\xa0");
	CONV("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет");
	/* ISO-2022-JP: ESC $ B ... ESC ( B */
	CONV("iso-2022-jp", "\x1b$B$3$s\x1b(B!", "こん!");
	CONV("windows-1251", "\xcf\xf0\xe8", "При");
}

static void test_charset_invalid_goes_on(void **state)
{
	/* a bad byte in Shift_JIS does not lose the rest */
	CONV("shift_jis",
	     "a\xa0"
	     "b\x82\xa0"
	     "c",
	     "a\xef\xbf\xbd"
	     "b\xe3\x81\x82"
	     "c");
	/* a truncated multibyte sequence at the end */
	CONV("gb18030", "x\x81", "x\xef\xbf\xbd");
}

static void test_charset_unknown(void **state)
{
	conv_eq("x-made-up", "ab\xe9\xe8z", 5, "ab\xef\xbf\xbd\xef\xbf\xbdz",
	        -1);
}

static void test_charset_raw(void **state)
{
	struct buf b = BUF_INIT;

	charset_raw_to_utf8("J\xc3\xbcrgen", 7, &b);
	assert_string_equal(buf_str(&b), "J\xc3\xbcrgen");
	buf_reset(&b);
	charset_raw_to_utf8("J\xfcrgen \x93", 8, &b);
	assert_string_equal(buf_str(&b), "J\xc3\xbcrgen \xe2\x80\x9c");
	buf_reset(&b);
	/* no label: the raw rule */
	assert_int_equal(charset_to_utf8(NULL, "\xe9", 1, &b), 0);
	assert_string_equal(buf_str(&b), "\xc3\xa9");
	buf_free(&b);
}

static void test_charset_cache_reuse(void **state)
{
	int i;

	/* many conversions reuse the cached descriptor and reset its
	 * state: a conversion left in JIS mode does not leak into the next */
	for (i = 0; i < 50; i++) {
		CONV("iso-2022-jp", "\x1b$B$3", "こ");
		CONV("iso-2022-jp", "ab", "ab");
	}
	charset_cache_clear();
	CONV("koi8-r", "\xf0", "П");
	charset_cache_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_charset_aliases),
	        cmocka_unit_test(test_charset_windows_1252),
	        cmocka_unit_test(test_charset_utf8),
	        cmocka_unit_test(test_charset_iconv),
	        cmocka_unit_test(test_charset_invalid_goes_on),
	        cmocka_unit_test(test_charset_unknown),
	        cmocka_unit_test(test_charset_raw),
	        cmocka_unit_test(test_charset_cache_reuse),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
