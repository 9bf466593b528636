/* test-buf.c: the growable buffer and allocation helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/xmalloc.h"

static void test_buf_add_grow(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	assert_string_equal(buf_str(&b), "");
	for (i = 0; i < 1000; i++)
		buf_addstr(&b, "ab");
	assert_int_equal(b.len, 2000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + 1998, "ab", 2);
	buf_free(&b);
	assert_null(b.data);
}

static void test_buf_binary_and_consume(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	buf_add(&b, "a\0b", 3);
	buf_printf(&b, "%d-%s", 42, "x");
	assert_int_equal(b.len, 7);
	buf_consume(&b, 2);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "b42-x", 5);
	buf_consume(&b, 99);
	assert_int_equal(b.len, 0);
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

static void test_xasprintf(void **state)
{
	char *s = xasprintf("%s=%u", "uid", 4294967295u);

	assert_string_equal(s, "uid=4294967295");
	free(s);
}

static void test_error_exit_status(void **state)
{
	struct pt_error err;

	assert_int_equal(pt_error_set(&err, PT_E_CONFIG, "bad %s", "key"), -1);
	assert_string_equal(err.msg, "bad key");
	assert_int_equal(pt_error_exit_status(err.code), 78);
	assert_int_equal(pt_error_exit_status(PT_E_TLS), 77);
	assert_int_equal(pt_error_exit_status(PT_E_PROTO), 76);
	assert_int_equal(pt_error_exit_status(PT_E_CONFLICT), 75);
	assert_int_equal(pt_error_exit_status(PT_E_CONN), 69);
	assert_int_equal(pt_error_exit_status(PT_E_USAGE), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_buf_add_grow),
	        cmocka_unit_test(test_buf_binary_and_consume),
	        cmocka_unit_test(test_xasprintf),
	        cmocka_unit_test(test_error_exit_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
