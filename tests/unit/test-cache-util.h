/* test-cache-util.h: helpers shared by the cache tests (temporary
 * directories, opening caches, inserting messages, raw SQLite checks). */
#ifndef PETREL_TEST_CACHE_UTIL_H
#define PETREL_TEST_CACHE_UTIL_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "common/xmalloc.h"

static inline char *tc_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/petrel-cache.XXXXXX",
	                      base != NULL && *base != '\0' ? base : "/tmp");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static inline int tc_rm_one(const char *path, const struct stat *st, int flag,
                            struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void tc_rmrf(char *dir)
{
	nftw(dir, tc_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline char *tc_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static inline struct cache *tc_open(const char *path)
{
	struct pt_error err = {0};
	struct cache *c = NULL;

	if (cache_open(path, 0, &c, &err) != 0)
		fail_msg("cache_open %s: %s", path, err.msg);
	return c;
}

/* A mailbox with a UIDVALIDITY (reset, as the sync engine would). */
static inline int64_t tc_mailbox(struct cache *c, const char *name,
                                 uint32_t uidvalidity)
{
	struct pt_error err = {0};
	int64_t id = 0;

	assert_int_equal(
	        cache_mailbox_upsert(c, name, NULL, '/', 0, true, &id, &err),
	        0);
	assert_int_equal(cache_mailbox_reset(c, id, uidvalidity, NULL, &err),
	                 0);
	return id;
}

static inline void tc_put(struct cache *c, int64_t mb, uint32_t uid,
                          const char *flags, uint64_t modseq, const char *from,
                          const char *subject)
{
	struct pt_error err = {0};
	struct cache_msg m = {0};

	m.uid = uid;
	m.has_modseq = modseq != 0;
	m.modseq = modseq;
	m.flags = (char *)flags;
	m.internaldate = 1700000000 + uid;
	m.size = 1000 + uid;
	m.from = (char *)from;
	m.subject = (char *)subject;
	if (cache_msg_put(c, mb, &m, &err) != 0)
		fail_msg("cache_msg_put: %s", err.msg);
}

static inline sqlite3 *tc_raw(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* The first column of the first row of sql, as an integer (-1 for NULL
 * or no row). */
static inline int64_t tc_scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row of sql as a new string ("" if none). */
static inline char *tc_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *s;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(db));
	s = xstrdup(sqlite3_step(st) == SQLITE_ROW &&
	                            sqlite3_column_text(st, 0) != NULL
	                    ? (const char *)sqlite3_column_text(st, 0)
	                    : "");
	sqlite3_finalize(st);
	return s;
}

static inline void tc_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("exec %s: %s", sql, msg);
}

#endif
