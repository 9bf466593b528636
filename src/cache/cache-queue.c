/* cache-queue.c: the change queue of flag edits made locally (DESIGN
 * "Flag edits across devices", INTERFACE `flag` and `pending`).
 *
 * A row holds, for one message, the flags the user wants added and
 * removed that the server flags do not show yet, plus the modseq the user
 * saw when the row was created (the UNCHANGEDSINCE base). The user's view
 * of a message is its server flags with its row applied. Rows are keyed by
 * (mailbox, uidvalidity, uid) so that a UIDVALIDITY change drops them all
 * at once (RFC 7162 §6, Q-72). */
#include "cache/cache-private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache-flags.h"
#include "common/xmalloc.h"

/* One message's queued edit as read for coalescing. */
struct queue_row {
	int64_t id; /* 0: none */
	char *add;
	char *remove;
};

void cache_queue_list_free(struct cache_queue_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].mailbox);
		free(l->v[i].add);
		free(l->v[i].remove);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static void cache_queue_entry_read(sqlite3_stmt *st,
                                   struct cache_queue_entry *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->mailbox_id = sqlite3_column_int64(st, 1);
	e->mailbox = cache_col_strdup(st, 2);
	e->uidvalidity = (uint32_t)sqlite3_column_int64(st, 3);
	e->uid = (uint32_t)sqlite3_column_int64(st, 4);
	e->add = cache_col_strdup(st, 5);
	e->remove = cache_col_strdup(st, 6);
	e->base_modseq = (uint64_t)sqlite3_column_int64(st, 7);
	e->created = sqlite3_column_int64(st, 8);
	e->state = (enum cache_queue_state)sqlite3_column_int(st, 9);
	e->rev = sqlite3_column_int64(st, 10);
}

int cache_queue_read(struct cache *c, sqlite3_stmt *st,
                     struct cache_queue_list *list_r, struct pt_error *err)
{
	size_t cap = 0;
	int rc;

	memset(list_r, 0, sizeof *list_r);
	while ((rc = cache_step(c, st, "queue read", err)) == 1) {
		if (list_r->n == cap) {
			cap = cap ? cap * 2 : 16;
			list_r->v = xreallocarray(list_r->v, cap,
			                          sizeof *list_r->v);
		}
		cache_queue_entry_read(st, &list_r->v[list_r->n++]);
	}
	cache_stmt_reset(st);
	if (rc < 0)
		cache_queue_list_free(list_r);
	return rc;
}

/* ------------------------------------------------------------ editing */

static int cache_queue_get(struct cache *c, int64_t mailbox_id, uint32_t uv,
                           uint32_t uid, struct queue_row *row,
                           struct pt_error *err)
{
	static const char sql[] =
	        "SELECT id, add_flags, remove_flags FROM queue"
	        " WHERE mailbox_id = ?1 AND uidvalidity = ?2 AND uid = ?3";
	sqlite3_stmt *st = cache_stmt(c, CS_Q_GET, sql, err);
	int rc;

	memset(row, 0, sizeof *row);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uv);
	sqlite3_bind_int64(st, 3, uid);
	rc = cache_step(c, st, "queue read", err);
	if (rc == 1) {
		row->id = sqlite3_column_int64(st, 0);
		row->add = cache_col_strdup(st, 1);
		row->remove = cache_col_strdup(st, 2);
	}
	cache_stmt_reset(st);
	return rc < 0 ? -1 : 0;
}

static int cache_queue_insert(struct cache *c, int64_t mailbox_id, uint32_t uv,
                              uint32_t uid, const char *add, const char *remove,
                              uint64_t base, struct pt_error *err)
{
	static const char sql[] =
	        "INSERT INTO queue (mailbox_id, uidvalidity, uid, add_flags,"
	        " remove_flags, base_modseq, created)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st = cache_stmt(c, CS_Q_INSERT, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uv);
	sqlite3_bind_int64(st, 3, uid);
	cache_bind_text(st, 4, add);
	cache_bind_text(st, 5, remove);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)base);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	return cache_step_done(c, st, "queue insert", err);
}

