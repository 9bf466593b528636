/* test-cache.c: opening the cache (file modes, WAL, migrations), the
 * mailbox state, message rows, page reads, bodies and transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "cache/cache-private.h"
#include "test-cache-util.h"

struct fixture {
	char *dir;
	char *path;
	struct cache *c;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = tc_tmpdir();
	f->path = tc_path(f->dir, "account.sqlite");
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

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* INTERFACE.md: the cache file and its directory are created 0600/0700,
 * whatever the umask -- also the WAL side files. */
static void check_modes(struct fixture *f, mode_t mask)
{
	char *sub = tc_path(f->dir, "a/b");
	char *path = tc_path(sub, "c.sqlite");
	char *wal = xasprintf("%s-wal", path);
	char *shm = xasprintf("%s-shm", path);
	mode_t old = umask(mask);
	struct pt_error err = {0};
	struct cache *c = NULL;
	int64_t id;

	assert_int_equal(cache_open(path, 0, &c, &err), 0);
	umask(old);
	assert_int_equal(
	        cache_mailbox_upsert(c, "INBOX", NULL, '/', 0, true, &id, &err),
	        0);
	assert_int_equal(mode_of(sub), 0700);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	cache_close(&c);
	free(sub);
	free(path);
	free(wal);
	free(shm);
}

static void test_cache_open_modes_umask0(void **state)
{
	check_modes(*state, 0);
}

static void test_cache_open_modes_umask077(void **state)
{
	check_modes(*state, 077);
}

/* A side file left with loose permissions is tightened. */
static void test_cache_open_fixes_side_modes(void **state)
{
	struct fixture *f = *state;
	char *shm = xasprintf("%s-shm", f->path);

	f->c = tc_open(f->path);
	cache_close(&f->c);
	if (access(shm, F_OK) != 0) {
		FILE *fp = fopen(shm, "w");

		assert_non_null(fp);
		fclose(fp);
	}
	assert_int_equal(chmod(shm, 0644), 0);
	f->c = tc_open(f->path);
	assert_int_equal(mode_of(shm), 0600);
	free(shm);
}

static void test_cache_open_wal(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	char *mode;

	f->c = tc_open(f->path);
	db = tc_raw(f->path);
	mode = tc_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	assert_int_equal(tc_scalar(db, "PRAGMA user_version"),
	                 cache_schema_version());
	free(mode);
	sqlite3_close(db);
}

static void test_cache_open_readonly(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache *ro = NULL;
	struct cache_mailbox mb;
	int64_t id;

	assert_int_equal(cache_open(f->path, CACHE_OPEN_READONLY, &ro, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
	assert_int_equal(access(f->path, F_OK), -1); /* not created */
	f->c = tc_open(f->path);
	tc_mailbox(f->c, "INBOX", 7);
	assert_int_equal(cache_open(f->path, CACHE_OPEN_READONLY, &ro, &err),
	                 0);
	assert_int_equal(cache_mailbox_get(ro, "INBOX", &mb, &err), 0);
	assert_int_equal(mb.uidvalidity, 7);
	cache_mailbox_clear(&mb);
	assert_int_equal(
	        cache_mailbox_upsert(ro, "X", NULL, '/', 0, false, &id, &err),
	        -1);
	assert_int_equal(err.code, PT_E_CACHE);
	cache_close(&ro);
	assert_null(ro);
}

/* An old file (here: version 0 with nothing in it) is upgraded. */
static void test_cache_migrate_from_empty(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = tc_raw(f->path);

	tc_exec(db, "PRAGMA user_version=0");
	sqlite3_close(db);
	f->c = tc_open(f->path);
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "PRAGMA user_version"),
	                 CACHE_SCHEMA_VERSION);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM sqlite_schema"
	                               " WHERE name = 'msg_fts'"),
	                 1);
	sqlite3_close(db);
}

