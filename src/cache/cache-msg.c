/* cache-msg.c: message rows (summaries, server flags, modseqs), page reads
 * with the user's view of the flags, and cached body parts. */
#include "cache/cache-private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache-flags.h"
#include "common/xmalloc.h"

/* Largest body part stored: messages up to 50 MB (INTERFACE.md). */
#define CACHE_BODY_MAX (64u * 1024 * 1024)

/* The columns of a message read, joined with its queued edit (if any, and
 * only for the mailbox's current UIDVALIDITY) to give the user's view. */
#define MSG_PAGE(bs, where, order)                                       \
	"SELECT m.uid, m.modseq, m.flags, q.add_flags, q.remove_flags,"  \
	" m.internaldate, m.size, m.date, m.sort_date, m.from_addr,"     \
	" m.to_addr, m.cc_addr, m.subject, m.message_id, m.in_reply_to," \
	" m.refs, " bs ", m.thread_pos, m.thread_depth, m.thread_tree"   \
	" FROM messages m"                                               \
	" JOIN mailboxes b ON b.id = m.mailbox_id"                       \
	" LEFT JOIN queue q ON q.mailbox_id = m.mailbox_id"              \
	"  AND q.uidvalidity = b.uidvalidity AND q.uid = m.uid"          \
	" WHERE m.mailbox_id = ?1 AND " where " ORDER BY " order " LIMIT ?4"

void cache_msg_clear(struct cache_msg *m)
{
	free(m->flags);
	free(m->view_flags);
	free(m->from);
	free(m->to);
	free(m->cc);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->bodystructure);
	free(m->thread_tree);
	memset(m, 0, sizeof *m);
}

static int cache_msg_bind_put(struct cache *c, sqlite3_stmt *st,
                              int64_t mailbox_id, const struct cache_msg *m,
                              const char *flags, struct pt_error *err)
{
	if (m->uid == 0)
		return pt_error_set(err, PT_E_CACHE, "cache: UID 0");
	if (m->size > (uint64_t)INT64_MAX)
		return pt_error_set(err, PT_E_CACHE, "cache: size too large");
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, m->uid);
	if (cache_bind_modseq(c, st, 3, m->has_modseq ? &m->modseq : NULL,
	                      err) < 0)
		return -1;
	cache_bind_text(st, 4, flags);
	sqlite3_bind_int64(st, 5, m->internaldate);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)m->size);
	if (m->has_date)
		sqlite3_bind_int64(st, 7, m->date);
	cache_bind_text(st, 8, m->from);
	cache_bind_text(st, 9, m->to);
	cache_bind_text(st, 10, m->cc);
	cache_bind_text(st, 11, m->subject);
	cache_bind_text(st, 12, m->message_id);
	cache_bind_text(st, 13, m->in_reply_to);
	cache_bind_text(st, 14, m->references);
	cache_bind_text(st, 15, m->bodystructure);
	return 0;
}

int cache_msg_put(struct cache *c, int64_t mailbox_id,
                  const struct cache_msg *m, struct pt_error *err)
{
	/* An upsert, not INSERT OR REPLACE: REPLACE would delete the row
	 * (and with it the bodies) and give it a new id. */
	static const char sql[] =
	        "INSERT INTO messages (mailbox_id, uid, modseq, flags,"
	        " internaldate, size, date, from_addr, to_addr, cc_addr,"
	        " subject, message_id, in_reply_to, refs, bodystructure)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	        " ?13, ?14, ?15) ON CONFLICT (mailbox_id, uid) DO UPDATE SET"
	        " modseq = excluded.modseq, flags = excluded.flags,"
	        " internaldate = excluded.internaldate, size = excluded.size,"
	        " date = excluded.date, from_addr = excluded.from_addr,"
	        " to_addr = excluded.to_addr, cc_addr = excluded.cc_addr,"
	        " subject = excluded.subject, message_id = excluded.message_id,"
	        " in_reply_to = excluded.in_reply_to, refs = excluded.refs,"
	        " bodystructure = excluded.bodystructure";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_PUT, sql, err);
	char *flags;
	bool outer;
	int rc;

	if (st == NULL || cache_flags_normalize(m->flags, &flags, err) < 0)
		return -1;
	/* Inside the caller's transaction the statement runs as it is (the
	 * sync engine's hot path); alone, it is its own unit so that the
	 * index changes it queues are applied (cache_fts_flush). */
	outer = !cache_in_transaction(c);
	if (outer && cache_unit_begin(c, &outer, err) < 0) {
		free(flags);
		return -1;
	}
	rc = cache_msg_bind_put(c, st, mailbox_id, m, flags, err);
	if (rc == 0)
		rc = cache_step_done(c, st, "message insert", err);
	else
		cache_stmt_reset(st);
	free(flags);
	if (outer)
		rc = cache_unit_end(c, true, rc, err);
	return rc;
}

