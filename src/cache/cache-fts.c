/* cache-fts.c: the full-text index (FTS5, external content) and search.
 *
 * The index covers from, to, cc, subject (kept current by the triggers of
 * migration 2) and the body text set here. Because the index has external
 * content, removing a row from it needs the exact values it was indexed
 * with: cache_fts_set_text() reads them in the same transaction. */
#include "cache/cache-private.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

int cache_fts_flush(struct cache *c, struct pt_error *err)
{
	static const char pending_sql[] = "SELECT 1 FROM fts_todo LIMIT 1";
	static const char flush_sql[] =
	        "INSERT INTO msg_fts (msg_fts, rowid, \"from\", \"to\", cc,"
	        " subject, body)"
	        " SELECT CASE op WHEN 'd' THEN 'delete' END, id, f, t, c, s, b"
	        " FROM fts_todo ORDER BY seq";
	static const char flushed_sql[] = "DELETE FROM fts_todo";
	sqlite3_stmt *st = cache_stmt(c, CS_FTS_PENDING, pending_sql, err);
	int rc;

	if (st == NULL)
		return -1;
	rc = cache_step(c, st, "index queue read", err);
	cache_stmt_reset(st);
	if (rc <= 0)
		return rc; /* nothing queued (0), or an error */
	st = cache_stmt(c, CS_FTS_FLUSH, flush_sql, err);
	if (st == NULL || cache_step_done(c, st, "index update", err) < 0)
		return -1;
	st = cache_stmt(c, CS_FTS_FLUSHED, flushed_sql, err);
	if (st == NULL)
		return -1;
	return cache_step_done(c, st, "index queue clear", err);
}

/* A message's indexed values. */
struct fts_row {
	int64_t id;
	char *col[5]; /* from, to, cc, subject, body (NULL: no text yet) */
};

static void fts_row_clear(struct fts_row *r)
{
	size_t i;

	for (i = 0; i < 5; i++)
		free(r->col[i]);
	memset(r, 0, sizeof *r);
}

/* 1 found, 0 not cached, -1 error. */
static int cache_fts_row(struct cache *c, int64_t mailbox_id, uint32_t uid,
                         struct fts_row *r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT m.id, m.from_addr, m.to_addr, m.cc_addr, m.subject,"
	        " t.body FROM messages m LEFT JOIN msg_text t"
	        " ON t.message_id = m.id WHERE m.mailbox_id = ?1 AND m.uid = ?2";
	sqlite3_stmt *st = cache_stmt(c, CS_FTS_TEXT_GET, sql, err);
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	rc = cache_step(c, st, "text read", err);
	if (rc == 1) {
		r->id = sqlite3_column_int64(st, 0);
		for (i = 0; i < 5; i++)
			r->col[i] = cache_col_strdup(st, (int)i + 1);
	}
	cache_stmt_reset(st);
	return rc;
}

/* Add (or, with 'delete', remove) a row of the index. */
static int cache_fts_write(struct cache *c, enum cache_stmt_id id,
                           const char *sql, const struct fts_row *r,
                           struct pt_error *err)
{
	sqlite3_stmt *st = cache_stmt(c, id, sql, err);
	int i;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	for (i = 0; i < 5; i++)
		cache_bind_text(st, i + 2, r->col[i]);
	return cache_step_done(c, st, "index update", err);
}