static int cache_queue_update(struct cache *c, int64_t id, const char *add,
                              const char *remove, struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE queue SET add_flags = ?2, remove_flags = ?3,"
	        " rev = rev + 1 WHERE id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_Q_UPDATE, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	cache_bind_text(st, 2, add);
	cache_bind_text(st, 3, remove);
	return cache_step_done(c, st, "queue update", err);
}

/* Store the row that takes the server flags to the view wanted: what is
 * left to add and to remove, or no row at all. */
static int cache_queue_store(struct cache *c, int64_t mailbox_id, uint32_t uv,
                             uint32_t uid, const struct queue_row *row,
                             const char *server, const char *wanted,
                             uint64_t modseq, struct pt_error *err)
{
	char *add = cache_flags_minus(wanted, server);
	char *remove = cache_flags_minus(server, wanted);
	int rc;

	if (*add == '\0' && *remove == '\0')
		rc = row->id != 0 ? cache_queue_remove(c, row->id, err) : 0;
	else if (row->id != 0)
		rc = cache_queue_update(c, row->id, add, remove, err);
	else
		rc = cache_queue_insert(c, mailbox_id, uv, uid, add, remove,
		                        modseq, err);
	free(add);
	free(remove);
	return rc;
}

/* Apply (add, remove) to one message; *changed_r if its view changed. */
static int cache_queue_edit_one(struct cache *c, int64_t mailbox_id,
                                uint32_t uv, uint32_t uid, const char *add,
                                const char *remove, bool *found_r,
                                bool *changed_r, struct pt_error *err)
{
	struct queue_row row;
	char *server = NULL, *view = NULL, *wanted = NULL;
	uint64_t modseq = 0;
	int rc;

	*changed_r = false;
	rc = cache_msg_state(c, mailbox_id, uid, &server, &modseq, NULL, err);
	*found_r = rc == 1;
	if (rc <= 0)
		return rc;
	rc = cache_queue_get(c, mailbox_id, uv, uid, &row, err);
	if (rc == 0) {
		view = cache_flags_apply(server, row.add, row.remove);
		wanted = cache_flags_apply(view, add, remove);
		/* An edit that changes nothing the user sees is not queued. */
		*changed_r = !cache_flags_equal(view, wanted);
		if (*changed_r)
			rc = cache_queue_store(c, mailbox_id, uv, uid, &row,
			                       server, wanted, modseq, err);
	}
	free(row.add);
	free(row.remove);
	free(server);
	free(view);
	free(wanted);
	return rc;
}

/* Normalize add and remove; refuse a flag in both. */
static int cache_queue_args(const char *add, const char *remove, char **add_r,
                            char **remove_r, struct pt_error *err)
{
	char *rest;
	int rc = 0;

	*add_r = *remove_r = NULL;
	if (cache_flags_normalize(add, add_r, err) < 0 ||
	    cache_flags_normalize(remove, remove_r, err) < 0) {
		free(*add_r);
		return -1;
	}
	rest = cache_flags_minus(*add_r, *remove_r);
	if (!cache_flags_equal(rest, *add_r))
		rc = pt_error_set(err, PT_E_DATA,
		                  "a flag cannot be both added and removed");
	free(rest);
	if (rc < 0) {
		free(*add_r);
		free(*remove_r);
	}
	return rc;
}

int cache_queue_edit(struct cache *c, int64_t mailbox_id, const uint32_t *uids,
                     size_t n, const char *add, const char *remove,
                     size_t *matched_r, size_t *changed_r, struct pt_error *err)
{
	char *a, *r;
	uint32_t uv = 0;
	size_t i, matched = 0, changed = 0;
	bool outer, found, ch;
	int rc;

	if (cache_queue_args(add, remove, &a, &r, err) < 0)
		return -1;
	if (cache_unit_begin(c, &outer, err) < 0) {
		free(a);
		free(r);
		return -1;
	}
	rc = cache_mailbox_uidvalidity(c, mailbox_id, &uv, err);
	for (i = 0; i < n && rc == 0; i++) {
		rc = cache_queue_edit_one(c, mailbox_id, uv, uids[i], a, r,
		                          &found, &ch, err);
		matched += found;
		changed += ch;
	}
	rc = cache_unit_end(c, outer, rc, err);
	free(a);
	free(r);
	if (rc == 0 && matched_r != NULL)
		*matched_r = matched;
	if (rc == 0 && changed_r != NULL)
		*changed_r = changed;
	return rc;
}

