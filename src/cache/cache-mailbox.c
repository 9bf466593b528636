/* cache-mailbox.c: the mailbox list and each mailbox's sync state
 * (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, modseq mode, progress). */
#include "cache/cache-private.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"

#define MBOX_COLUMNS                                                      \
	"id, name, raw_name, delimiter, attrs, subscribed, uidvalidity, " \
	"uidnext, highestmodseq, modseq_mode, last_full_sync, synced_uid"

/* Unseen in the user's view: unseen on the server, corrected by queued
 * edits of the current UIDVALIDITY that add or remove \Seen. The counts
 * use the (mailbox_id, seen) index and the small queue only. */
#define MBOX_UNSEEN_EXPR(mb)                                                   \
	"((SELECT count(*) FROM messages WHERE mailbox_id = " mb               \
	" AND seen = 0) + (SELECT coalesce(sum(CASE"                           \
	" WHEN m.seen = 0 AND instr(' ' || q.add_flags || ' ', ' \\Seen ')"    \
	"  > 0 THEN -1"                                                        \
	" WHEN m.seen = 1 AND instr(' ' || q.remove_flags || ' ', ' \\Seen ')" \
	"  > 0 THEN 1 ELSE 0 END), 0)"                                         \
	" FROM queue q JOIN mailboxes qb ON qb.id = q.mailbox_id"              \
	" JOIN messages m ON m.mailbox_id = q.mailbox_id AND m.uid = q.uid"    \
	" WHERE q.mailbox_id = " mb " AND q.uidvalidity = qb.uidvalidity))"

static const struct {
	const char *name;
	unsigned bit;
} cache_mailbox_attrs[] = {
        {"\\Noselect", CACHE_MBOX_NOSELECT},
        {"\\NonExistent", CACHE_MBOX_NOSELECT}, /* RFC 5258: implies it */
        {"\\Noinferiors", CACHE_MBOX_NOINFERIORS},
        {"\\Sent", CACHE_MBOX_SENT},
        {"\\Trash", CACHE_MBOX_TRASH},
        {"\\Drafts", CACHE_MBOX_DRAFTS},
        {"\\Junk", CACHE_MBOX_JUNK},
        {"\\Archive", CACHE_MBOX_ARCHIVE},
        {"\\All", CACHE_MBOX_ALL},
        {"\\Flagged", CACHE_MBOX_FLAGGED},
};

unsigned cache_mailbox_attr(const char *attr)
{
	size_t i;

	for (i = 0;
	     i < sizeof cache_mailbox_attrs / sizeof *cache_mailbox_attrs; i++)
		if (strcasecmp(attr, cache_mailbox_attrs[i].name) == 0)
			return cache_mailbox_attrs[i].bit;
	return 0;
}

int cache_mailbox_upsert(struct cache *c, const char *name,
                         const char *raw_name, char delimiter, unsigned attrs,
                         bool subscribed, int64_t *id_r, struct pt_error *err)
{
	static const char sql[] =
	        "INSERT INTO mailboxes (name, raw_name, delimiter, attrs,"
	        " subscribed) VALUES (?1, ?2, ?3, ?4, ?5)"
	        " ON CONFLICT (name) DO UPDATE SET raw_name = excluded.raw_name,"
	        " delimiter = excluded.delimiter, attrs = excluded.attrs,"
	        " subscribed = excluded.subscribed RETURNING id";
	sqlite3_stmt *st = cache_stmt(c, CS_MBOX_UPSERT, sql, err);
	char delim[2] = {delimiter, '\0'};
	int rc;

	if (st == NULL)
		return -1;
	cache_bind_text(st, 1, name);
	cache_bind_text(st, 2, raw_name);
	cache_bind_text(st, 3, delimiter != '\0' ? delim : NULL);
	sqlite3_bind_int64(st, 4, attrs);
	sqlite3_bind_int(st, 5, subscribed);
	rc = cache_step(c, st, "mailbox upsert", err);
	if (rc == 1 && id_r != NULL)
		*id_r = sqlite3_column_int64(st, 0);
	cache_stmt_reset(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_CACHE,
		                    "cache: upsert returned "
		                    "no row");
	return rc < 0 ? -1 : 0;
}