static int cache_fts_store_text(struct cache *c, int64_t id, const char *text,
                                struct pt_error *err)
{
	static const char sql[] =
	        "INSERT INTO msg_text (message_id, body) VALUES (?1, ?2)"
	        " ON CONFLICT (message_id) DO UPDATE SET body = excluded.body";
	sqlite3_stmt *st = cache_stmt(c, CS_FTS_TEXT_PUT, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	cache_bind_text(st, 2, text);
	return cache_step_done(c, st, "text insert", err);
}

/* Replace the body text of row r (old values in r) with text. */
static int cache_fts_replace(struct cache *c, struct fts_row *r,
                             const char *text, struct pt_error *err)
{
	static const char sql_del[] =
	        "INSERT INTO msg_fts (msg_fts, rowid, \"from\", \"to\", cc,"
	        " subject, body) VALUES ('delete', ?1, ?2, ?3, ?4, ?5, ?6)";
	static const char sql_ins[] =
	        "INSERT INTO msg_fts (rowid, \"from\", \"to\", cc, subject,"
	        " body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

	if (cache_fts_write(c, CS_FTS_DELETE, sql_del, r, err) < 0 ||
	    cache_fts_store_text(c, r->id, text, err) < 0)
		return -1;
	free(r->col[4]);
	r->col[4] = xstrdup(text);
	return cache_fts_write(c, CS_FTS_INSERT, sql_ins, r, err);
}

int cache_fts_set_text(struct cache *c, int64_t mailbox_id, uint32_t uid,
                       const char *text, struct pt_error *err)
{
	struct fts_row r;
	bool outer;
	int rc;

	if (cache_unit_begin(c, &outer, err) < 0)
		return -1;
	/* The direct index writes below must follow the queued ones. */
	if (cache_fts_flush(c, err) < 0)
		return cache_unit_end(c, outer, -1, err);
	rc = cache_fts_row(c, mailbox_id, uid, &r, err);
	if (rc == 0)
		rc = pt_error_set(err, PT_E_NOTFOUND,
		                  "UID %lu is not in the cache",
		                  (unsigned long)uid);
	else if (rc == 1)
		rc = cache_fts_replace(c, &r, text != NULL ? text : "", err);
	fts_row_clear(&r);
	return cache_unit_end(c, outer, rc, err);
}

/* ------------------------------------------------------------- search */

/* Filters on the user's view of \Seen and \Flagged: a queued edit wins
 * over the server flags. ?3 unread, ?4 flagged, ?5 before, ?6 after. */
#define FTS_VIEW_HAS(flag, server)                                      \
	"(CASE WHEN instr(' ' || q.add_flags || ' ', ' " flag " ') > 0" \
	" THEN 1 WHEN instr(' ' || q.remove_flags || ' ', ' " flag      \
	" ') > 0 THEN 0 ELSE " server " END)"
#define FTS_UNREAD FTS_VIEW_HAS("\\Seen", "m.seen")
#define FTS_FLAGGED                                                \
	FTS_VIEW_HAS("\\Flagged",                                  \
	             "instr(' ' || m.flags || ' ', ' \\Flagged ')" \
	             " > 0")
#define FTS_FILTERS                             \
	" AND (?3 = 0 OR NOT " FTS_UNREAD ")"   \
	" AND (?4 = 0 OR " FTS_FLAGGED ")"      \
	" AND (?5 IS NULL OR m.sort_date < ?5)" \
	" AND (?6 IS NULL OR m.sort_date >= ?6)"
#define FTS_JOINS                                           \
	" JOIN mailboxes b ON b.id = m.mailbox_id"          \
	" LEFT JOIN queue q ON q.mailbox_id = m.mailbox_id" \
	"  AND q.uidvalidity = b.uidvalidity AND q.uid = m.uid"

static sqlite3_stmt *cache_fts_search_stmt(struct cache *c, bool text,
                                           struct pt_error *err)
{
	static const char sql_match[] =
	        "SELECT m.uid FROM msg_fts f"
	        " JOIN messages m ON m.id = f.rowid" FTS_JOINS
	        " WHERE msg_fts MATCH ?2 AND m.mailbox_id = ?1" FTS_FILTERS
	        " ORDER BY m.uid";
	static const char sql_filter[] =
	        "SELECT m.uid FROM messages m" FTS_JOINS
	        " WHERE m.mailbox_id = ?1" FTS_FILTERS " ORDER BY m.uid";

	if (text)
		return cache_stmt(c, CS_FTS_SEARCH, sql_match, err);
	return cache_stmt(c, CS_FTS_FILTER, sql_filter, err);
}

static void cache_fts_bind_filter(sqlite3_stmt *st,
                                  const struct cache_search_filter *f)
{
	sqlite3_bind_int(st, 3, f != NULL && f->unread);
	sqlite3_bind_int(st, 4, f != NULL && f->flagged);
	if (f != NULL && f->has_before)
		sqlite3_bind_int64(st, 5, f->before);
	if (f != NULL && f->has_after)
		sqlite3_bind_int64(st, 6, f->after);
}

int cache_fts_search(struct cache *c, int64_t mailbox_id, const char *match,
                     const struct cache_search_filter *filter,
                     struct cache_uidlist *uids_r, struct pt_error *err)
{
	bool text = match != NULL && *match != '\0';
	sqlite3_stmt *st;

	/* Inside a transaction, see its own queued index changes. */
	if (text && cache_in_transaction(c) && cache_fts_flush(c, err) < 0)
		return -1;
	st = cache_fts_search_stmt(c, text, err);
	size_t cap = 0;
	int rc;

	memset(uids_r, 0, sizeof *uids_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (text)
		cache_bind_text(st, 2, match);
	cache_fts_bind_filter(st, filter);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (uids_r->n == cap) {
			cap = cap ? cap * 2 : 256;
			uids_r->uids = xreallocarray(uids_r->uids, cap,
			                             sizeof *uids_r->uids);
		}
		uids_r->uids[uids_r->n++] =
		        (uint32_t)sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		/* A plain SQLITE_ERROR here comes from the MATCH expression
		 * (fts5 syntax, unknown column); anything else is the file. */
		if (sqlite3_extended_errcode(c->db) == SQLITE_ERROR)
			pt_error_set(err, PT_E_DATA, "bad search: %s",
			             sqlite3_errmsg(c->db));
		else
			cache_sqlerr(c, err, "search");
		cache_uidlist_free(uids_r);
	}
	cache_stmt_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