int cache_msg_set_flags(struct cache *c, int64_t mailbox_id, uint32_t uid,
                        const char *flags, const uint64_t *modseq,
                        bool *found_r, struct pt_error *err)
{
	/* no FLAGS in the FETCH means "unchanged", never "none". */
	static const char sql[] =
	        "UPDATE messages SET flags = coalesce(?3, flags),"
	        " modseq = coalesce(?4, modseq)"
	        " WHERE mailbox_id = ?1 AND uid = ?2";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_SET_FLAGS, sql, err);
	char *norm = NULL;
	int rc = -1;

	if (found_r != NULL)
		*found_r = false;
	if (st == NULL ||
	    (flags != NULL && cache_flags_normalize(flags, &norm, err) < 0))
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	cache_bind_text(st, 3, norm);
	if (cache_bind_modseq(c, st, 4, modseq, err) == 0)
		rc = cache_step_done(c, st, "flag update", err);
	else
		cache_stmt_reset(st);
	free(norm);
	if (rc == 0 && found_r != NULL)
		*found_r = sqlite3_changes(c->db) > 0;
	return rc;
}

int cache_msg_delete(struct cache *c, int64_t mailbox_id, uint32_t uid,
                     struct pt_error *err)
{
	struct cache_uid_range r = {uid, uid};

	return cache_msg_delete_ranges(c, mailbox_id, &r, 1, NULL, err);
}

int cache_msg_delete_ranges(struct cache *c, int64_t mailbox_id,
                            const struct cache_uid_range *ranges, size_t n,
                            uint64_t *deleted_r, struct pt_error *err)
{
	static const char sql[] = "DELETE FROM messages WHERE mailbox_id = ?1"
	                          " AND uid BETWEEN ?2 AND ?3";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_DELETE_RANGE, sql, err);
	uint64_t deleted = 0;
	bool outer;
	size_t i;
	int rc = 0;

	if (deleted_r != NULL)
		*deleted_r = 0;
	if (st == NULL || cache_unit_begin(c, &outer, err) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		uint32_t lo = ranges[i].lo, hi = ranges[i].hi;

		sqlite3_bind_int64(st, 1, mailbox_id);
		sqlite3_bind_int64(st, 2, lo < hi ? lo : hi);
		sqlite3_bind_int64(st, 3, lo < hi ? hi : lo);
		rc = cache_step_done(c, st, "message delete", err);
		if (rc == 0)
			deleted += (uint64_t)sqlite3_changes(c->db);
	}
	rc = cache_unit_end(c, outer, rc, err);
	if (rc == 0 && deleted_r != NULL)
		*deleted_r = deleted;
	return rc;
}

int cache_msg_max_uid(struct cache *c, int64_t mailbox_id, uint32_t *uid_r,
                      struct pt_error *err)
{
	static const char sql[] =
	        "SELECT max(uid) FROM messages WHERE mailbox_id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_MAX_UID, sql, err);
	int rc;

	*uid_r = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = cache_step(c, st, "max uid", err);
	if (rc == 1)
		*uid_r = (uint32_t)sqlite3_column_int64(st, 0);
	cache_stmt_reset(st);
	return rc < 0 ? -1 : 0;
}

int cache_msg_count(struct cache *c, int64_t mailbox_id, uint64_t *count_r,
                    struct pt_error *err)
{
	static const char sql[] =
	        "SELECT count(*) FROM messages WHERE mailbox_id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_MBOX_COUNT, sql, err);
	int rc;

	*count_r = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = cache_step(c, st, "count", err);
	if (rc == 1)
		*count_r = (uint64_t)sqlite3_column_int64(st, 0);
	cache_stmt_reset(st);
	return rc < 0 ? -1 : 0;
}

void cache_uidlist_free(struct cache_uidlist *l)
{
	free(l->uids);
	memset(l, 0, sizeof *l);
}

/* Collect column 0 of every row as UIDs; resets the statement. */
static int cache_read_uids(struct cache *c, sqlite3_stmt *st,
                           struct cache_uidlist *uids_r, struct pt_error *err)
{
	size_t cap = 0;
	int rc;

