/* cache.c: opening the cache file (modes, WAL, pragmas), transactions, and
 * the per-connection cache of prepared statements. */
#include "cache/cache-private.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"

/* How long a writer waits for another writer's transaction (the sync
 * thread's batches are short; a reader never waits in WAL mode). */
#define CACHE_BUSY_TIMEOUT_MS 5000

/* ------------------------------------------------------------ helpers */

int cache_sqlerr(struct cache *c, struct pt_error *err, const char *what)
{
	return pt_error_set(err, PT_E_CACHE, "cache %s: %s", what,
	                    sqlite3_errmsg(c->db));
}

int cache_exec(struct cache *c, const char *sql, struct pt_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		pt_error_set(err, PT_E_CACHE, "cache: %s",
		             msg != NULL ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *cache_stmt(struct cache *c, enum cache_stmt_id id,
                         const char *sql, struct pt_error *err)
{
	sqlite3_stmt *st = c->stmts[id];

	if (st != NULL) {
		/* One slot, one SQL text: catch a copy-paste slip early. */
		if (c->stmt_sql[id] != sql &&
		    strcmp(c->stmt_sql[id], sql) != 0) {
			pt_error_set(err, PT_E_INTERNAL,
			             "cache statement slot %d reused", (int)id);
			return NULL;
		}
		return st;
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	                       NULL) != SQLITE_OK) {
		cache_sqlerr(c, err, "prepare");
		return NULL;
	}
	c->stmts[id] = st;
	c->stmt_sql[id] = sql;
	return st;
}

void cache_stmt_reset(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int cache_step(struct cache *c, sqlite3_stmt *st, const char *what,
               struct pt_error *err)
{
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return 1;
	case SQLITE_DONE:
		return 0;
	default:
		return cache_sqlerr(c, err, what);
	}
}

int cache_step_done(struct cache *c, sqlite3_stmt *st, const char *what,
                    struct pt_error *err)
{
	int rc = cache_step(c, st, what, err);

	cache_stmt_reset(st);
	return rc < 0 ? -1 : 0;
}

int cache_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

int cache_bind_modseq(struct cache *c, sqlite3_stmt *st, int i,
                      const uint64_t *modseq, struct pt_error *err)
{
	(void)c;
	if (modseq == NULL)
		return sqlite3_bind_null(st, i) == SQLITE_OK ? 0 : -1;
	/* RFC 7162 §7: mod-sequence-value is 1..2^63-1 (Q-15, T-16). */
	if (*modseq == 0 || *modseq > (uint64_t)INT64_MAX)
		return pt_error_set(err, PT_E_CACHE,
		                    "cache: mod-sequence %llu out of range",
		                    (unsigned long long)*modseq);
	sqlite3_bind_int64(st, i, (sqlite3_int64)*modseq);
	return 0;
}

char *cache_col_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

/* ---------------------------------------------------------- file modes */

/* mkdir -p with mode 0700 for the directories it creates. */
static int cache_mkdirs(const char *dir, struct pt_error *err)
{
	struct stat st;
	char *copy, *parent;
	int rc = 0;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode)
		               ? 0
		               : pt_error_set(err, PT_E_CACHE,
		                              "cache: %s is not a directory",
		                              dir);
	if (errno != ENOENT)
		return pt_error_set(err, PT_E_CACHE, "cache: %s: %s", dir,
		                    strerror(errno));
	copy = xstrdup(dir);
	parent = dirname(copy);
	if (strcmp(parent, dir) != 0)
		rc = cache_mkdirs(parent, err);
	free(copy);
	if (rc < 0)
		return -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return pt_error_set(err, PT_E_CACHE, "cache: mkdir %s: %s", dir,
		                    strerror(errno));
	/* The umask may have taken bits away; 0700 exactly, whatever it is. */
	if (chmod(dir, 0700) != 0)
		return pt_error_set(err, PT_E_CACHE, "cache: chmod %s: %s", dir,
		                    strerror(errno));
	return 0;
}

/* Create the file 0600 before SQLite sees it, so it never exists with
 * looser permissions. An existing file keeps its mode. */
static int cache_create_file(const char *path, struct pt_error *err)
{
	char *copy = xstrdup(path);
	int fd, rc;

	rc = cache_mkdirs(dirname(copy), err);
	free(copy);
	if (rc < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return pt_error_set(err, PT_E_CACHE, "cache: %s: %s", path,
		                    strerror(errno));
	rc = fchmod(fd, 0600);
	close(fd);
	if (rc != 0)
		return pt_error_set(err, PT_E_CACHE, "cache: chmod %s: %s",
		                    path, strerror(errno));
	return 0;
}

/* SQLite gives -wal and -shm the database's mode; files left by an older
 * program may be looser: tighten them to match a private database. */
static void cache_fix_side_modes(const char *path)
{
	static const char *const suffixes[] = {"-wal", "-shm"};
	struct stat st;
	size_t i;

	if (stat(path, &st) != 0 || (st.st_mode & 077) != 0)
		return;
	for (i = 0; i < 2; i++) {
		char *side = xasprintf("%s%s", path, suffixes[i]);

		if (stat(side, &st) == 0 && (st.st_mode & 077) != 0)
			(void)chmod(side, 0600);
		free(side);
	}
}

/* ------------------------------------------------------------ opening */

static int cache_configure(struct cache *c, struct pt_error *err)
{
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, CACHE_BUSY_TIMEOUT_MS);
	/* WAL: readers (UI, CLI) never block the sync thread's writes.
	 * synchronous=NORMAL is durable against a process crash in WAL
	 * mode; only a power loss can drop the last commits. */
	if (cache_exec(c, "PRAGMA journal_mode=WAL", err) < 0 ||
	    cache_exec(c, "PRAGMA synchronous=NORMAL", err) < 0 ||
	    cache_exec(c, "PRAGMA foreign_keys=ON", err) < 0 ||
	    cache_exec(c, "PRAGMA temp_store=MEMORY", err) < 0)
		return -1;
	/* Closing does not copy the WAL back into the database (that costs
	 * a short command like `petrel sync` more than its own work): the
	 * automatic checkpoint of a later commit does it. */
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	return 0;
}