/* A version-1 file holding data gets migration 2 (the full-text index,
 * built from the existing rows) and keeps its data. */
static void test_cache_migrate_from_v1(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = tc_raw(f->path);
	struct pt_error err = {0};
	struct cache_uidlist l;
	struct cache_mailbox mb;

	tc_exec(db, cache_schema_migration_sql(1));
	tc_exec(db, "INSERT INTO mailboxes (id, name, uidvalidity,"
	            " highestmodseq) VALUES (1, 'INBOX', 42, 900);"
	            "INSERT INTO messages (mailbox_id, uid, flags, from_addr,"
	            " subject) VALUES (1, 5, '\\Seen', 'Zoë <z@example.org>',"
	            " 'Quarterly numbers');"
	            "INSERT INTO queue (mailbox_id, uidvalidity, uid,"
	            " add_flags, created) VALUES (1, 42, 5, '\\Flagged', 1);"
	            "PRAGMA user_version=1");
	sqlite3_close(db);
	f->c = tc_open(f->path);
	assert_int_equal(cache_mailbox_get(f->c, "INBOX", &mb, &err), 0);
	assert_int_equal(mb.uidvalidity, 42);
	assert_true(mb.has_highestmodseq);
	assert_int_equal(mb.highestmodseq, 900);
	assert_int_equal(
	        cache_fts_search(f->c, mb.id, "from:zoe", NULL, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.uids[0], 5);
	cache_uidlist_free(&l);
	cache_mailbox_clear(&mb);
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM queue"), 1);
	assert_int_equal(tc_scalar(db, "PRAGMA user_version"),
	                 CACHE_SCHEMA_VERSION);
	sqlite3_close(db);
}

/* A migration that fails leaves the file exactly as it was: nothing is
 * dropped, the version does not move. */
static void test_cache_migrate_failure_rolls_back(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = tc_raw(f->path);
	struct pt_error err = {0};
	struct cache *c = NULL;

	tc_exec(db, "CREATE TABLE queue (x TEXT);"
	            "INSERT INTO queue VALUES ('precious')");
	sqlite3_close(db);
	assert_int_equal(cache_open(f->path, 0, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CACHE);
	assert_non_null(strstr(err.msg, "upgrade"));
	assert_null(c);
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "PRAGMA user_version"), 0);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM queue"), 1);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM sqlite_schema"
	                               " WHERE name = 'mailboxes'"),
	                 0);
	sqlite3_close(db);
}

static void test_cache_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = tc_raw(f->path);
	struct pt_error err = {0};
	struct cache *c = NULL;

	tc_exec(db, "CREATE TABLE future (x); PRAGMA user_version=99");
	sqlite3_close(db);
	assert_int_equal(cache_open(f->path, 0, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CACHE);
	assert_non_null(strstr(err.msg, "newer"));
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "PRAGMA user_version"), 99);
	sqlite3_close(db);
}

static void test_cache_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache *c = NULL;
	FILE *fp = fopen(f->path, "w");
	int i;

	assert_non_null(fp);
	for (i = 0; i < 200; i++)
		fputs("this is not an SQLite file\n", fp);
	fclose(fp);
	assert_int_equal(cache_open(f->path, 0, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CACHE);
	assert_null(c);
}

