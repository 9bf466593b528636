/* test-cache-queue.c: the change queue: coalescing, the user's view in
 * reads and counts, replay groups, orphans, confirmation by revision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-cache-util.h"

struct fixture {
	char *dir;
	char *path;
	struct cache *c;
	int64_t mb;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	uint32_t uid;

	f->dir = tc_tmpdir();
	f->path = tc_path(f->dir, "q.sqlite");
	f->c = tc_open(f->path);
	f->mb = tc_mailbox(f->c, "INBOX", 100);
	/* UIDs 1..10: odd ones \Seen on the server, modseq 1000 + uid. */
	for (uid = 1; uid <= 10; uid++)
		tc_put(f->c, f->mb, uid, uid % 2 ? "\\Seen" : "", 1000 + uid,
		       "a", "b");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cache_close(&f->c);
	free(f->path);
	tc_rmrf(f->dir);
	free(f);
	return 0;
}

static void edit(struct fixture *f, uint32_t uid, const char *add,
                 const char *remove, size_t want_changed)
{
	struct pt_error err = {0};
	size_t matched, changed;

	if (cache_queue_edit(f->c, f->mb, &uid, 1, add, remove, &matched,
	                     &changed, &err) != 0)
		fail_msg("queue edit: %s", err.msg);
	assert_int_equal(matched, 1);
	assert_int_equal(changed, want_changed);
}

static size_t queue_len(struct fixture *f)
{
	struct pt_error err = {0};
	struct cache_queue_list l;
	size_t n;

	assert_int_equal(cache_queue_list(f->c, 0, &l, &err), 0);
	n = l.n;
	cache_queue_list_free(&l);
	return n;
}

static char *view_of(struct fixture *f, uint32_t uid)
{
	struct pt_error err = {0};
	struct cache_msg m;
	char *v;

	assert_int_equal(cache_msg_get(f->c, f->mb, uid, &m, &err), 0);
	v = xstrdup(m.view_flags);
	cache_msg_clear(&m);
	return v;
}

static void check_view(struct fixture *f, uint32_t uid, const char *want)
{
	char *v = view_of(f, uid);

	assert_string_equal(v, want);
	free(v);
}

/* INTERFACE `flag`: edits that cancel out are removed from the queue. */
static void test_cache_queue_toggle_twice(void **state)
{
	struct fixture *f = *state;

	edit(f, 2, "\\Seen", NULL, 1);
	assert_int_equal(queue_len(f), 1);
	check_view(f, 2, "\\Seen");
	edit(f, 2, NULL, "\\Seen", 1);
	assert_int_equal(queue_len(f), 0);
	check_view(f, 2, "");
	/* The other way round on a message that has the flag. */
	edit(f, 3, NULL, "\\Seen", 1);
	edit(f, 3, "\\Seen", NULL, 1);
	assert_int_equal(queue_len(f), 0);
}

/* INTERFACE `pending`: one line per message (edits coalesced). */
static void test_cache_queue_coalesce(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list l;

	edit(f, 4, "\\Flagged", NULL, 1);
	edit(f, 4, "$Work", NULL, 1);
	edit(f, 4, "\\Seen", NULL, 1);
	edit(f, 4, NULL, "\\Flagged", 1);
	assert_int_equal(cache_queue_list(f->c, f->mb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].mailbox, "INBOX");
	assert_int_equal(l.v[0].uid, 4);
	assert_int_equal(l.v[0].uidvalidity, 100);
	assert_string_equal(l.v[0].add, "$Work \\Seen");
	assert_string_equal(l.v[0].remove, "");
	assert_int_equal(l.v[0].base_modseq, 1004);
	assert_int_equal(l.v[0].state, CACHE_QUEUE_PENDING);
	assert_true(l.v[0].created > 0);
	cache_queue_list_free(&l);
	check_view(f, 4, "$Work \\Seen");
}

/* An edit that changes nothing in the user's view is not queued. */
static void test_cache_queue_noop_not_queued(void **state)
{
	struct fixture *f = *state;

	edit(f, 1, "\\Seen", NULL, 0); /* the server has it */
	edit(f, 2, NULL, "\\Seen", 0); /* the server lacks it */
	edit(f, 2, "\\seen", "", 1);   /* any spelling */
	edit(f, 2, "\\Seen", NULL, 0); /* already queued */
	assert_int_equal(queue_len(f), 1);
}

