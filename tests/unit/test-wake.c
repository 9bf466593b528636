/* test-wake.c: the wake-up descriptor wakes a poller across threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include "common/wake.h"

static int readable(struct wake *w, int timeout_ms)
{
	struct pollfd pfd = {.fd = wake_fd(w), .events = POLLIN};

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

static void test_wake_coalesces(void **state)
{
	struct wake *w = wake_new();

	assert_non_null(w);
	assert_false(readable(w, 0));
	assert_int_equal(wake_drain(w), 0);
	wake_notify(w);
	wake_notify(w);
	assert_true(readable(w, 0));
	assert_int_equal(wake_drain(w), 1);
	assert_false(readable(w, 0));
	wake_free(w);
}

static void *notifier(void *arg)
{
	usleep(20000);
	wake_notify(arg);
	return NULL;
}

static void test_wake_across_threads(void **state)
{
	struct wake *w = wake_new();
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, notifier, w), 0);
	assert_true(readable(w, 5000));
	pthread_join(t, NULL);
	wake_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_wake_coalesces),
	        cmocka_unit_test(test_wake_across_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
