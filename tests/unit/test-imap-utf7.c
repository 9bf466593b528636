/* test-imap-utf7.c: modified UTF-7 mailbox names (RFC 3501 §5.1.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "imap/imap-utf7.h"

static const struct {
	const char *wire;
	const char *utf8;
} pairs[] = {
        {"INBOX", "INBOX"},
        {"&-", "&"},
        {"Tom &- Jerry", "Tom & Jerry"},
        {"~peter/mail/&U,BTFw-/&ZeVnLIqe-",
         "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac"
         "\xe8\xaa\x9e"},
        {"Entw&APw-rfe", "Entw\xc3\xbc"
                         "rfe"},
        {"&2D3eAA-", "\xf0\x9f\x98\x80"}, /* U+1F600: surrogate pair */
        {"[Gmail]/Gel&APY-scht", "[Gmail]/Gel\xc3\xb6scht"},
};

static void test_imap_utf7_roundtrip(void **state)
{
	struct buf b = BUF_INIT;
	struct pt_error err;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		buf_reset(&b);
		assert_int_equal(imap_utf7_decode(pairs[i].wire,
		                                  strlen(pairs[i].wire), &b,
		                                  &err),
		                 0);
		assert_string_equal(buf_str(&b), pairs[i].utf8);
		buf_reset(&b);
		assert_int_equal(imap_utf7_encode(pairs[i].utf8,
		                                  strlen(pairs[i].utf8), &b,
		                                  &err),
		                 0);
		assert_string_equal(buf_str(&b), pairs[i].wire);
	}
	buf_free(&b);
}

static void test_imap_utf7_invalid(void **state)
{
	static const char *const bad[] = {
	        "&",           /* unterminated */
	        "&AGE",        /* unterminated */
	        "&2D0-",       /* lone high surrogate */
	        "&3gA-",       /* lone low surrogate */
	        "&AG=-",       /* not modified base64 */
	        "a\x01b",      /* control */
	        "caf\xc3\xa9", /* 8-bit on the wire */
	        "&AGF-",       /* non-zero padding bits */
	};
	struct buf b = BUF_INIT;
	struct pt_error err;
	size_t i;

	buf_addstr(&b, "keep");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		        imap_utf7_decode(bad[i], strlen(bad[i]), &b, &err), -1);
		assert_int_equal(err.code, PT_E_PROTO);
		assert_string_equal(buf_str(&b), "keep");
	}
	assert_int_equal(imap_utf7_encode("\xff", 1, &b, &err), -1);
	assert_int_equal(imap_utf7_encode("\xed\xa0\x80", 3, &b, &err), -1);
	assert_int_equal(imap_utf7_encode("a\0b", 3, &b, &err), -1);
	assert_int_equal(err.code, PT_E_DATA);
	assert_string_equal(buf_str(&b), "keep");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_imap_utf7_roundtrip),
	        cmocka_unit_test(test_imap_utf7_invalid),
	};

	return cmocka_run_group_tests_name("imap-utf7", tests, NULL, NULL);
}