/* The base is the modseq the user saw when first editing the message; a
 * later server change does not move it, and the row only keeps what the
 * server does not show yet. */
static void test_cache_queue_base_and_server_changes(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list l;
	uint64_t ms = 2000;

	edit(f, 6, "\\Seen", NULL, 1);
	/* Another device sets \Seen and \Answered. */
	assert_int_equal(cache_msg_set_flags(f->c, f->mb, 6,
	                                     "\\Seen \\Answered", &ms, NULL,
	                                     &err),
	                 0);
	check_view(f, 6, "\\Answered \\Seen");
	edit(f, 6, "\\Flagged", NULL, 1);
	assert_int_equal(cache_queue_list(f->c, f->mb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].add, "\\Flagged");
	assert_int_equal(l.v[0].base_modseq, 1006);
	cache_queue_list_free(&l);
	/* Unread again: now a removal, since the server has \Seen. */
	edit(f, 6, NULL, "\\Seen", 1);
	assert_int_equal(cache_queue_list(f->c, f->mb, &l, &err), 0);
	assert_string_equal(l.v[0].add, "\\Flagged");
	assert_string_equal(l.v[0].remove, "\\Seen");
	cache_queue_list_free(&l);
	check_view(f, 6, "\\Answered \\Flagged");
}

/* BASE_MODSEQ is 0 where the mailbox has no modseqs. */
static void test_cache_queue_base_zero_without_modseq(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list l;

	tc_put(f->c, f->mb, 50, "", 0, "a", "b");
	edit(f, 50, "\\Deleted", NULL, 1);
	assert_int_equal(cache_queue_list(f->c, 0, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].base_modseq, 0);
	cache_queue_list_free(&l);
}