/* ----------------------------------------------------------- listing */

int cache_queue_list(struct cache *c, int64_t mailbox_id,
                     struct cache_queue_list *list_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " CACHE_Q_COLUMNS " FROM queue q"
	        " JOIN mailboxes b ON b.id = q.mailbox_id"
	        " WHERE ?1 = 0 OR q.mailbox_id = ?1 ORDER BY q.id";
	sqlite3_stmt *st = cache_stmt(c, CS_Q_LIST, sql, err);

	memset(list_r, 0, sizeof *list_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	return cache_queue_read(c, st, list_r, err);
}

int cache_queue_orphans(struct cache *c, int64_t mailbox_id,
                        struct cache_queue_list *list_r, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " CACHE_Q_COLUMNS " FROM queue q"
	        " JOIN mailboxes b ON b.id = q.mailbox_id"
	        " WHERE q.mailbox_id = ?1 AND (q.uidvalidity != b.uidvalidity"
	        " OR NOT EXISTS (SELECT 1 FROM messages m"
	        " WHERE m.mailbox_id = q.mailbox_id AND m.uid = q.uid))"
	        " ORDER BY q.id";
	sqlite3_stmt *st = cache_stmt(c, CS_Q_ORPHANS, sql, err);

	memset(list_r, 0, sizeof *list_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	return cache_queue_read(c, st, list_r, err);
}

void cache_queue_groups_free(struct cache_queue_groups *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->v[i].add);
		free(g->v[i].remove);
		free(g->v[i].items);
	}
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* The group for (add, remove), appended if new. */
static struct cache_queue_group *
cache_queue_group_for(struct cache_queue_groups *g, const char *add,
                      const char *remove)
{
	struct cache_queue_group *grp;
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].add, add) == 0 &&
		    strcmp(g->v[i].remove, remove) == 0)
			return &g->v[i];
	g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
	grp = &g->v[g->n++];
	memset(grp, 0, sizeof *grp);
	grp->add = xstrdup(add);
	grp->remove = xstrdup(remove);
	return grp;
}