static void test_cache_mailbox_upsert_list(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_mailbox_list l;
	struct cache_mailbox mb;
	int64_t inbox, sent, again;
	uint64_t hms = 77;

	f->c = tc_open(f->path);
	assert_int_equal(cache_mailbox_upsert(f->c, "INBOX", "INBOX", '/', 0,
	                                      true, &inbox, &err),
	                 0);
	assert_int_equal(cache_mailbox_upsert(f->c, "Sent", NULL, '.',
	                                      cache_mailbox_attr("\\sent"),
	                                      false, &sent, &err),
	                 0);
	assert_int_equal(cache_mailbox_upsert(f->c, "Archiv/Übersicht",
	                                      "Archiv/&ANw-bersicht", '/', 0,
	                                      true, NULL, &err),
	                 0);
	assert_int_equal(cache_mailbox_reset(f->c, inbox, 3, NULL, &err), 0);
	assert_int_equal(
	        cache_mailbox_set_highestmodseq(f->c, inbox, &hms, &err), 0);
	/* A later LIST keeps the sync state. */
	assert_int_equal(cache_mailbox_upsert(f->c, "INBOX", "INBOX", '/',
	                                      CACHE_MBOX_NOINFERIORS, true,
	                                      &again, &err),
	                 0);
	assert_int_equal(again, inbox);
	assert_int_equal(cache_mailbox_list(f->c, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].name, "Archiv/Übersicht");
	assert_string_equal(l.v[0].raw_name, "Archiv/&ANw-bersicht");
	assert_string_equal(l.v[1].name, "INBOX");
	assert_int_equal(l.v[1].uidvalidity, 3);
	assert_int_equal(l.v[1].highestmodseq, 77);
	assert_int_equal(l.v[1].attrs, CACHE_MBOX_NOINFERIORS);
	assert_string_equal(l.v[2].name, "Sent");
	assert_int_equal(l.v[2].attrs, CACHE_MBOX_SENT);
	assert_int_equal(l.v[2].delimiter, '.');
	assert_false(l.v[2].subscribed);
	assert_int_equal(l.v[2].uidvalidity, 0);
	cache_mailbox_list_free(&l);
	assert_int_equal(cache_mailbox_get(f->c, "Nope", &mb, &err), -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
	assert_int_equal(cache_mailbox_attr("\\HasChildren"), 0);
}

/* C-notes: HIGHESTMODSEQ unknown is NULL, never 0; 2^63-1
 * round-trips; larger values and 0 are refused without wrapping. */
static void test_cache_highestmodseq_null_and_max(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_mailbox mb;
	uint64_t max = INT64_MAX, big = (uint64_t)INT64_MAX + 1, zero = 0;
	sqlite3 *db;
	int64_t id;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "INBOX", 1);
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "SELECT highestmodseq IS NULL"
	                               " FROM mailboxes"),
	                 1);
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, &max, &err),
	                 0);
	assert_int_equal(cache_mailbox_get_id(f->c, id, &mb, &err), 0);
	assert_true(mb.has_highestmodseq);
	assert_true(mb.highestmodseq == (uint64_t)INT64_MAX);
	cache_mailbox_clear(&mb);
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, &big, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_CACHE);
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, &zero, &err),
	                 -1);
	assert_true(tc_scalar(db, "SELECT highestmodseq FROM mailboxes") ==
	            INT64_MAX);
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, NULL, &err),
	                 0);
	assert_int_equal(cache_mailbox_get_id(f->c, id, &mb, &err), 0);
	assert_false(mb.has_highestmodseq);
	cache_mailbox_clear(&mb);
	assert_int_equal(tc_scalar(db, "SELECT highestmodseq IS NULL"
	                               " FROM mailboxes"),
	                 1);
	sqlite3_close(db);
}