static void test_cache_queue_bad_edits(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	uint32_t uids[] = {1, 2, 99};
	size_t matched, changed;

	assert_int_equal(cache_queue_edit(f->c, f->mb, uids, 1, "\\Seen",
	                                  "\\seen", NULL, NULL, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_DATA);
	assert_int_equal(cache_queue_edit(f->c, f->mb, uids, 1, "bad(flag",
	                                  NULL, NULL, NULL, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_DATA);
	assert_int_equal(cache_queue_edit(f->c, f->mb + 50, uids, 1, "\\Seen",
	                                  NULL, NULL, NULL, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
	/* UIDs not cached are skipped. */
	assert_int_equal(cache_queue_edit(f->c, f->mb, uids, 3, "\\Flagged",
	                                  NULL, &matched, &changed, &err),
	                 0);
	assert_int_equal(matched, 2);
	assert_int_equal(changed, 2);
	assert_int_equal(queue_len(f), 2);
}

/* INTERFACE `mailboxes`: UNSEEN counts the user's view. */
static void test_cache_queue_view_in_counts(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_mailbox_list l;
	uint64_t msgs, unseen;

	assert_int_equal(
	        cache_mailbox_counts(f->c, f->mb, &msgs, &unseen, &err), 0);
	assert_int_equal(msgs, 10);
	assert_int_equal(unseen, 5);
	edit(f, 2, "\\Seen", NULL, 1);    /* read: -1 */
	edit(f, 4, "\\Seen", NULL, 1);    /* read: -1 */
	edit(f, 1, NULL, "\\Seen", 1);    /* unread: +1 */
	edit(f, 6, "\\Flagged", NULL, 1); /* no effect */
	assert_int_equal(
	        cache_mailbox_counts(f->c, f->mb, &msgs, &unseen, &err), 0);
	assert_int_equal(unseen, 4);
	assert_int_equal(cache_mailbox_list(f->c, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].messages, 10);
	assert_int_equal(l.v[0].unseen, 4);
	cache_mailbox_list_free(&l);
}

/* Replay: identical edits grouped so one UID STORE carries a UID set;
 * rows awaiting the user and orphans stay out. */
static void test_cache_queue_groups(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_groups g;
	struct cache_queue_list l;

	edit(f, 8, "\\Flagged", NULL, 1);
	edit(f, 2, "\\Seen", NULL, 1);
	edit(f, 6, "\\Flagged", NULL, 1);
	edit(f, 4, "\\Flagged", NULL, 1);
	edit(f, 10, "\\Flagged", NULL, 1);
	assert_int_equal(cache_queue_list(f->c, f->mb, &l, &err), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[0].uid, 8); /* queue order */
	assert_int_equal(l.v[4].uid, 10);
	assert_int_equal(cache_queue_set_state(f->c, l.v[4].id,
	                                       CACHE_QUEUE_AWAITING_USER, &err),
	                 0);
	cache_queue_list_free(&l);
	assert_int_equal(cache_msg_delete(f->c, f->mb, 6, &err), 0);
	assert_int_equal(cache_queue_groups(f->c, f->mb, &g, &err), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].add, "\\Flagged");
	assert_int_equal(g.v[0].n, 2);
	assert_int_equal(g.v[0].items[0].uid, 4);
	assert_int_equal(g.v[0].items[0].base_modseq, 1004);
	assert_int_equal(g.v[0].items[1].uid, 8);
	assert_string_equal(g.v[1].add, "\\Seen");
	assert_int_equal(g.v[1].items[0].uid, 2);
	cache_queue_groups_free(&g);
	/* The expunged message's edit is an orphan, to be reported. */
	assert_int_equal(cache_queue_orphans(f->c, f->mb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].uid, 6);
	assert_int_equal(cache_queue_remove(f->c, l.v[0].id, &err), 0);
	cache_queue_list_free(&l);
	assert_int_equal(queue_len(f), 4);
}

/* The sync engine confirms the revision it sent; an edit made meanwhile
 * (by the UI thread) survives the confirmation. */
static void test_cache_queue_done_by_revision(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_groups g;
	int64_t id, rev;
	bool removed;

	edit(f, 2, "\\Seen", NULL, 1);
	assert_int_equal(cache_queue_groups(f->c, f->mb, &g, &err), 0);
	id = g.v[0].items[0].id;
	rev = g.v[0].items[0].rev;
	cache_queue_groups_free(&g);
	edit(f, 2, "\\Flagged", NULL, 1);
	assert_int_equal(cache_queue_done(f->c, id, rev, &removed, &err), 0);
	assert_false(removed);
	assert_int_equal(queue_len(f), 1);
	assert_int_equal(cache_queue_set_base(f->c, id, 5000, &err), 0);
	assert_int_equal(cache_queue_groups(f->c, f->mb, &g, &err), 0);
	assert_int_equal(g.v[0].items[0].base_modseq, 5000);
	rev = g.v[0].items[0].rev;
	cache_queue_groups_free(&g);
	assert_int_equal(cache_queue_done(f->c, id, rev, &removed, &err), 0);
	assert_true(removed);
	assert_int_equal(queue_len(f), 0);
}

/* Queued edits of an older UIDVALIDITY never leak into the view of the
 * new messages (Q-13, Q-72: UIDs are not comparable across them). */
static void test_cache_queue_other_uidvalidity_ignored(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list l;
	uint64_t msgs, unseen;
	sqlite3 *db;

	edit(f, 2, "\\Seen", NULL, 1);
	/* A stale row (as if left by a crash between two steps). */
	db = tc_raw(f->path);
	tc_exec(db, "UPDATE queue SET uidvalidity = 99");
	sqlite3_close(db);
	check_view(f, 2, "");
	assert_int_equal(
	        cache_mailbox_counts(f->c, f->mb, &msgs, &unseen, &err), 0);
	assert_int_equal(unseen, 5);
	assert_int_equal(cache_queue_orphans(f->c, f->mb, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].uidvalidity, 99);
	cache_queue_list_free(&l);
}

/* The UI thread queues an edit through its own connection while the sync
 * thread's connection is open. */
static void test_cache_queue_two_connections(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache *ui = tc_open(f->path);
	uint32_t uid = 2;

	assert_int_equal(cache_queue_edit(ui, f->mb, &uid, 1, "\\Seen", NULL,
	                                  NULL, NULL, &err),
	                 0);
	cache_close(&ui);
	assert_int_equal(queue_len(f), 1);
	check_view(f, 2, "\\Seen");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	        T(test_cache_queue_toggle_twice),
	        T(test_cache_queue_coalesce),
	        T(test_cache_queue_noop_not_queued),
	        T(test_cache_queue_base_and_server_changes),
	        T(test_cache_queue_base_zero_without_modseq),
	        T(test_cache_queue_bad_edits),
	        T(test_cache_queue_view_in_counts),
	        T(test_cache_queue_groups),
	        T(test_cache_queue_done_by_revision),
	        T(test_cache_queue_other_uidvalidity_ignored),
	        T(test_cache_queue_two_connections),
	};
#undef T

	return cmocka_run_group_tests_name("cache-queue", tests, NULL, NULL);
}
