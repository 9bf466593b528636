/* test-cache-flags.c: the canonical flag list (normalize, apply, compare). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cache/cache-flags.h"
#include "common/xmalloc.h"

static void check_norm(const char *in, const char *want)
{
	struct pt_error err = {0};
	char *out = NULL;

	if (cache_flags_normalize(in, &out, &err) != 0)
		fail_msg("normalize \"%s\": %s", in ? in : "(null)", err.msg);
	assert_string_equal(out, want);
	free(out);
}

static void check_bad(const char *in)
{
	struct pt_error err = {0};
	char *out = NULL;

	assert_int_equal(cache_flags_normalize(in, &out, &err), -1);
	assert_int_equal(err.code, PT_E_DATA);
	assert_null(out);
}

/* INTERFACE `ls` FLAGS: sorted by byte value, \Recent never shown. */
static void test_cache_flags_normalize(void **state)
{
	check_norm(NULL, "");
	check_norm("", "");
	check_norm("  \t ", "");
	check_norm("\\Seen", "\\Seen");
	check_norm("\\seen \\FLAGGED $Junk", "$Junk \\Flagged \\Seen");
	check_norm("\\Recent \\Deleted \\recent", "\\Deleted");
	check_norm("b a B A", "a b"); /* the first spelling wins */
	check_norm("\\Seen \\Seen  \\SEEN", "\\Seen");
	check_norm("\\Answered \\Draft NonJunk", "NonJunk \\Answered \\Draft");
	check_norm("\\Custom", "\\Custom");
}

static void test_cache_flags_invalid(void **state)
{
	char *big;

	check_bad("\\");
	check_bad("a(b");
	check_bad("x\"y");
	check_bad("tab\x01");
	check_bad("caf\xc3\xa9");
	check_bad("a\\b");
	check_bad("\\*");
	check_bad("br]cket");
	big = xmalloc(CACHE_FLAGS_MAX_LEN + 2);
	memset(big, 'a', CACHE_FLAGS_MAX_LEN + 1);
	big[CACHE_FLAGS_MAX_LEN + 1] = '\0';
	check_bad(big);
	free(big);
}

static void test_cache_flags_apply(void **state)
{
	char *s;

	s = cache_flags_apply("$Work \\Seen", "\\Flagged", "\\Seen");
	assert_string_equal(s, "$Work \\Flagged");
	free(s);
	s = cache_flags_apply(NULL, "\\Seen", NULL);
	assert_string_equal(s, "\\Seen");
	free(s);
	s = cache_flags_apply("\\Seen", "\\Seen", NULL);
	assert_string_equal(s, "\\Seen");
	free(s);
	s = cache_flags_apply("$junk", "$Junk", NULL); /* case-insensitive */
	assert_string_equal(s, "$junk");
	free(s);
	s = cache_flags_minus("a b c", "b");
	assert_string_equal(s, "a c");
	free(s);
	assert_true(cache_flags_has("$Junk \\Seen", "\\seen"));
	assert_false(cache_flags_has("$Junk \\Seen", "\\Flagged"));
	assert_false(cache_flags_has("", "\\Seen"));
	assert_true(cache_flags_equal("", NULL));
	assert_true(cache_flags_equal("a \\Seen", "a \\Seen"));
	assert_false(cache_flags_equal("a", "a b"));
	assert_false(cache_flags_equal("a b", "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cache_flags_normalize),
	        cmocka_unit_test(test_cache_flags_invalid),
	        cmocka_unit_test(test_cache_flags_apply),
	};

	return cmocka_run_group_tests_name("cache-flags", tests, NULL, NULL);
}
