/* cache-thread.c: the thread order of a mailbox (CACHE_ORDER_THREAD).
 *
 * Triggers (migration 6) mark a mailbox thread_dirty when its messages
 * change; the next thread read recomputes the whole order here, in memory
 * and in linear time (a hash of the Message-IDs, parent links, cycle
 * cutting, an iterative depth-first walk: a chain of any depth uses no C
 * stack), then writes only the rows whose position or drawing changed.
 * Positions are numbered from the bottom of the order, so new mail in a
 * new thread changes only its own rows. */
#include "cache/cache-private.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* A message as the thread computation sees it; links are indexes into
 * the node array, -1 for none. */
struct thr_node {
	int64_t id;
	uint32_t uid;
	int64_t date;
	char *mid, *irt, *refs;
	int64_t old_pos; /* -1 if NULL */
	unsigned old_depth;
	char *old_tree;
	long parent, first_child, last_child, next;
	int64_t latest; /* roots: the newest date in the thread */
};

struct thr {
	struct thr_node *v;
	size_t n;
	long *hash; /* open addressing, Message-ID -> node, -1 empty */
	size_t hash_size;
};

/* ------------------------------------------------------ message ids */

/* The next id of a header value: the text between '<' and '>', or, in a
 * value without '<', the next whitespace-separated word. */
static bool thr_next_id(const char **p, const char **id_r, size_t *len_r)
{
	const char *s = *p, *e;
	bool angle = strchr(s, '<') != NULL;

	if (angle) {
		s = strchr(s, '<');
		if (s == NULL)
			return false;
		s++;
		e = strchr(s, '>');
		if (e == NULL)
			return false;
		*p = e + 1;
	} else {
		s += strspn(s, " \t\r\n");
		e = s + strcspn(s, " \t\r\n");
		if (e == s)
			return false;
		*p = e;
	}
	*id_r = s;
	*len_r = (size_t)(e - s);
	return true;
}

static uint64_t thr_hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/* The node whose Message-ID is s[0..n), or -1. */
static long thr_lookup(const struct thr *t, const char *s, size_t n)
{
	size_t i = thr_hash_str(s, n) & (t->hash_size - 1);

	for (; t->hash[i] >= 0; i = (i + 1) & (t->hash_size - 1)) {
		const char *m = t->v[t->hash[i]].mid, *id;
		size_t len;
		if (thr_next_id(&m, &id, &len) && len == n &&
		    memcmp(id, s, n) == 0)
			return t->hash[i];
	}
	return -1;
}

/* Index every Message-ID; of duplicates the lowest UID wins. */
static void thr_index(struct thr *t)
{
	t->hash_size = 16;
	while (t->hash_size < t->n * 2)
		t->hash_size *= 2;
	t->hash = xreallocarray(NULL, t->hash_size, sizeof *t->hash);
	for (size_t i = 0; i < t->hash_size; i++)
		t->hash[i] = -1;
	for (size_t k = 0; k < t->n; k++) {
		const char *m = t->v[k].mid, *id;
		size_t len, i;
		if (m == NULL || !thr_next_id(&m, &id, &len) ||
		    thr_lookup(t, id, len) >= 0)
			continue;
		i = thr_hash_str(id, len) & (t->hash_size - 1);
		while (t->hash[i] >= 0)
			i = (i + 1) & (t->hash_size - 1);
		t->hash[i] = (long)k;
	}
}

/* The last id of value that names another cached message, or -1. */
static long thr_last_known(const struct thr *t, long self, const char *value)
{
	const char *p = value, *id;
	size_t len;
	long found = -1, k;

	if (value == NULL)
		return -1;
	while (thr_next_id(&p, &id, &len))
		if ((k = thr_lookup(t, id, len)) >= 0 && k != self)
			found = k;
	return found;
}

/* ------------------------------------------------------------ links */

static void thr_parents(struct thr *t)
{
	for (size_t k = 0; k < t->n; k++) {
		long p = thr_last_known(t, (long)k, t->v[k].refs);
		if (p < 0)
			p = thr_last_known(t, (long)k, t->v[k].irt);
		t->v[k].parent = p;
	}
}

/* Cut every cycle of parent links: walk up from each node marking the
 * path; meeting the current path again closes a cycle, which is cut by
 * making the node where it closes a root. Each node is walked once. */
static void thr_cut_cycles(struct thr *t)
{
	unsigned char *state = xcalloc(t->n, 1); /* 0 new, 1 on path, 2 done */

	for (size_t k = 0; k < t->n; k++) {
		long x = (long)k;
		while (x >= 0 && state[x] == 0) {
			state[x] = 1;
			if (t->v[x].parent >= 0 && state[t->v[x].parent] == 1)
				t->v[x].parent = -1;
			x = t->v[x].parent;
		}
		for (x = (long)k; x >= 0 && state[x] == 1; x = t->v[x].parent)
			state[x] = 2;
	}
	free(state);
}

