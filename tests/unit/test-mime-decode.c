/* test-mime-decode.c: base64, quoted-printable and format=flowed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mime/mime-decode.h"

static void b64_eq(const char *in, const char *want, size_t want_len)
{
	struct buf b = BUF_INIT;

	mime_base64_decode(in, strlen(in), &b);
	assert_int_equal(b.len, want_len);
	assert_memory_equal(buf_str(&b), want, want_len);
	buf_free(&b);
}

static void test_mime_base64(void **state)
{
	b64_eq("aGVsbG8=", "hello", 5);
	b64_eq("aGVsbG8", "hello", 5);          /* missing padding */
	b64_eq("aGVs\r\nbG8=\r\n", "hello", 5); /* line breaks */
	b64_eq("aG!V*s b\tG8==", "hello", 5);   /* garbage, extra padding */
	b64_eq("QUJD===REVG", "ABCDEF", 6);     /* padding mid-stream */
	b64_eq("QQ==Qg==", "AB", 2);            /* concatenated encodings */
	b64_eq("A", "", 0);                     /* one lone character */
	b64_eq("", "", 0);
	b64_eq("AP8A", "\0\xff\0", 3);
}

static void qp_eq(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	mime_qp_decode(in, strlen(in), &b);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void test_mime_qp(void **state)
{
	qp_eq("caf=C3=A9", "café");
	qp_eq("caf=c3=a9", "café"); /* lowercase hex */
	qp_eq("soft=\nbreak", "softbreak");
	qp_eq("soft=\r\nbreak", "softbreak");
	qp_eq("soft= \t\r\nbreak", "softbreak"); /* blanks after '=' */
	qp_eq("keep\r\nlines\n", "keep\r\nlines\n");
	qp_eq("trailing   \nx", "trailing\nx"); /* transport padding */
	qp_eq("space=20\n", "space \n");
	qp_eq("bad=ZZ =4 =", "bad=ZZ =4 "); /* bad escapes; '=' at end */
	qp_eq("=\n", "");
	qp_eq("a=", "a");
}

static void flowed_eq(const char *in, bool delsp, const char *want)
{
	struct buf b = BUF_INIT;

	mime_flowed_decode(in, strlen(in), delsp, &b);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void test_mime_flowed(void **state)
{
	flowed_eq("one \ntwo\n", false, "one two\n");
	flowed_eq("wrapp \ned\n", true, "wrapped\n");
	flowed_eq("a \r\nb\r\n", false, "a b\n");
	/* space-stuffing removed; "From" lines */
	flowed_eq(" From me\n  two spaces\n", false, "From me\n two spaces\n");
	/* quote depth: flowed lines join only at the same depth */
	flowed_eq("> q1 \n> q2\n>> deep \n> back\n", false,
	          "> q1 q2\n>> deep \n> back\n");
	/* the signature separator is not flowed */
	flowed_eq("-- \nsig\n", false, "-- \nsig\n");
	/* a flowed last line still ends */
	flowed_eq("end ", false, "end \n");
	flowed_eq(">\n", false, ">\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_base64),
	        cmocka_unit_test(test_mime_qp),
	        cmocka_unit_test(test_mime_flowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