static void test_cache_mailbox_state_fields(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_mailbox mb;
	int64_t id;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "INBOX", 9);
	assert_int_equal(cache_mailbox_set_uidnext(f->c, id, 4294967295u, &err),
	                 0);
	assert_int_equal(
	        cache_mailbox_set_modseq_mode(f->c, id, CACHE_MODSEQ_NO, &err),
	        0);
	assert_int_equal(cache_mailbox_set_full_sync(f->c, id, 1234567, &err),
	                 0);
	assert_int_equal(cache_mailbox_set_synced_uid(f->c, id, 300, &err), 0);
	assert_int_equal(cache_mailbox_get_id(f->c, id, &mb, &err), 0);
	assert_int_equal(mb.uidnext, 4294967295u);
	assert_int_equal(mb.modseq_mode, CACHE_MODSEQ_NO);
	assert_int_equal(mb.last_full_sync, 1234567);
	assert_int_equal(mb.synced_uid, 300);
	cache_mailbox_clear(&mb);
	assert_int_equal(cache_mailbox_set_uidnext(f->c, id + 100, 1, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
}

/* a MODSEQ-only FETCH leaves the flags alone; FLAGS () empties
 * them. Q-50: an unknown UID is ignored. */
static void test_cache_msg_modseq_only_keeps_flags(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_msg m;
	uint64_t ms = 320162350;
	bool found;
	int64_t mb;

	f->c = tc_open(f->path);
	mb = tc_mailbox(f->c, "INBOX", 1);
	tc_put(f->c, mb, 5, "\\Seen $Work \\Recent", 100, "a", "s");
	assert_int_equal(
	        cache_msg_set_flags(f->c, mb, 5, NULL, &ms, &found, &err), 0);
	assert_true(found);
	assert_int_equal(cache_msg_get(f->c, mb, 5, &m, &err), 0);
	assert_string_equal(m.flags, "$Work \\Seen");
	assert_int_equal(m.modseq, 320162350);
	cache_msg_clear(&m);
	assert_int_equal(
	        cache_msg_set_flags(f->c, mb, 5, "", NULL, &found, &err), 0);
	assert_int_equal(cache_msg_get(f->c, mb, 5, &m, &err), 0);
	assert_string_equal(m.flags, "");
	assert_int_equal(m.modseq, 320162350);
	cache_msg_clear(&m);
	assert_int_equal(
	        cache_msg_set_flags(f->c, mb, 600, "\\Seen", &ms, &found, &err),
	        0);
	assert_false(found);
}

/* per-message modseq 2^63-1 round-trips; 2^63 is refused. */
static void test_cache_msg_modseq_range(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_msg m = {0}, r;
	int64_t mb;

	f->c = tc_open(f->path);
	mb = tc_mailbox(f->c, "INBOX", 1);
	m.uid = 1;
	m.has_modseq = true;
	m.modseq = INT64_MAX;
	assert_int_equal(cache_msg_put(f->c, mb, &m, &err), 0);
	assert_int_equal(cache_msg_get(f->c, mb, 1, &r, &err), 0);
	assert_true(r.has_modseq);
	assert_true(r.modseq == (uint64_t)INT64_MAX);
	assert_null(r.subject);
	assert_false(r.has_date);
	assert_int_equal(r.sort_date, 0);
	cache_msg_clear(&r);
	m.uid = 2;
	m.modseq = (uint64_t)INT64_MAX + 1;
	assert_int_equal(cache_msg_put(f->c, mb, &m, &err), -1);
	assert_int_equal(err.code, PT_E_CACHE);
	assert_int_equal(cache_msg_get(f->c, mb, 2, &r, &err), -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
}

/* T-12, T-20: ranges are deleted as ranges, reversed ranges
 * work, UIDs not cached are ignored, 1:4294967295 on a small cache. */
static void test_cache_delete_ranges(void **state)
{
	static const uint32_t uids[] = {1, 2, 3, 4,  5,   6,
	                                7, 8, 9, 10, 500, 4294967295u};
	struct cache_uid_range r1[] = {{3, 5}, {9, 7}, {20, 400}};
	struct cache_uid_range all[] = {{1, 4294967295u}};
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_uidlist l;
	uint64_t n;
	uint32_t max;
	size_t i;
	int64_t mb, other;

	f->c = tc_open(f->path);
	mb = tc_mailbox(f->c, "INBOX", 1);
	other = tc_mailbox(f->c, "Other", 1);
	for (i = 0; i < sizeof uids / sizeof *uids; i++)
		tc_put(f->c, mb, uids[i], "", 0, "x", "y");
	tc_put(f->c, other, 4, "", 0, "x", "y");
	assert_int_equal(cache_msg_max_uid(f->c, mb, &max, &err), 0);
	assert_int_equal(max, 4294967295u);
	assert_int_equal(cache_msg_delete_ranges(f->c, mb, r1, 3, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_int_equal(cache_msg_uids(f->c, mb, &l, &err), 0);
	assert_int_equal(l.n, 6);
	assert_int_equal(l.uids[0], 1);
	assert_int_equal(l.uids[2], 6);
	assert_int_equal(l.uids[3], 10);
	assert_int_equal(l.uids[5], 4294967295u);
	cache_uidlist_free(&l);
	assert_int_equal(cache_msg_delete_ranges(f->c, mb, all, 1, &n, &err),
	                 0);
	assert_int_equal(n, 6);
	assert_int_equal(cache_msg_count(f->c, mb, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cache_msg_max_uid(f->c, mb, &max, &err), 0);
	assert_int_equal(max, 0);
	/* The other mailbox is untouched. */
	assert_int_equal(cache_msg_count(f->c, other, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cache_msg_delete(f->c, other, 4, &err), 0);
	assert_int_equal(cache_msg_count(f->c, other, &n, &err), 0);
	assert_int_equal(n, 0);
}

/* a new UIDVALIDITY empties the mailbox, forgets HIGHESTMODSEQ and
 * hands back the queued edits, which are gone from the queue. */
static void test_cache_uidvalidity_reset(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list dropped, q;
	struct cache_mailbox mb;
	uint32_t uid = 2;
	uint64_t hms = 5000, n;
	sqlite3 *db;
	int64_t id, other;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "INBOX", 67890007);
	other = tc_mailbox(f->c, "Other", 1);
	tc_put(f->c, id, 1, "", 10, "a", "b");
	tc_put(f->c, id, 2, "", 11, "a", "b");
	tc_put(f->c, other, 2, "", 11, "a", "b");
	assert_int_equal(cache_body_put(f->c, id, 2, "", "body", 4, &err), 0);
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, &hms, &err),
	                 0);
	assert_int_equal(cache_queue_edit(f->c, id, &uid, 1, "\\Seen", NULL,
	                                  NULL, NULL, &err),
	                 0);
	assert_int_equal(cache_queue_edit(f->c, other, &uid, 1, "\\Seen", NULL,
	                                  NULL, NULL, &err),
	                 0);
	assert_int_equal(
	        cache_mailbox_reset(f->c, id, 3857529045u, &dropped, &err), 0);
	assert_int_equal(dropped.n, 1);
	assert_string_equal(dropped.v[0].mailbox, "INBOX");
	assert_int_equal(dropped.v[0].uid, 2);
	assert_int_equal(dropped.v[0].uidvalidity, 67890007);
	assert_string_equal(dropped.v[0].add, "\\Seen");
	assert_int_equal(dropped.v[0].base_modseq, 11);
	cache_queue_list_free(&dropped);
	assert_int_equal(cache_mailbox_get_id(f->c, id, &mb, &err), 0);
	assert_int_equal(mb.uidvalidity, 3857529045u);
	assert_false(mb.has_highestmodseq);
	cache_mailbox_clear(&mb);
	assert_int_equal(cache_msg_count(f->c, id, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cache_queue_list(f->c, 0, &q, &err), 0);
	assert_int_equal(q.n, 1); /* Other's edit stays */
	assert_string_equal(q.v[0].mailbox, "Other");
	cache_queue_list_free(&q);
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM bodies"), 0);
	sqlite3_close(db);
}

static void test_cache_mailbox_delete_rename(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list dropped;
	struct cache_mailbox mb;
	uint32_t uid = 1;
	sqlite3 *db;
	int64_t id;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "Old", 1);
	tc_put(f->c, id, 1, "", 0, "a", "b");
	assert_int_equal(cache_body_put(f->c, id, 1, "1", "x", 1, &err), 0);
	assert_int_equal(cache_queue_edit(f->c, id, &uid, 1, "\\Flagged", NULL,
	                                  NULL, NULL, &err),
	                 0);
	assert_int_equal(cache_mailbox_rename(f->c, id, "New", "New", &err), 0);
	assert_int_equal(cache_mailbox_get(f->c, "New", &mb, &err), 0);
	assert_int_equal(mb.id, id);
	cache_mailbox_clear(&mb);
	assert_int_equal(cache_mailbox_delete(f->c, id, &dropped, &err), 0);
	assert_int_equal(dropped.n, 1);
	assert_string_equal(dropped.v[0].mailbox, "New");
	cache_queue_list_free(&dropped);
	db = tc_raw(f->path);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM messages"), 0);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM bodies"), 0);
	assert_int_equal(tc_scalar(db, "SELECT count(*) FROM queue"), 0);
	sqlite3_close(db);
	assert_int_equal(cache_mailbox_delete(f->c, id, NULL, &err), -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
}

/* Ten messages, dates chosen to tie and to differ from UID order. */
static int64_t fill_pages(struct cache *c)
{
	struct pt_error err = {0};
	int64_t mb = tc_mailbox(c, "INBOX", 1);
	uint32_t uid;

	for (uid = 1; uid <= 10; uid++) {
		struct cache_msg m = {0};

		m.uid = uid;
		m.flags = uid % 2 ? "\\Seen" : "";
		m.internaldate = 5000 + uid;
		/* UIDs 3 and 7 have no Date: header. */
		m.has_date = uid != 3 && uid != 7;
		m.date = 1000 * (11 - uid) - (uid == 4 ? 1000 : 0);
		m.subject = "s";
		assert_int_equal(cache_msg_put(c, mb, &m, &err), 0);
	}
	return mb;
}

static void read_all(struct cache *c, int64_t mb, enum cache_order order,
                     size_t limit, uint32_t *out)
{
	struct pt_error err = {0};
	struct cache_page_key key, *after = NULL;
	struct cache_msg_page p;
	size_t got = 0, i;

	do {
		assert_int_equal(
		        cache_msg_page(c, mb, order, after, limit, &p, &err),
		        0);
		for (i = 0; i < p.n; i++)
			out[got++] = p.v[i].uid;
		if (p.n > 0) {
			key.uid = p.v[p.n - 1].uid;
			key.sort_date = p.v[p.n - 1].sort_date;
			after = &key;
		}
		i = p.n;
		cache_msg_page_free(&p);
	} while (i == limit);
	assert_int_equal(got, 10);
}

static void test_cache_msg_pages(void **state)
{
	static const uint32_t uid_asc[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	static const uint32_t uid_desc[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
	/* sort dates: 1:10000 2:9000 3:5003 4:6000 5:6000 6:5000 7:5007
	 * 8:3000 9:2000 10:1000 */
	static const uint32_t date_asc[] = {10, 9, 8, 6, 3, 7, 4, 5, 2, 1};
	static const uint32_t date_desc[] = {1, 2, 5, 4, 7, 3, 6, 8, 9, 10};
	struct fixture *f = *state;
	uint32_t got[10];
	int64_t mb;

	f->c = tc_open(f->path);
	mb = fill_pages(f->c);
	read_all(f->c, mb, CACHE_ORDER_UID_ASC, 3, got);
	assert_memory_equal(got, uid_asc, sizeof got);
	read_all(f->c, mb, CACHE_ORDER_UID_DESC, 4, got);
	assert_memory_equal(got, uid_desc, sizeof got);
	read_all(f->c, mb, CACHE_ORDER_DATE_ASC, 3, got);
	assert_memory_equal(got, date_asc, sizeof got);
	read_all(f->c, mb, CACHE_ORDER_DATE_DESC, 5, got);
	assert_memory_equal(got, date_desc, sizeof got);
}

/* Page reads carry the user's view of the flags. */
static void test_cache_msg_page_view_flags(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_msg_page p;
	uint32_t uid = 2;
	int64_t mb;

	f->c = tc_open(f->path);
	mb = fill_pages(f->c);
	assert_int_equal(cache_queue_edit(f->c, mb, &uid, 1, "\\Seen \\Flagged",
	                                  NULL, NULL, NULL, &err),
	                 0);
	assert_int_equal(cache_msg_page(f->c, mb, CACHE_ORDER_UID_ASC, NULL, 2,
	                                &p, &err),
	                 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.v[0].view_flags, "\\Seen");
	assert_string_equal(p.v[1].flags, "");
	assert_string_equal(p.v[1].view_flags, "\\Flagged \\Seen");
	assert_null(p.v[1].bodystructure);
	cache_msg_page_free(&p);
}

static void test_cache_bodies(void **state)
{
	static const char part[] = "line 1\r\n\0binary\xff";
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_uidlist l;
	char *data;
	size_t len;
	int64_t mb;

	f->c = tc_open(f->path);
	mb = tc_mailbox(f->c, "INBOX", 1);
	tc_put(f->c, mb, 1, "", 0, "a", "b");
	tc_put(f->c, mb, 2, "", 0, "a", "b");
	assert_int_equal(
	        cache_body_put(f->c, mb, 1, "1", part, sizeof part, &err), 0);
	assert_int_equal(cache_body_get(f->c, mb, 1, "1", &data, &len, &err),
	                 0);
	assert_int_equal(len, sizeof part);
	assert_memory_equal(data, part, sizeof part);
	free(data);
	assert_int_equal(cache_body_put(f->c, mb, 1, "1", "new", 3, &err), 0);
	assert_int_equal(cache_body_get(f->c, mb, 1, "1", &data, &len, &err),
	                 0);
	assert_string_equal(data, "new");
	free(data);
	assert_int_equal(cache_body_get(f->c, mb, 1, "2", &data, &len, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
	assert_int_equal(cache_body_put(f->c, mb, 9, "1", "x", 1, &err), -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
	/* The indexer's and the prefetcher's work lists. */
	assert_int_equal(cache_body_unindexed(f->c, mb, "1", 10, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.uids[0], 1);
	cache_uidlist_free(&l);
	assert_int_equal(cache_fts_set_text(f->c, mb, 1, "new", &err), 0);
	assert_int_equal(cache_body_unindexed(f->c, mb, "1", 10, &l, &err), 0);
	assert_int_equal(l.n, 0);
	cache_uidlist_free(&l);
	assert_int_equal(cache_body_missing(f->c, mb, "1", 0, 10, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.uids[0], 2);
	cache_uidlist_free(&l);
	/* Expunge drops the bodies. */
	assert_int_equal(cache_msg_delete(f->c, mb, 1, &err), 0);
	assert_int_equal(cache_body_get(f->c, mb, 1, "1", &data, &len, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_NOTFOUND);
}

/* a batch and its HIGHESTMODSEQ commit or vanish together; a
 * reader does not see uncommitted rows and does not block the writer. */
static void test_cache_transactions(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache *reader = NULL;
	struct cache_mailbox mb;
	uint64_t hms = 50, n;
	int64_t id;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "INBOX", 1);
	assert_int_equal(
	        cache_open(f->path, CACHE_OPEN_READONLY, &reader, &err), 0);
	assert_int_equal(cache_begin(f->c, &err), 0);
	assert_true(cache_in_transaction(f->c));
	assert_int_equal(cache_begin(f->c, &err), -1);
	tc_put(f->c, id, 1, "", 49, "a", "b");
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, &hms, &err),
	                 0);
	cache_rollback(f->c);
	assert_false(cache_in_transaction(f->c));
	assert_int_equal(cache_msg_count(f->c, id, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cache_mailbox_get_id(f->c, id, &mb, &err), 0);
	assert_false(mb.has_highestmodseq);
	cache_mailbox_clear(&mb);

	/* The reader holds a snapshot while the writer commits. */
	assert_int_equal(cache_begin(reader, &err), 0);
	assert_int_equal(cache_msg_count(reader, id, &n, &err), 0);
	assert_int_equal(cache_begin(f->c, &err), 0);
	tc_put(f->c, id, 1, "", 49, "a", "b");
	assert_int_equal(cache_mailbox_set_highestmodseq(f->c, id, &hms, &err),
	                 0);
	assert_int_equal(cache_commit(f->c, &err), 0);
	assert_int_equal(cache_msg_count(reader, id, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cache_commit(reader, &err), 0);
	assert_int_equal(cache_msg_count(reader, id, &n, &err), 0);
	assert_int_equal(n, 1);
	cache_close(&reader);
}

/* PRAGMA data_version moves when another connection commits. */
static void test_cache_data_version(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache *ui = NULL;
	int64_t v1, v2, id;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "INBOX", 1);
	assert_int_equal(cache_open(f->path, CACHE_OPEN_READONLY, &ui, &err),
	                 0);
	assert_int_equal(cache_data_version(ui, &v1, &err), 0);
	assert_int_equal(cache_data_version(ui, &v2, &err), 0);
	assert_true(v1 == v2);
	tc_put(f->c, id, 1, "", 0, "a", "b");
	assert_int_equal(cache_data_version(ui, &v2, &err), 0);
	assert_true(v1 != v2);
	cache_close(&ui);
}

/* Fault injection: a statement that fails in the middle of a batch rolls
 * the batch back; what was committed before, queue included, stays. */
static void test_cache_failure_mid_batch(void **state)
{
	struct fixture *f = *state;
	struct pt_error err = {0};
	struct cache_queue_list q;
	struct cache_msg m = {0};
	uint32_t uid = 1;
	uint64_t n;
	sqlite3 *db;
	int64_t id;
	int rc = 0;

	f->c = tc_open(f->path);
	id = tc_mailbox(f->c, "INBOX", 1);
	tc_put(f->c, id, 1, "", 0, "a", "b");
	assert_int_equal(cache_queue_edit(f->c, id, &uid, 1, "\\Seen", NULL,
	                                  NULL, NULL, &err),
	                 0);
	db = tc_raw(f->path);
	tc_exec(db, "CREATE TRIGGER inject BEFORE INSERT ON messages"
	            " WHEN new.uid = 250 BEGIN"
	            " SELECT RAISE(ABORT, 'injected failure'); END");
	sqlite3_close(db);
	assert_int_equal(cache_begin(f->c, &err), 0);
	for (m.uid = 2; m.uid < 500 && rc == 0; m.uid++)
		rc = cache_msg_put(f->c, id, &m, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, PT_E_CACHE);
	assert_non_null(strstr(err.msg, "injected failure"));
	cache_rollback(f->c);
	assert_int_equal(cache_msg_count(f->c, id, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cache_queue_list(f->c, id, &q, &err), 0);
	assert_int_equal(q.n, 1);
	cache_queue_list_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_cache_open_modes_umask0,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_open_modes_umask077,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_open_fixes_side_modes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_open_wal, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_open_readonly, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_migrate_from_empty,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_migrate_from_v1,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_migrate_failure_rolls_back, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_newer_version_refused, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_not_a_database,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_mailbox_upsert_list,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_highestmodseq_null_and_max, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_mailbox_state_fields,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_msg_modseq_only_keeps_flags, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(test_cache_msg_modseq_range,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_delete_ranges, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_uidvalidity_reset,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_cache_mailbox_delete_rename, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_msg_pages, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_msg_page_view_flags,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cache_bodies, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_transactions, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_data_version, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_cache_failure_mid_batch,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests_name("cache", tests, NULL, NULL);
}
