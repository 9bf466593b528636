/* cache-private.h: what the files of src/cache/ share: the connection
 * structure, the prepared-statement cache and small SQLite helpers. Not
 * for use outside src/cache/ (tests excepted). */
#ifndef PETREL_CACHE_PRIVATE_H
#define PETREL_CACHE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache/cache.h"

/* One slot per statement that is prepared once per connection. */
enum cache_stmt_id {
	CS_MBOX_UPSERT,
	CS_MBOX_GET,
	CS_MBOX_GET_ID,
	CS_MBOX_LIST,
	CS_MBOX_NAMES,
	CS_MBOX_COUNT,
	CS_MBOX_UNSEEN,
	CS_MBOX_DELETE,
	CS_MBOX_RENAME,
	CS_MBOX_RESET,
	CS_MBOX_SET_UIDNEXT,
	CS_MBOX_SET_HMS,
	CS_MBOX_SET_MODE,
	CS_MBOX_SET_FULL,
	CS_MBOX_SET_SYNCED,
	CS_MBOX_UIDVALIDITY,
	CS_MSG_PUT,
	CS_MSG_SET_FLAGS,
	CS_MSG_DELETE,
	CS_MSG_DELETE_RANGE,
	CS_MSG_DELETE_ALL,
	CS_MSG_MAX_UID,
	CS_MSG_UIDS,
	CS_MSG_GET,
	CS_MSG_PAGE_UID_ASC,
	CS_MSG_PAGE_UID_DESC,
	CS_MSG_PAGE_DATE_ASC,
	CS_MSG_PAGE_DATE_DESC,
	CS_MSG_PAGE_THREAD,
	CS_MSG_PAGE_THREAD_REV,
	CS_THREAD_DIRTY,
	CS_THREAD_LOAD,
	CS_THREAD_SET,
	CS_THREAD_CLEAN,
	CS_MSG_STATE,
	CS_BODY_PUT,
	CS_BODY_GET,
	CS_BODY_UNINDEXED,
	CS_BODY_MISSING,
	CS_Q_GET,
	CS_Q_INSERT,
	CS_Q_UPDATE,
	CS_Q_DELETE,
	CS_Q_DONE,
	CS_Q_LIST,
	CS_Q_REPLAY,
	CS_Q_ORPHANS,
	CS_Q_STATE,
	CS_Q_BASE,
	CS_Q_DROP_LIST,
	CS_Q_DROP,
	CS_FTS_TEXT_GET,
	CS_FTS_TEXT_PUT,
	CS_FTS_DELETE,
	CS_FTS_INSERT,
	CS_FTS_SEARCH,
	CS_FTS_FILTER,
	CS_MSG_OWN_SET,
	CS_MSG_OWN_LIST,
	CS_FTS_PENDING,
	CS_FTS_FLUSH,
	CS_FTS_FLUSHED,
	CS__COUNT
};

struct cache {
	sqlite3 *db;
	char *path;
	bool readonly;
	sqlite3_stmt *stmts[CS__COUNT];
	const char *stmt_sql[CS__COUNT];
};

/* The prepared statement for slot id (prepared from sql on first use,
 * reset afterwards), or NULL with err set. Callers bind, step, and call
 * cache_stmt_reset() before returning, so that no statement keeps a read
 * snapshot open or points at freed bound memory. */
sqlite3_stmt *cache_stmt(struct cache *c, enum cache_stmt_id id,
                         const char *sql, struct pt_error *err);
void cache_stmt_reset(sqlite3_stmt *st);
/* Record SQLite's last error as PT_E_CACHE: "what: message". Returns -1. */
int cache_sqlerr(struct cache *c, struct pt_error *err, const char *what);
/* Step a statement that returns no rows, then reset it. */
int cache_step_done(struct cache *c, sqlite3_stmt *st, const char *what,
                    struct pt_error *err);
/* Step once: 1 for a row, 0 when done, -1 on error (err set). */
int cache_step(struct cache *c, sqlite3_stmt *st, const char *what,
               struct pt_error *err);
/* Run SQL without results. */
int cache_exec(struct cache *c, const char *sql, struct pt_error *err);
/* Apply the index changes queued by the triggers (migration 4) to the
 * FTS5 table, in order, with one statement; called before every commit
 * and before the index is read or written directly. */
int cache_fts_flush(struct cache *c, struct pt_error *err);

/* An atomic unit inside a writing function: BEGIN IMMEDIATE when no
 * transaction is open (*outer_r = true), else a SAVEPOINT. cache_unit_end
 * commits/releases when rc == 0 and rolls back otherwise; returns rc, or
 * -1 if committing failed. */
int cache_unit_begin(struct cache *c, bool *outer_r, struct pt_error *err);
int cache_unit_end(struct cache *c, bool outer, int rc, struct pt_error *err);

/* Bind helpers. Text is bound SQLITE_STATIC: it must stay valid until the
 * statement is reset. NULL binds SQL NULL. */
int cache_bind_text(sqlite3_stmt *st, int i, const char *s);
/* A modseq: NULL pointer binds NULL; refuses 0 and > INT64_MAX. */
int cache_bind_modseq(struct cache *c, sqlite3_stmt *st, int i,
                      const uint64_t *modseq, struct pt_error *err);
/* A new copy of a text column, or NULL if it is NULL. */
char *cache_col_strdup(sqlite3_stmt *st, int i);

/* The current UIDVALIDITY of a mailbox; PT_E_NOTFOUND if absent. */
int cache_mailbox_uidvalidity(struct cache *c, int64_t mailbox_id,
                              uint32_t *uidvalidity_r, struct pt_error *err);
/* Server flags and modseq (0 if NULL) of a message; 1 found, 0 not, -1
 * error. *flags_r is a new string. */
int cache_msg_state(struct cache *c, int64_t mailbox_id, uint32_t uid,
                    char **flags_r, uint64_t *modseq_r, int64_t *rowid_r,
                    struct pt_error *err);
/* Read a list of queue rows from a statement positioned before its first
 * row, columns as in CACHE_Q_COLUMNS; resets the statement. */
int cache_queue_read(struct cache *c, sqlite3_stmt *st,
                     struct cache_queue_list *list_r, struct pt_error *err);
#define CACHE_Q_COLUMNS                                                   \
	"q.id, q.mailbox_id, b.name, q.uidvalidity, q.uid, q.add_flags, " \
	"q.remove_flags, q.base_modseq, q.created, q.state, q.rev"

/* Recompute the thread order of a mailbox if it is marked dirty; a
 * read-only connection leaves it as it is (cache-thread.c). */
int cache_thread_refresh(struct cache *c, int64_t mailbox_id,
                         struct pt_error *err);

/* Schema (cache-schema.c). */
/* The newest schema version (PRAGMA user_version). */
#define CACHE_SCHEMA_VERSION 6
/* The SQL of migration v (1..CACHE_SCHEMA_VERSION), for tests. */
const char *cache_schema_migration_sql(int v);
/* Bring the schema to CACHE_SCHEMA_VERSION in one transaction; refuse a
 * newer file. */
int cache_schema_migrate(struct cache *c, struct pt_error *err);

#endif