int cache_open(const char *path, unsigned flags, struct cache **cache_r,
               struct pt_error *err)
{
	bool readonly = (flags & CACHE_OPEN_READONLY) != 0;
	struct cache *c;
	struct stat st;

	*cache_r = NULL;
	if (readonly && stat(path, &st) != 0)
		return pt_error_set(err, PT_E_NOTFOUND, "no cache at %s", path);
	if (!readonly && cache_create_file(path, err) < 0)
		return -1;
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->readonly = readonly;
	/* Readers open read-write too (without creating) so that they can
	 * use the WAL index and upgrade the schema; query_only then refuses
	 * writes. */
	if (sqlite3_open_v2(path, &c->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		pt_error_set(err, PT_E_CACHE, "cache %s: %s", path,
		             c->db != NULL ? sqlite3_errmsg(c->db)
		                           : "out of memory");
		cache_close(&c);
		return -1;
	}
	if (cache_configure(c, err) < 0 || cache_schema_migrate(c, err) < 0 ||
	    (readonly && cache_exec(c, "PRAGMA query_only=ON", err) < 0)) {
		cache_close(&c);
		return -1;
	}
	cache_fix_side_modes(path);
	*cache_r = c;
	return 0;
}

void cache_close(struct cache **cache)
{
	struct cache *c;
	size_t i;

	if (cache == NULL || *cache == NULL)
		return;
	c = *cache;
	for (i = 0; i < CS__COUNT; i++)
		sqlite3_finalize(c->stmts[i]);
	if (c->db != NULL && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(c->db);
	free(c->path);
	free(c);
	*cache = NULL;
}

const char *cache_path(const struct cache *c)
{
	return c->path;
}

int cache_schema_version(void)
{
	return CACHE_SCHEMA_VERSION;
}

/* ------------------------------------------------------- transactions */

int cache_begin(struct cache *c, struct pt_error *err)
{
	if (!sqlite3_get_autocommit(c->db))
		return pt_error_set(err, PT_E_CACHE,
		                    "cache: a transaction is already open");
	/* IMMEDIATE takes the write lock now: a deferred transaction that
	 * upgrades later can fail with SQLITE_BUSY_SNAPSHOT in WAL mode,
	 * without waiting. */
	return cache_exec(c, c->readonly ? "BEGIN" : "BEGIN IMMEDIATE", err);
}

int cache_commit(struct cache *c, struct pt_error *err)
{
	if (!sqlite3_get_autocommit(c->db) && cache_fts_flush(c, err) < 0)
		return -1;
	return cache_exec(c, "COMMIT", err);
}

void cache_rollback(struct cache *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

bool cache_in_transaction(struct cache *c)
{
	return !sqlite3_get_autocommit(c->db);
}

int cache_unit_begin(struct cache *c, bool *outer_r, struct pt_error *err)
{
	*outer_r = sqlite3_get_autocommit(c->db) != 0;
	return cache_exec(
	        c, *outer_r ? "BEGIN IMMEDIATE" : "SAVEPOINT cache_unit", err);
}

int cache_unit_end(struct cache *c, bool outer, int rc, struct pt_error *err)
{
	if (rc == 0 && outer)
		rc = cache_fts_flush(c, err);
	if (rc == 0) {
		if (cache_exec(c, outer ? "COMMIT" : "RELEASE cache_unit",
		               err) == 0)
			return 0;
		rc = -1;
	}
	/* Errors ignored: SQLite may already have rolled everything back
	 * (SQLITE_FULL, SQLITE_IOERR), and err holds the first cause. */
	if (outer) {
		cache_rollback(c);
	} else {
		sqlite3_exec(c->db, "ROLLBACK TO cache_unit", NULL, NULL, NULL);
		sqlite3_exec(c->db, "RELEASE cache_unit", NULL, NULL, NULL);
	}
	return rc;
}

int cache_data_version(struct cache *c, int64_t *version_r,
                       struct pt_error *err)
{
	static const char sql[] = "PRAGMA data_version";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cache_sqlerr(c, err, "data_version");
	rc = cache_step(c, st, "data_version", err);
	if (rc == 1)
		*version_r = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_CACHE, "cache: no data_version");
	return rc == 1 ? 0 : -1;
}
