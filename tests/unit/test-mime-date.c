/* test-mime-date.c: RFC 5322 dates and the broken forms of real mail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mime/mime-date.h"

static const struct {
	const char *in;
	const char *want; /* NULL: must be rejected */
} date_cases[] = {
        {"Tue, 05 Mar 2024 11:15:30 +0100", "2024-03-05T10:15:30Z"},
        {"Tue, 5 Mar 2024 11:15:30 -0230", "2024-03-05T13:45:30Z"},
        {"5 Mar 2024 11:15:30 +0000", "2024-03-05T11:15:30Z"},
        {"Tue, 05 Mar 24 11:15:30 +0000", "2024-03-05T11:15:30Z"},
        {"Fri, 13 Feb 70 23:31:30 GMT", "1970-02-13T23:31:30Z"},
        {"Wed, 1 Jan 099 00:00:00 +0000", "1999-01-01T00:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 EST", "2024-07-01T17:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 PDT", "2024-07-01T19:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 UT", "2024-07-01T12:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 Z", "2024-07-01T12:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 cest", "2024-07-01T10:00:00Z"},
        {"Mon, 1 Jul 2024 12:00 +0200", "2024-07-01T10:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00", "2024-07-01T12:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 +0200 (CEST)", "2024-07-01T10:00:00Z"},
        {"(comment) Mon,(x) 1 Jul (y) 2024 12:00:00 +0000",
         "2024-07-01T12:00:00Z"},
        {"1-Jul-2024 12:00:00 +0000", "2024-07-01T12:00:00Z"},
        {"Monday, July 1, 2024 12:00:00 PM +0000", "2024-07-01T12:00:00Z"},
        {"Jul 1 2024 1:05:09 am", "2024-07-01T01:05:09Z"},
        {"Mon Jul  1 12:00:00 2024", "2024-07-01T12:00:00Z"},
        {"2024-07-01T12:00:00Z", "2024-07-01T12:00:00Z"},
        {"2024-07-01 12:00:00 -05:00", "2024-07-01T17:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00 GMT+0100", "2024-07-01T11:00:00Z"},
        {"Mon, 1 Jul 2024 12:00:00.123 +0000", "2024-07-01T12:00:00Z"},
        {"Thu, 29 Feb 2024 00:00:00 +0000", "2024-02-29T00:00:00Z"},
        {"Sun, 31 Dec 2023 23:59:59 -1200", "2024-01-01T11:59:59Z"},
        {"Mon, 1 Jul 2024 12:00:00 +1400", "2024-06-30T22:00:00Z"},
        {"", NULL},
        {"sometime last week", NULL},
        {"Mon, 1 Jul 2024", NULL},                 /* no time */
        {"Thu, 29 Feb 2023 00:00:00 +0000", NULL}, /* not a leap year */
        {"Mon, 32 Jul 2024 12:00:00 +0000", NULL},
        {"Mon, 1 Jul 2024 25:00:00 +0000", NULL},
        {"Mon, 1 Jul 2024 12:61:00 +0000", NULL},
        {"Mon, 1 Jul 2024 12:00:00 +2500", NULL},
        {"1 2 3 12:00", NULL},
        {"Mon, 1 Jul 12345 12:00:00 +0000", NULL},
};

static void test_mime_date_table(void **state)
{
	char out[MIME_DATE_LEN];
	size_t i;
	time_t t;
	int rc;

	for (i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
		rc = mime_date_parse(date_cases[i].in, strlen(date_cases[i].in),
		                     &t);
		if (date_cases[i].want == NULL) {
			if (rc == 0)
				fail_msg("accepted: \"%s\"", date_cases[i].in);
			continue;
		}
		if (rc != 0)
			fail_msg("rejected: \"%s\"", date_cases[i].in);
		mime_date_format(t, out);
		if (strcmp(out, date_cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", date_cases[i].in,
			         out, date_cases[i].want);
	}
}

static void test_mime_date_format(void **state)
{
	char out[MIME_DATE_LEN];

	mime_date_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	mime_date_format(1709633730, out);
	assert_string_equal(out, "2024-03-05T10:15:30Z");
}

static void test_mime_date_long_input(void **state)
{
	char *s = malloc(100000);
	time_t t;

	memset(s, 'x', 99999);
	s[99999] = '\0';
	assert_int_equal(mime_date_parse(s, strlen(s), &t), -1);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_date_table),
	        cmocka_unit_test(test_mime_date_format),
	        cmocka_unit_test(test_mime_date_long_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