/* Fill mb from a row of MBOX_COLUMNS (+ counts at 12, 13 if present). */
static void cache_mailbox_read(sqlite3_stmt *st, struct cache_mailbox *mb)
{
	const unsigned char *delim = sqlite3_column_text(st, 3);

	memset(mb, 0, sizeof *mb);
	mb->id = sqlite3_column_int64(st, 0);
	mb->name = cache_col_strdup(st, 1);
	mb->raw_name = cache_col_strdup(st, 2);
	mb->delimiter = delim != NULL ? (char)delim[0] : '\0';
	mb->attrs = (unsigned)sqlite3_column_int64(st, 4);
	mb->subscribed = sqlite3_column_int(st, 5) != 0;
	mb->uidvalidity = (uint32_t)sqlite3_column_int64(st, 6);
	mb->uidnext = (uint32_t)sqlite3_column_int64(st, 7);
	mb->has_highestmodseq = sqlite3_column_type(st, 8) != SQLITE_NULL;
	mb->highestmodseq = (uint64_t)sqlite3_column_int64(st, 8);
	mb->modseq_mode = (enum cache_modseq_mode)sqlite3_column_int(st, 9);
	mb->last_full_sync = sqlite3_column_int64(st, 10);
	mb->synced_uid = (uint32_t)sqlite3_column_int64(st, 11);
	if (sqlite3_column_count(st) > 13) {
		mb->messages = (uint64_t)sqlite3_column_int64(st, 12);
		mb->unseen = (uint64_t)sqlite3_column_int64(st, 13);
	}
}

/* Step a statement expected to return one mailbox row, then reset it. */
static int cache_mailbox_one(struct cache *c, sqlite3_stmt *st,
                             struct cache_mailbox *mb_r, const char *what,
                             struct pt_error *err)
{
	int rc = cache_step(c, st, "mailbox get", err);

	if (rc == 1)
		cache_mailbox_read(st, mb_r);
	cache_stmt_reset(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "no mailbox %s in the "
		                    "cache",
		                    what);
	return rc < 0 ? -1 : 0;
}

int cache_mailbox_get(struct cache *c, const char *name,
                      struct cache_mailbox *mb_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " MBOX_COLUMNS " FROM mailboxes WHERE name = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_MBOX_GET, sql, err);

	memset(mb_r, 0, sizeof *mb_r);
	if (st == NULL)
		return -1;
	cache_bind_text(st, 1, name);
	return cache_mailbox_one(c, st, mb_r, name, err);
}

int cache_mailbox_get_id(struct cache *c, int64_t id,
                         struct cache_mailbox *mb_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " MBOX_COLUMNS " FROM mailboxes WHERE id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_MBOX_GET_ID, sql, err);

	memset(mb_r, 0, sizeof *mb_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return cache_mailbox_one(c, st, mb_r, "with this id", err);
}

void cache_mailbox_clear(struct cache_mailbox *mb)
{
	free(mb->name);
	free(mb->raw_name);
	memset(mb, 0, sizeof *mb);
}

static int mailbox_list_run(struct cache *c, sqlite3_stmt *st,
                            struct cache_mailbox_list *list_r,
                            struct pt_error *err)
{
	size_t cap = 0;
	int rc;

	memset(list_r, 0, sizeof *list_r);
	if (st == NULL)
		return -1;
	while ((rc = cache_step(c, st, "mailbox list", err)) == 1) {
		if (list_r->n == cap) {
			cap = cap ? cap * 2 : 16;
			list_r->v = xreallocarray(list_r->v, cap,
			                          sizeof *list_r->v);
		}
		cache_mailbox_read(st, &list_r->v[list_r->n++]);
	}
	cache_stmt_reset(st);
	if (rc < 0)
		cache_mailbox_list_free(list_r);
	return rc;
}