static int cache_queue_item_cmp(const void *a, const void *b)
{
	const struct cache_queue_item *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static void cache_queue_group_rows(const struct cache_queue_list *rows,
                                   struct cache_queue_groups *g)
{
	size_t i;

	for (i = 0; i < rows->n; i++) {
		const struct cache_queue_entry *e = &rows->v[i];
		struct cache_queue_group *grp =
		        cache_queue_group_for(g, e->add, e->remove);

		grp->items = xreallocarray(grp->items, grp->n + 1,
		                           sizeof *grp->items);
		grp->items[grp->n++] = (struct cache_queue_item){
		        e->id, e->rev, e->uid, e->base_modseq};
	}
	for (i = 0; i < g->n; i++)
		qsort(g->v[i].items, g->v[i].n, sizeof *g->v[i].items,
		      cache_queue_item_cmp);
}

int cache_queue_groups(struct cache *c, int64_t mailbox_id,
                       struct cache_queue_groups *groups_r,
                       struct pt_error *err)
{
	static const char sql[] =
	        "SELECT " CACHE_Q_COLUMNS " FROM queue q"
	        " JOIN mailboxes b ON b.id = q.mailbox_id"
	        " JOIN messages m ON m.mailbox_id = q.mailbox_id"
	        "  AND m.uid = q.uid"
	        " WHERE q.mailbox_id = ?1 AND q.uidvalidity = b.uidvalidity"
	        " AND q.state = 0 ORDER BY q.id";
	sqlite3_stmt *st = cache_stmt(c, CS_Q_REPLAY, sql, err);
	struct cache_queue_list rows;

	memset(groups_r, 0, sizeof *groups_r);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (cache_queue_read(c, st, &rows, err) < 0)
		return -1;
	cache_queue_group_rows(&rows, groups_r);
	cache_queue_list_free(&rows);
	return 0;
}

/* ------------------------------------------------------------ removal */

/* Run a statement on one queue row: ?1 = id, ?2 = value (if any). */
static int cache_queue_write(struct cache *c, enum cache_stmt_id id,
                             const char *sql, int64_t row_id,
                             const int64_t *value, struct pt_error *err)
{
	sqlite3_stmt *st = cache_stmt(c, id, sql, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, row_id);
	if (value != NULL)
		sqlite3_bind_int64(st, 2, *value);
	return cache_step_done(c, st, "queue update", err);
}

int cache_queue_remove(struct cache *c, int64_t id, struct pt_error *err)
{
	static const char sql[] = "DELETE FROM queue WHERE id = ?1";

	return cache_queue_write(c, CS_Q_DELETE, sql, id, NULL, err);
}

int cache_queue_done(struct cache *c, int64_t id, int64_t rev, bool *removed_r,
                     struct pt_error *err)
{
	static const char sql[] =
	        "DELETE FROM queue WHERE id = ?1 AND rev = ?2";

	if (cache_queue_write(c, CS_Q_DONE, sql, id, &rev, err) < 0)
		return -1;
	if (removed_r != NULL)
		*removed_r = sqlite3_changes(c->db) > 0;
	return 0;
}

int cache_queue_set_state(struct cache *c, int64_t id,
                          enum cache_queue_state state, struct pt_error *err)
{
	static const char sql[] = "UPDATE queue SET state = ?2 WHERE id = ?1";
	int64_t v = state;

	return cache_queue_write(c, CS_Q_STATE, sql, id, &v, err);
}

int cache_queue_set_base(struct cache *c, int64_t id, uint64_t base_modseq,
                         struct pt_error *err)
{
	static const char sql[] =
	        "UPDATE queue SET base_modseq = ?2 WHERE id = ?1";
	int64_t v = (int64_t)base_modseq;

	if (base_modseq > (uint64_t)INT64_MAX)
		return pt_error_set(err, PT_E_CACHE,
		                    "cache: mod-sequence out of range");
	return cache_queue_write(c, CS_Q_BASE, sql, id, &v, err);
}

int cache_queue_drop_mailbox(struct cache *c, int64_t mailbox_id,
                             struct cache_queue_list *dropped_r,
                             struct pt_error *err)
{
	static const char sql_list[] =
	        "SELECT " CACHE_Q_COLUMNS " FROM queue q"
	        " JOIN mailboxes b ON b.id = q.mailbox_id"
	        " WHERE q.mailbox_id = ?1 ORDER BY q.id";
	static const char sql_drop[] =
	        "DELETE FROM queue WHERE mailbox_id = ?1";
	sqlite3_stmt *st;
	bool outer;
	int rc = 0;

	if (dropped_r != NULL)
		memset(dropped_r, 0, sizeof *dropped_r);
	if (cache_unit_begin(c, &outer, err) < 0)
		return -1;
	if (dropped_r != NULL) {
		st = cache_stmt(c, CS_Q_DROP_LIST, sql_list, err);
		if (st != NULL)
			sqlite3_bind_int64(st, 1, mailbox_id);
		rc = st != NULL ? cache_queue_read(c, st, dropped_r, err) : -1;
	}
	if (rc == 0)
		rc = cache_queue_write(c, CS_Q_DROP, sql_drop, mailbox_id, NULL,
		                       err);
	rc = cache_unit_end(c, outer, rc, err);
	if (rc < 0 && dropped_r != NULL)
		cache_queue_list_free(dropped_r);
	return rc;
}