static int thr_cmp_date(const void *a, const void *b, void *arg)
{
	const struct thr_node *v = arg, *x = &v[*(const long *)a],
	                      *y = &v[*(const long *)b];

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Link children to parents, oldest first; fill roots_r in date order. */
static long *thr_link(struct thr *t, size_t *nroots_r)
{
	long *order = xreallocarray(NULL, t->n + 1, sizeof *order);
	size_t nroots = 0;

	for (size_t k = 0; k < t->n; k++)
		order[k] = (long)k;
	qsort_r(order, t->n, sizeof *order, thr_cmp_date, t->v);
	for (size_t i = 0; i < t->n; i++) {
		long k = order[i], p = t->v[k].parent;
		if (p < 0) {
			order[nroots++] = k; /* nroots <= i: not yet read */
			continue;
		}
		if (t->v[p].last_child >= 0)
			t->v[t->v[p].last_child].next = k;
		else
			t->v[p].first_child = k;
		t->v[p].last_child = k;
	}
	*nroots_r = nroots;
	return order;
}

/* ------------------------------------------------------------- walk */

/* One depth-first walk of a thread, with an explicit path. */
struct thr_walk {
	struct thr *t;
	long *path;        /* path[0] the root .. path[depth] the node */
	sqlite3_stmt *set; /* NULL: only compute the thread's latest date */
	int64_t pos;       /* the next position, counting down */
	struct cache *c;
	struct pt_error *err;
};

/* The tree drawing of path[0..d] (see cache_msg.thread_tree). */
static void thr_tree(const struct thr_walk *w, size_t d, char *out)
{
	size_t n = d < CACHE_THREAD_TREE_MAX ? d : CACHE_THREAD_TREE_MAX;

	for (size_t l = 1; l < n; l++)
		out[l - 1] = w->t->v[w->path[l]].next >= 0 ? '|' : ' ';
	if (n > 0)
		out[n - 1] = w->t->v[w->path[d]].next >= 0 ? '+' : '`';
	out[n] = '\0';
}

/* Write the position of node k at depth d when it changed. */
static int thr_emit(struct thr_walk *w, long k, size_t d)
{
	struct thr_node *x = &w->t->v[k];
	char tree[CACHE_THREAD_TREE_MAX + 1];
	int64_t pos = w->pos--;

	if (w->set == NULL) {
		if (x->date > w->t->v[w->path[0]].latest)
			w->t->v[w->path[0]].latest = x->date;
		return 0;
	}
	thr_tree(w, d, tree);
	if (x->old_pos == pos && x->old_depth == d && x->old_tree != NULL &&
	    strcmp(x->old_tree, tree) == 0)
		return 0;
	sqlite3_bind_int64(w->set, 1, pos);
	sqlite3_bind_int64(w->set, 2, (sqlite3_int64)d);
	cache_bind_text(w->set, 3, tree);
	sqlite3_bind_int64(w->set, 4, x->id);
	return cache_step_done(w->c, w->set, "thread update", w->err);
}

static int thr_walk(struct thr_walk *w, long root)
{
	const struct thr_node *v = w->t->v;
	size_t d = 0;
	long cur = root;

	w->path[0] = root;
	if (thr_emit(w, root, 0) < 0)
		return -1;
	for (;;) {
		if (v[cur].first_child >= 0) {
			cur = v[cur].first_child;
			w->path[++d] = cur;
		} else {
			while (d > 0 && v[cur].next < 0)
				cur = w->path[--d];
			if (d == 0)
				return 0;
			cur = v[cur].next;
			w->path[d] = cur;
		}
		if (thr_emit(w, cur, d) < 0)
			return -1;
	}
}

static int thr_cmp_latest(const void *a, const void *b, void *arg)
{
	const struct thr_node *v = arg, *x = &v[*(const long *)a],
	                      *y = &v[*(const long *)b];

	if (x->latest != y->latest)
		return x->latest > y->latest ? -1 : 1;
	return x->uid > y->uid ? -1 : x->uid < y->uid;
}

/* Order the threads and write the positions that changed. */
static int thr_write(struct cache *c, struct thr *t, sqlite3_stmt *set,
                     struct pt_error *err)
{
	struct thr_walk w = {t, NULL, NULL, 0, c, err};
	size_t nroots;
	long *roots = thr_link(t, &nroots);
	int rc = 0;

	w.path = xreallocarray(NULL, t->n + 1, sizeof *w.path);
	for (size_t i = 0; i < nroots; i++) {
		t->v[roots[i]].latest = t->v[roots[i]].date;
		(void)thr_walk(&w, roots[i]);
	}
	qsort_r(roots, nroots, sizeof *roots, thr_cmp_latest, t->v);
	w.set = set;
	w.pos = (int64_t)t->n - 1;
	for (size_t i = 0; i < nroots && rc == 0; i++)
		rc = thr_walk(&w, roots[i]);
	free(w.path);
	free(roots);
	return rc;
}

/* ------------------------------------------------------------- load */

static void thr_free(struct thr *t)
{
	for (size_t k = 0; k < t->n; k++) {
		free(t->v[k].mid);
		free(t->v[k].irt);
		free(t->v[k].refs);
		free(t->v[k].old_tree);
	}
	free(t->v);
	free(t->hash);
}

static void thr_read_row(sqlite3_stmt *st, struct thr_node *x)
{
	memset(x, 0, sizeof *x);
	x->id = sqlite3_column_int64(st, 0);
	x->uid = (uint32_t)sqlite3_column_int64(st, 1);
	x->date = sqlite3_column_int64(st, 2);
	x->mid = cache_col_strdup(st, 3);
	x->irt = cache_col_strdup(st, 4);
	x->refs = cache_col_strdup(st, 5);
	x->old_pos = sqlite3_column_type(st, 6) == SQLITE_NULL
	                     ? -1
	                     : sqlite3_column_int64(st, 6);
	x->old_depth = (unsigned)sqlite3_column_int64(st, 7);
	x->old_tree = cache_col_strdup(st, 8);
	x->parent = x->first_child = x->last_child = x->next = -1;
}

static int thr_load(struct cache *c, int64_t mailbox_id, struct thr *t,
                    struct pt_error *err)
{
	static const char sql[] =
	        "SELECT id, uid, sort_date, message_id, in_reply_to, refs,"
	        " thread_pos, thread_depth, thread_tree FROM messages"
	        " WHERE mailbox_id = ?1 ORDER BY uid";
	sqlite3_stmt *st = cache_stmt(c, CS_THREAD_LOAD, sql, err);
	size_t cap = 0;
	int rc;

	memset(t, 0, sizeof *t);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	while ((rc = cache_step(c, st, "thread load", err)) == 1) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 256;
			t->v = xreallocarray(t->v, cap, sizeof *t->v);
		}
		thr_read_row(st, &t->v[t->n++]);
	}
	cache_stmt_reset(st);
	return rc;
}