int cache_mailbox_list(struct cache *c, struct cache_mailbox_list *list_r,
                       struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " MBOX_COLUMNS ", (SELECT count(*) FROM messages"
	        " WHERE mailbox_id = b.id), " MBOX_UNSEEN_EXPR(
	                "b.id") " FROM mailboxes b ORDER BY name";

	return mailbox_list_run(c, cache_stmt(c, CS_MBOX_LIST, sql, err),
	                        list_r, err);
}

int cache_mailbox_names(struct cache *c, struct cache_mailbox_list *list_r,
                        struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " MBOX_COLUMNS " FROM mailboxes ORDER BY name";

	return mailbox_list_run(c, cache_stmt(c, CS_MBOX_NAMES, sql, err),
	                        list_r, err);
}

void cache_mailbox_list_free(struct cache_mailbox_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		cache_mailbox_clear(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof *list);
}

/* Run a one-value query bound to the mailbox id. */
static int cache_mailbox_scalar(struct cache *c, enum cache_stmt_id id,
                                const char *sql, int64_t mailbox_id,
                                uint64_t *value_r, struct pt_error *err)
{
	sqlite3_stmt *st = cache_stmt(c, id, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = cache_step(c, st, "count", err);
	if (rc == 1)
		*value_r = (uint64_t)sqlite3_column_int64(st, 0);
	cache_stmt_reset(st);
	return rc < 0 ? -1 : 0;
}

int cache_mailbox_counts(struct cache *c, int64_t mailbox_id,
                         uint64_t *messages_r, uint64_t *unseen_r,
                         struct pt_error *err)
{
	static const char sql_count[] =
	        "SELECT count(*) FROM messages WHERE mailbox_id = ?1";
	static const char sql_unseen[] = "SELECT " MBOX_UNSEEN_EXPR("?1");

	*messages_r = *unseen_r = 0;
	if (cache_mailbox_scalar(c, CS_MBOX_COUNT, sql_count, mailbox_id,
	                         messages_r, err) < 0)
		return -1;
	return cache_mailbox_scalar(c, CS_MBOX_UNSEEN, sql_unseen, mailbox_id,
	                            unseen_r, err);
}

int cache_mailbox_uidvalidity(struct cache *c, int64_t mailbox_id,
                              uint32_t *uidvalidity_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT uidvalidity FROM mailboxes WHERE id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_MBOX_UIDVALIDITY, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = cache_step(c, st, "mailbox", err);
	if (rc == 1)
		*uidvalidity_r = (uint32_t)sqlite3_column_int64(st, 0);
	cache_stmt_reset(st);
	if (rc == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "no such mailbox in "
		                    "the cache");
	return rc < 0 ? -1 : 0;
}

/* Run an UPDATE/DELETE on one mailbox: ?1 = id, ?2 = an integer value
 * (or NULL when value is NULL). PT_E_NOTFOUND if no row changed. */
static int cache_mailbox_write(struct cache *c, enum cache_stmt_id id,
                               const char *sql, int64_t mailbox_id,
                               const int64_t *value, struct pt_error *err)
{
	sqlite3_stmt *st = cache_stmt(c, id, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (value != NULL)
		sqlite3_bind_int64(st, 2, *value);
	if (cache_step_done(c, st, "mailbox update", err) < 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "no such mailbox in "
		                    "the cache");
	return 0;
}

int cache_mailbox_delete(struct cache *c, int64_t id,
                         struct cache_queue_list *dropped_r,
                         struct pt_error *err)
{
	static const char sql[] = "DELETE FROM mailboxes WHERE id = ?1";
	bool outer;
	int rc;

	if (cache_unit_begin(c, &outer, err) < 0)
		return -1;
	rc = cache_queue_drop_mailbox(c, id, dropped_r, err);
	if (rc == 0)
		rc = cache_mailbox_write(c, CS_MBOX_DELETE, sql, id, NULL, err);
	if (rc < 0 && dropped_r != NULL)
		cache_queue_list_free(dropped_r);
	return cache_unit_end(c, outer, rc, err);
}

int cache_mailbox_rename(struct cache *c, int64_t id, const char *name,
                         const char *raw_name, struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE mailboxes SET name = ?2, raw_name = ?3 WHERE id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_MBOX_RENAME, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	cache_bind_text(st, 2, name);
	cache_bind_text(st, 3, raw_name);
	if (cache_step_done(c, st, "mailbox rename", err) < 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    "no such mailbox in "
		                    "the cache");
	return 0;
}

int cache_mailbox_reset(struct cache *c, int64_t id, uint32_t uidvalidity,
                        struct cache_queue_list *dropped_r,
                        struct pt_error *err)
{
	static const char sql_msgs[] =
	        "DELETE FROM messages WHERE mailbox_id = ?1";
	static const char sql_mbox[] =
	        "UPDATE mailboxes SET uidvalidity = ?2, uidnext = 0,"
	        " highestmodseq = NULL, modseq_mode = 0, last_full_sync = 0,"
	        " synced_uid = 0 WHERE id = ?1";
	int64_t uv = uidvalidity;
	sqlite3_stmt *st;
	bool outer;
	int rc;

	if (cache_unit_begin(c, &outer, err) < 0)
		return -1;
	rc = cache_mailbox_write(c, CS_MBOX_RESET, sql_mbox, id, &uv, err);
	if (rc == 0)
		rc = cache_queue_drop_mailbox(c, id, dropped_r, err);
	if (rc == 0 &&
	    (st = cache_stmt(c, CS_MSG_DELETE_ALL, sql_msgs, err)) != NULL) {
		sqlite3_bind_int64(st, 1, id);
		rc = cache_step_done(c, st, "mailbox reset", err);
	} else if (rc == 0) {
		rc = -1;
	}
	if (rc < 0 && dropped_r != NULL)
		cache_queue_list_free(dropped_r);
	return cache_unit_end(c, outer, rc, err);
}

int cache_mailbox_set_uidnext(struct cache *c, int64_t id, uint32_t uidnext,
                              struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE mailboxes SET uidnext = ?2 WHERE id = ?1";
	int64_t v = uidnext;

	return cache_mailbox_write(c, CS_MBOX_SET_UIDNEXT, sql, id, &v, err);
}

int cache_mailbox_set_highestmodseq(struct cache *c, int64_t id,
                                    const uint64_t *hms, struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE mailboxes SET highestmodseq = ?2 WHERE id = ?1";
	int64_t v;

	/* Q-15/T-16: never let a value wrap to negative; 0 is never a
	 * baseline: unknown is NULL. */
	if (hms != NULL && (*hms == 0 || *hms > (uint64_t)INT64_MAX))
		return pt_error_set(err, PT_E_CACHE,
		                    "cache: HIGHESTMODSEQ %llu out of range",
		                    (unsigned long long)*hms);
	v = hms != NULL ? (int64_t)*hms : 0;
	return cache_mailbox_write(c, CS_MBOX_SET_HMS, sql, id,
	                           hms != NULL ? &v : NULL, err);
}

int cache_mailbox_set_modseq_mode(struct cache *c, int64_t id,
                                  enum cache_modseq_mode mode,
                                  struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE mailboxes SET modseq_mode = ?2 WHERE id = ?1";
	int64_t v = mode;

	return cache_mailbox_write(c, CS_MBOX_SET_MODE, sql, id, &v, err);
}

int cache_mailbox_set_full_sync(struct cache *c, int64_t id, int64_t when,
                                struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE mailboxes SET last_full_sync = ?2 WHERE id = ?1";

	return cache_mailbox_write(c, CS_MBOX_SET_FULL, sql, id, &when, err);
}

int cache_mailbox_set_synced_uid(struct cache *c, int64_t id, uint32_t uid,
                                 struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE mailboxes SET synced_uid = ?2 WHERE id = ?1";
	int64_t v = uid;

	return cache_mailbox_write(c, CS_MBOX_SET_SYNCED, sql, id, &v, err);
}