	while ((rc = cache_step(c, st, "uid list", err)) == 1) {
		if (uids_r->n == cap) {
			cap = cap ? cap * 2 : 256;
			uids_r->uids = xreallocarray(uids_r->uids, cap,
			                             sizeof *uids_r->uids);
		}
		uids_r->uids[uids_r->n++] =
		        (uint32_t)sqlite3_column_int64(st, 0);
	}
	cache_stmt_reset(st);
	if (rc < 0)
		cache_uidlist_free(uids_r);
	return rc;
}

int cache_msg_uids(struct cache *c, int64_t mailbox_id,
                   struct cache_uidlist *uids_r, struct pt_error *err)
{
	static const char sql[] = "SELECT uid FROM messages"
	                          " WHERE mailbox_id = ?1 ORDER BY uid";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_UIDS, sql, err);

	memset(uids_r, 0, sizeof *uids_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	return cache_read_uids(c, st, uids_r, err);
}

/* Fill m from a MSG_PAGE row. */
static void cache_msg_read(sqlite3_stmt *st, struct cache_msg *m)
{
	const char *add = (const char *)sqlite3_column_text(st, 3);
	const char *rm = (const char *)sqlite3_column_text(st, 4);

	memset(m, 0, sizeof *m);
	m->uid = (uint32_t)sqlite3_column_int64(st, 0);
	m->has_modseq = sqlite3_column_type(st, 1) != SQLITE_NULL;
	m->modseq = (uint64_t)sqlite3_column_int64(st, 1);
	m->flags = cache_col_strdup(st, 2);
	if (m->flags == NULL)
		m->flags = xstrdup("");
	m->view_flags = add == NULL && rm == NULL
	                        ? xstrdup(m->flags)
	                        : cache_flags_apply(m->flags, add, rm);
	m->internaldate = sqlite3_column_int64(st, 5);
	m->size = (uint64_t)sqlite3_column_int64(st, 6);
	m->has_date = sqlite3_column_type(st, 7) != SQLITE_NULL;
	m->date = sqlite3_column_int64(st, 7);
	m->sort_date = sqlite3_column_int64(st, 8);
	m->from = cache_col_strdup(st, 9);
	m->to = cache_col_strdup(st, 10);
	m->cc = cache_col_strdup(st, 11);
	m->subject = cache_col_strdup(st, 12);
	m->message_id = cache_col_strdup(st, 13);
	m->in_reply_to = cache_col_strdup(st, 14);
	m->references = cache_col_strdup(st, 15);
	m->bodystructure = cache_col_strdup(st, 16);
	m->thread_pos = sqlite3_column_int64(st, 17);
	m->thread_depth = (unsigned)sqlite3_column_int64(st, 18);
	m->thread_tree = cache_col_strdup(st, 19);
}

int cache_msg_get(struct cache *c, int64_t mailbox_id, uint32_t uid,
                  struct cache_msg *m_r, struct pt_error *err)
{
	static const char sql[] =
	        MSG_PAGE("m.bodystructure", "m.uid = ?2", "m.uid");
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_GET, sql, err);
	int rc;

	memset(m_r, 0, sizeof *m_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int64(st, 4, 1);
	rc = cache_step(c, st, "message get", err);
	if (rc == 1)
		cache_msg_read(st, m_r);
	cache_stmt_reset(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "UID %lu is not in the cache",
		                    (unsigned long)uid);
	return rc < 0 ? -1 : 0;
}