/* ---------------------------------------------------------- refresh */

/* 1 if the mailbox's thread order must be recomputed, 0 if not. */
static int thr_dirty(struct cache *c, int64_t mailbox_id, struct pt_error *err)
{
	static const char sql[] =
	        "SELECT thread_dirty FROM mailboxes WHERE id = ?1";
	sqlite3_stmt *st = cache_stmt(c, CS_THREAD_DIRTY, sql, err);
	int rc, dirty = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, mailbox_id);
	rc = cache_step(c, st, "thread state", err);
	if (rc == 1)
		dirty = sqlite3_column_int(st, 0) != 0;
	cache_stmt_reset(st);
	return rc < 0 ? -1 : dirty;
}

static int thr_recompute(struct cache *c, int64_t mailbox_id,
                         struct pt_error *err)
{
	static const char set_sql[] =
	        "UPDATE messages SET thread_pos = ?1, thread_depth = ?2,"
	        " thread_tree = ?3 WHERE id = ?4";
	static const char clean_sql[] =
	        "UPDATE mailboxes SET thread_dirty = 0 WHERE id = ?1";
	sqlite3_stmt *set = cache_stmt(c, CS_THREAD_SET, set_sql, err);
	sqlite3_stmt *clean = cache_stmt(c, CS_THREAD_CLEAN, clean_sql, err);
	struct thr t;
	int rc;

	if (set == NULL || clean == NULL)
		return -1;
	rc = thr_load(c, mailbox_id, &t, err);
	if (rc == 0) {
		thr_index(&t);
		thr_parents(&t);
		thr_cut_cycles(&t);
		rc = thr_write(c, &t, set, err);
	}
	thr_free(&t);
	if (rc == 0) {
		sqlite3_bind_int64(clean, 1, mailbox_id);
		rc = cache_step_done(c, clean, "thread state", err);
	}
	return rc;
}

int cache_thread_refresh(struct cache *c, int64_t mailbox_id,
                         struct pt_error *err)
{
	bool outer;
	int rc;

	if (c->readonly)
		return 0;
	rc = thr_dirty(c, mailbox_id, err);
	if (rc <= 0)
		return rc;
	if (cache_unit_begin(c, &outer, err) < 0)
		return -1;
	/* Another connection may have done it meanwhile. */
	rc = thr_dirty(c, mailbox_id, err);
	if (rc > 0)
		rc = thr_recompute(c, mailbox_id, err);
	return cache_unit_end(c, outer, rc < 0 ? -1 : 0, err);
}
