/* test-cache-crash.c: a process killed with SIGKILL in the middle of a
 * transaction loses that transaction only: the file passes SQLite's and
 * FTS5's integrity checks, committed rows and queued edits are intact, and
 * each committed batch is whole together with its HIGHESTMODSEQ (Q-68:
 * "kill -9 halfway through resync; the old value is still stored"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test-cache-util.h"

#define BATCH 500

struct fixture {
	char *dir;
	char *path;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = tc_tmpdir();
	f->path = tc_path(f->dir, "crash.sqlite");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->path);
	tc_rmrf(f->dir);
	free(f);
	return 0;
}

/* In the child: no cmocka, just an exit status. */
static void child_put(struct cache *c, int64_t mb, uint32_t uid)
{
	struct pt_error err = {0};
	struct cache_msg m = {0};

	m.uid = uid;
	m.has_modseq = true;
	m.modseq = uid;
	m.internaldate = uid;
	m.from = "Crash Test <crash@example.org>";
	m.subject = "a message written while the process may die";
	if (cache_msg_put(c, mb, &m, &err) != 0)
		_exit(3);
}

static void signal_parent(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(4);
}

/* Start one transaction and write into it until killed. */
static void child_big_transaction(const char *path, int64_t mb, int fd)
{
	struct pt_error err = {0};
	struct cache *c = NULL;
	uint32_t uid, one = 1;

	if (cache_open(path, 0, &c, &err) != 0 || cache_begin(c, &err) != 0)
		_exit(2);
	/* Changes to the queue in the doomed transaction must vanish. */
	if (cache_queue_edit(c, mb, &one, 1, NULL, "\\Flagged", NULL, NULL,
	                     &err) != 0)
		_exit(5);
	for (uid = 1000; uid < 4000000; uid++) {
		child_put(c, mb, uid);
		if (uid == 3000)
			signal_parent(fd);
	}
	_exit(6); /* never reached in time */
}

/* Commit batches (messages, a queued edit, HIGHESTMODSEQ) until killed. */
static void child_batches(const char *path, int64_t mb, int fd)
{
	struct pt_error err = {0};
	struct cache *c = NULL;
	uint32_t uid = 0;
	uint64_t batch;

	if (cache_open(path, 0, &c, &err) != 0 ||
	    cache_msg_max_uid(c, mb, &uid, &err) != 0)
		_exit(2);
	for (batch = uid / BATCH + 1;; batch++) {
		uint32_t first = uid + 1;

		if (cache_begin(c, &err) != 0)
			_exit(2);
		while (uid < first + BATCH - 1)
			child_put(c, mb, ++uid);
		if (cache_queue_edit(c, mb, &first, 1, "\\Seen", NULL, NULL,
		                     NULL, &err) != 0 ||
		    cache_mailbox_set_highestmodseq(c, mb, &batch, &err) != 0 ||
		    cache_commit(c, &err) != 0)
			_exit(7);
		if (fd >= 0) { /* after the first commit */
			signal_parent(fd);
			close(fd);
			fd = -1;
		}
	}
}

/* Run fn in a child, wait for its signal, let it run delay_ms more, and
 * kill it with SIGKILL. */
static void run_and_kill(const char *path, int64_t mb,
                         void (*fn)(const char *, int64_t, int), int delay_ms)
{
	struct timespec ts = {0, (long)delay_ms * 1000000L};
	int fds[2], status;
	char ch;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		fn(path, mb, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &ch, 1) != 1) {
		waitpid(pid, &status, 0);
		fail_msg("child ended early, status %d", status);
	}
	close(fds[0]);
	nanosleep(&ts, NULL);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void check_integrity(const char *path)
{
	sqlite3 *db = tc_raw(path);
	char *ok = tc_text(db, "PRAGMA integrity_check");

	assert_string_equal(ok, "ok");
	free(ok);
	tc_exec(db, "INSERT INTO msg_fts (msg_fts, rank)"
	            " VALUES ('integrity-check', 1)");
	sqlite3_close(db);
}

static void test_cache_crash_mid_transaction(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list q;
	struct cache *c = tc_open(f->path);
	uint32_t uids[] = {1, 2, 3};
	uint64_t n;
	int64_t mb = tc_mailbox(c, "INBOX", 1);
	uint32_t uid;

	for (uid = 1; uid <= 10; uid++)
		tc_put(c, mb, uid, "", uid, "a", "b");
	assert_int_equal(cache_queue_edit(c, mb, uids, 3, "\\Flagged", NULL,
	                                  NULL, NULL, &err),
	                 0);
	cache_close(&c);

	run_and_kill(f->path, mb, child_big_transaction, 20);

	check_integrity(f->path);
	c = tc_open(f->path);
	assert_int_equal(cache_msg_count(c, mb, &n, &err), 0);
	assert_int_equal(n, 10);
	assert_int_equal(cache_queue_list(c, mb, &q, &err), 0);
	assert_int_equal(q.n, 3);
	for (uid = 0; uid < 3; uid++) {
		assert_int_equal(q.v[uid].uid, uid + 1);
		assert_string_equal(q.v[uid].add, "\\Flagged");
		assert_int_equal(q.v[uid].base_modseq, uid + 1);
	}
	cache_queue_list_free(&q);
	/* The cache is usable: the next transaction works. */
	tc_put(c, mb, 11, "", 11, "a", "b");
	cache_close(&c);
}

/* Several kills at arbitrary points of a stream of commits: every batch
 * is all or nothing, and the baseline matches the batches present. */
static void test_cache_crash_between_commits(void **state)
{
	static const int delays[] = {0, 7, 31, 3};
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_mailbox info;
	struct cache_queue_list q;
	struct cache *c = tc_open(f->path);
	int64_t mb = tc_mailbox(c, "INBOX", 1);
	uint64_t n, prev = 0;
	size_t i;

	cache_close(&c);
	for (i = 0; i < sizeof delays / sizeof *delays; i++) {
		run_and_kill(f->path, mb, child_batches, delays[i]);
		check_integrity(f->path);
		c = tc_open(f->path);
		assert_int_equal(cache_msg_count(c, mb, &n, &err), 0);
		assert_int_equal(n % BATCH, 0);
		assert_true(n > prev);
		prev = n;
		assert_int_equal(cache_mailbox_get_id(c, mb, &info, &err), 0);
		assert_true(info.has_highestmodseq);
		assert_int_equal(info.highestmodseq, n / BATCH);
		cache_mailbox_clear(&info);
		assert_int_equal(cache_queue_list(c, mb, &q, &err), 0);
		assert_int_equal(q.n, n / BATCH);
		assert_int_equal(q.v[q.n - 1].uid, n - BATCH + 1);
		cache_queue_list_free(&q);
		cache_close(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_cache_crash_mid_transaction, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_crash_between_commits, setup, teardown),
	};

	return cmocka_run_group_tests_name("cache-crash", tests, NULL, NULL);
}
