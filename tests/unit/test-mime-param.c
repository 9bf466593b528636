/* test-mime-param.c: MIME parameters, RFC 2045 quoting and RFC 2231. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime-param.h"

struct parsed {
	char *token;
	struct mime_param_list params;
};

static void parse(const char *s, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	mime_param_parse(s, strlen(s), &p->token, &p->params);
}

static void parsed_free(struct parsed *p)
{
	free(p->token);
	mime_param_list_free(&p->params);
}

static void test_mime_param_basic(void **state)
{
	struct parsed p;

	parse("Text/HTML ; Charset=\"UTF-8\"; format=flowed ;delsp=yes", &p);
	assert_string_equal(p.token, "text/html");
	assert_string_equal(mime_param_get(&p.params, "charset"), "UTF-8");
	assert_string_equal(mime_param_get(&p.params, "format"), "flowed");
	assert_string_equal(mime_param_get(&p.params, "delsp"), "yes");
	assert_null(mime_param_get(&p.params, "name"));
	parsed_free(&p);
}

static void test_mime_param_quoting(void **state)
{
	struct parsed p;

	parse("attachment; filename=\"a \\\"b\\\"; c.txt\"; size=3", &p);
	assert_string_equal(p.token, "attachment");
	assert_string_equal(mime_param_get(&p.params, "filename"),
	                    "a \"b\"; c.txt");
	assert_string_equal(mime_param_get(&p.params, "size"), "3");
	parsed_free(&p);
	/* unquoted value with spaces, unterminated quote, comment in token */
	parse("multipart/mixed (comment); name=my file.pdf ; x=\"open", &p);
	assert_string_equal(p.token, "multipart/mixed");
	assert_string_equal(mime_param_get(&p.params, "name"), "my file.pdf");
	assert_string_equal(mime_param_get(&p.params, "x"), "open");
	parsed_free(&p);
	/* empty and broken pieces are skipped */
	parse("text/plain;;; =x; novalue; a=1", &p);
	assert_int_equal(p.params.count, 1);
	assert_string_equal(mime_param_get(&p.params, "a"), "1");
	parsed_free(&p);
}

static void test_mime_param_2231(void **state)
{
	struct parsed p;

	/* RFC 2231 section 4 */
	parse("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
	      &p);
	assert_string_equal(mime_param_get(&p.params, "title"),
	                    "This is ***fun***");
	parsed_free(&p);
	/* section 4.1: continuations, mixing encoded and plain sections,
	 * out of order */
	parse("message/external-body; access-type=URL;"
	      " url*1*=%2Fdir%2F; url*0*=us-ascii''ftp%3A%2F%2Fhost;"
	      " url*2=\"file name\"",
	      &p);
	assert_string_equal(mime_param_get(&p.params, "url"),
	                    "ftp://host/dir/file name");
	parsed_free(&p);
	/* UTF-8 split mid-character across sections, with a language */
	parse("attachment; filename*0*=UTF-8'de'%C3; filename*1*=%A9t%C3%A9.txt",
	      &p);
	assert_string_equal(mime_param_get(&p.params, "filename"), "été.txt");
	parsed_free(&p);
	/* charset conversion, and the 2231 form beats the plain one */
	parse("attachment; filename=\"fallback\"; filename*=iso-8859-1''caf%E9",
	      &p);
	assert_string_equal(mime_param_get(&p.params, "filename"), "café");
	parsed_free(&p);
	/* bad %-escapes stay, missing quotes tolerated */
	parse("a; n*=utf-8''100%ZZ%4", &p);
	assert_string_equal(mime_param_get(&p.params, "n"), "100%ZZ%4");
	parsed_free(&p);
	parse("a; n*=no-quotes%41", &p);
	assert_string_equal(mime_param_get(&p.params, "n"), "no-quotesA");
	parsed_free(&p);
}

static void test_mime_param_2047_in_value(void **state)
{
	struct parsed p;

	parse("image/png; name=\"=?utf-8?B?w7xiZXIucG5n?=\"", &p);
	assert_string_equal(mime_param_get(&p.params, "name"), "über.png");
	parsed_free(&p);
	/* raw 8-bit: UTF-8 when valid, else windows-1252 */
	parse("a; n=\"caf\xe9\"; m=\"caf\xc3\xa9\"", &p);
	assert_string_equal(mime_param_get(&p.params, "n"), "café");
	assert_string_equal(mime_param_get(&p.params, "m"), "café");
	parsed_free(&p);
}

static void test_mime_param_limits(void **state)
{
	struct parsed p;
	char *s = malloc(1000 * 8 + 16), *q = s;
	int i;

	q += sprintf(q, "a/b");
	for (i = 0; i < 1000; i++)
		q += sprintf(q, "; p%d=1", i);
	parse(s, &p);
	assert_int_equal(p.params.count, MIME_MAX_PARAMS);
	parsed_free(&p);
	/* a huge section number is ignored, not allocated */
	parse("a; f*99999999999*=x; f*0=y", &p);
	assert_string_equal(mime_param_get(&p.params, "f"), "y");
	parsed_free(&p);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_param_basic),
	        cmocka_unit_test(test_mime_param_quoting),
	        cmocka_unit_test(test_mime_param_2231),
	        cmocka_unit_test(test_mime_param_2047_in_value),
	        cmocka_unit_test(test_mime_param_limits),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