void cache_msg_page_free(struct cache_msg_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		cache_msg_clear(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* The statement of a page order, with ?2/?3 the key to start after. */
static sqlite3_stmt *cache_msg_page_stmt(struct cache *c,
                                         enum cache_order order,
                                         struct pt_error *err)
{
	static const char asc[] = MSG_PAGE("NULL", "m.uid > ?3", "m.uid");
	static const char desc[] = MSG_PAGE("NULL", "m.uid < ?3", "m.uid DESC");
	static const char date_asc[] =
	        MSG_PAGE("NULL", "(m.sort_date, m.uid) > (?2, ?3)",
	                 "m.sort_date, m.uid");
	static const char date_desc[] =
	        MSG_PAGE("NULL", "(m.sort_date, m.uid) < (?2, ?3)",
	                 "m.sort_date DESC, m.uid DESC");
	/* Positions are highest first: see migration 6. */
	static const char thread[] =
	        MSG_PAGE("NULL", "m.thread_pos < ?2", "m.thread_pos DESC");
	static const char thread_rev[] =
	        MSG_PAGE("NULL", "m.thread_pos > ?2", "m.thread_pos");

	switch (order) {
	case CACHE_ORDER_UID_ASC:
		return cache_stmt(c, CS_MSG_PAGE_UID_ASC, asc, err);
	case CACHE_ORDER_UID_DESC:
		return cache_stmt(c, CS_MSG_PAGE_UID_DESC, desc, err);
	case CACHE_ORDER_DATE_ASC:
		return cache_stmt(c, CS_MSG_PAGE_DATE_ASC, date_asc, err);
	case CACHE_ORDER_DATE_DESC:
		return cache_stmt(c, CS_MSG_PAGE_DATE_DESC, date_desc, err);
	case CACHE_ORDER_THREAD:
		return cache_stmt(c, CS_MSG_PAGE_THREAD, thread, err);
	case CACHE_ORDER_THREAD_REV:
		return cache_stmt(c, CS_MSG_PAGE_THREAD_REV, thread_rev, err);
	}
	pt_error_set(err, PT_E_INTERNAL, "cache: bad page order");
	return NULL;
}

/* Bind the start key: "before everything" in the order when after is
 * NULL. UIDs fit in 0..2^32, so -1 and 2^32 bound them. */
static void cache_msg_page_bind(sqlite3_stmt *st, enum cache_order order,
                                const struct cache_page_key *after)
{
	bool desc = order == CACHE_ORDER_UID_DESC ||
	            order == CACHE_ORDER_DATE_DESC ||
	            order == CACHE_ORDER_THREAD;

	if (order == CACHE_ORDER_THREAD || order == CACHE_ORDER_THREAD_REV) {
		sqlite3_bind_int64(st, 2,
		                   after != NULL ? after->sort_date
		                   : desc        ? INT64_MAX
		                                 : INT64_MIN);
		sqlite3_bind_int64(st, 3, 0);
	} else if (after != NULL) {
		sqlite3_bind_int64(st, 2, after->sort_date);
		sqlite3_bind_int64(st, 3, after->uid);
	} else {
		sqlite3_bind_int64(st, 2, desc ? INT64_MAX : INT64_MIN);
		sqlite3_bind_int64(st, 3, desc ? (int64_t)1 << 32 : -1);
	}
}

int cache_msg_page(struct cache *c, int64_t mailbox_id, enum cache_order order,
                   const struct cache_page_key *after, size_t limit,
                   struct cache_msg_page *page_r, struct pt_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(page_r, 0, sizeof *page_r);
	/* A failed refresh leaves the last computed order (see cache.h). */
	if (order == CACHE_ORDER_THREAD || order == CACHE_ORDER_THREAD_REV)
		(void)cache_thread_refresh(c, mailbox_id, err);
	st = cache_msg_page_stmt(c, order, err);
	if (st == NULL)
		return -1;
	if (limit > 100000)
		limit = 100000;
	sqlite3_bind_int64(st, 1, mailbox_id);
	cache_msg_page_bind(st, order, after);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
	page_r->v = xreallocarray(NULL, limit + 1, sizeof *page_r->v);
	while ((rc = cache_step(c, st, "page read", err)) == 1)
		cache_msg_read(st, &page_r->v[page_r->n++]);
	cache_stmt_reset(st);
	if (rc < 0)
		cache_msg_page_free(page_r);
	return rc;
}

/* Server flags, modseq and row id of a cached message. */
int cache_msg_state(struct cache *c, int64_t mailbox_id, uint32_t uid,
                    char **flags_r, uint64_t *modseq_r, int64_t *rowid_r,
                    struct pt_error *err)
{
	static const char sql[] = "SELECT id, flags, modseq FROM messages"
	                          " WHERE mailbox_id = ?1 AND uid = ?2";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_STATE, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	rc = cache_step(c, st, "message state", err);
	if (rc == 1) {
		if (rowid_r != NULL)
			*rowid_r = sqlite3_column_int64(st, 0);
		if (flags_r != NULL)
			*flags_r = cache_col_strdup(st, 1);
		if (modseq_r != NULL)
			*modseq_r = (uint64_t)sqlite3_column_int64(st, 2);
	}
	cache_stmt_reset(st);
	return rc;
}

/* ------------------------------------------------------------- bodies */

int cache_body_put(struct cache *c, int64_t mailbox_id, uint32_t uid,
                   const char *section, const void *data, size_t len,
                   struct pt_error *err)
{
	static const char sql[] =
	        "INSERT INTO bodies (message_id, section, content, fetched)"
	        " SELECT id, ?3, ?4, ?5 FROM messages"
	        " WHERE mailbox_id = ?1 AND uid = ?2"
	        " ON CONFLICT (message_id, section) DO UPDATE SET"
	        " content = excluded.content, fetched = excluded.fetched";
	sqlite3_stmt *st = cache_stmt(c, CS_BODY_PUT, sql, err);

	if (st == NULL)
		return -1;
	if (len > CACHE_BODY_MAX)
		return pt_error_set(err, PT_E_MSG,
		                    "body part of %zu bytes is too large", len);
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	cache_bind_text(st, 3, section != NULL ? section : "");
	sqlite3_bind_blob64(st, 4, len > 0 ? data : "", len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (cache_step_done(c, st, "body insert", err) < 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "UID %lu is not in the cache",
		                    (unsigned long)uid);
	return 0;
}

int cache_body_get(struct cache *c, int64_t mailbox_id, uint32_t uid,
                   const char *section, char **data_r, size_t *len_r,
                   struct pt_error *err)
{
	static const char sql[] =
	        "SELECT b.content FROM bodies b JOIN messages m"
	        " ON m.id = b.message_id WHERE m.mailbox_id = ?1"
	        " AND m.uid = ?2 AND b.section = ?3";
	sqlite3_stmt *st = cache_stmt(c, CS_BODY_GET, sql, err);
	int rc;

	*data_r = NULL;
	*len_r = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	cache_bind_text(st, 3, section != NULL ? section : "");
	rc = cache_step(c, st, "body read", err);
	if (rc == 1) {
		const void *p = sqlite3_column_blob(st, 0);

		*len_r = (size_t)sqlite3_column_bytes(st, 0);
		*data_r = xmalloc(*len_r + 1);
		if (*len_r > 0)
			memcpy(*data_r, p, *len_r);
		(*data_r)[*len_r] = '\0';
	}
	cache_stmt_reset(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "body of UID %lu is not cached",
		                    (unsigned long)uid);
	return rc < 0 ? -1 : 0;
}

int cache_body_unindexed(struct cache *c, int64_t mailbox_id,
                         const char *section, size_t limit,
                         struct cache_uidlist *uids_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT m.uid FROM messages m JOIN bodies b"
	        " ON b.message_id = m.id AND b.section = ?2"
	        " WHERE m.mailbox_id = ?1 AND NOT EXISTS (SELECT 1 FROM"
	        " msg_text t WHERE t.message_id = m.id) ORDER BY m.uid LIMIT ?3";
	sqlite3_stmt *st = cache_stmt(c, CS_BODY_UNINDEXED, sql, err);

	memset(uids_r, 0, sizeof *uids_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	cache_bind_text(st, 2, section != NULL ? section : "");
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	return cache_read_uids(c, st, uids_r, err);
}

int cache_body_missing(struct cache *c, int64_t mailbox_id, const char *section,
                       int64_t since, size_t limit,
                       struct cache_uidlist *uids_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT m.uid FROM messages m WHERE m.mailbox_id = ?1"
	        " AND m.sort_date >= ?3 AND NOT EXISTS (SELECT 1 FROM bodies b"
	        " WHERE b.message_id = m.id AND b.section = ?2)"
	        " ORDER BY m.sort_date DESC, m.uid DESC LIMIT ?4";
	sqlite3_stmt *st = cache_stmt(c, CS_BODY_MISSING, sql, err);

	memset(uids_r, 0, sizeof *uids_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	cache_bind_text(st, 2, section != NULL ? section : "");
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
	return cache_read_uids(c, st, uids_r, err);
}

int cache_msg_set_own_deleted(struct cache *c, int64_t mailbox_id, uint32_t uid,
                              bool own, struct pt_error *err)
{
	static const char sql[] = "UPDATE messages SET own_deleted = ?3"
	                          " WHERE mailbox_id = ?1 AND uid = ?2";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_OWN_SET, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int(st, 3, own ? 1 : 0);
	rc = cache_step_done(c, st, "marking an own deletion", err);
	return rc;
}

int cache_msg_own_deleted(struct cache *c, int64_t mailbox_id,
                          struct cache_uidlist *uids_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT uid FROM messages WHERE mailbox_id = ?1"
	        " AND own_deleted = 1"
	        " AND instr(' ' || flags || ' ', ' \\Deleted ') > 0"
	        " ORDER BY uid";
	sqlite3_stmt *st = cache_stmt(c, CS_MSG_OWN_LIST, sql, err);

	memset(uids_r, 0, sizeof *uids_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	return cache_read_uids(c, st, uids_r, err);
}
