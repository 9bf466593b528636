/* ui-index.c: the message index of one mailbox.
 *
 * Only the rows on screen are read, with keyset paging (cache_msg_page()
 * from the key just before the top row), so a mailbox of any size opens
 * at once: moving past the screen's edge reads the next row or page, and
 * a re-read after a cache change starts from the same top row. */
#include "ui-private.h"

#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/text.h"
#include "common/xmalloc.h"
#include "search-query.h"

/* Rows read per step when looking for the next search match. */
#define UI_INDEX_SCAN 1000
/* Column widths. */
#define UI_INDEX_FLAGS 4
#define UI_INDEX_DATE 12
#define UI_INDEX_FROM 22

static enum cache_order reverse_order(enum cache_order o)
{
	switch (o) {
	case CACHE_ORDER_UID_ASC:
		return CACHE_ORDER_UID_DESC;
	case CACHE_ORDER_UID_DESC:
		return CACHE_ORDER_UID_ASC;
	case CACHE_ORDER_DATE_ASC:
		return CACHE_ORDER_DATE_DESC;
	case CACHE_ORDER_THREAD:
		return CACHE_ORDER_THREAD_REV;
	case CACHE_ORDER_THREAD_REV:
		return CACHE_ORDER_THREAD;
	default:
		return CACHE_ORDER_DATE_ASC;
	}
}

static void key_of(enum cache_order o, const struct cache_msg *m,
                   struct cache_page_key *k)
{
	bool thread = o == CACHE_ORDER_THREAD || o == CACHE_ORDER_THREAD_REV;

	k->sort_date = thread ? m->thread_pos : m->sort_date;
	k->uid = m->uid;
}

/* The key just before m in order o, so that a page read after it starts
 * with m. False: m is reached from the very start (no key needed). */
static bool key_before(enum cache_order o, const struct cache_page_key *m,
                       struct cache_page_key *k)
{
	*k = *m;
	switch (o) {
	case CACHE_ORDER_UID_ASC:
	case CACHE_ORDER_DATE_ASC:
		k->uid = m->uid - 1; /* UIDs are >= 1 */
		return true;
	case CACHE_ORDER_UID_DESC:
		if (m->uid == UINT32_MAX)
			return false;
		k->uid = m->uid + 1;
		return true;
	case CACHE_ORDER_DATE_DESC:
		if (m->uid == UINT32_MAX) {
			k->sort_date = m->sort_date + 1;
			k->uid = 0;
		} else {
			k->uid = m->uid + 1;
		}
		return true;
	case CACHE_ORDER_THREAD: /* positions descending */
		k->sort_date = m->sort_date + 1;
		return true;
	case CACHE_ORDER_THREAD_REV:
		k->sort_date = m->sort_date - 1;
		return true;
	}
	return false;
}

static int page(struct ui *ui, enum cache_order o,
                const struct cache_page_key *after, size_t n,
                struct cache_msg_page *p)
{
	struct pt_error err;

	memset(p, 0, sizeof *p);
	if (ui->idx.mbox_id == 0 || n == 0)
		return 0;
	if (cache_msg_page(ui->cache, ui->idx.mbox_id, o, after, n, p, &err) <
	    0) {
		ui_message(ui, true, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* Prepend the rows of p (in reverse order) to the screen's rows. */
static void rows_prepend(struct ui_index *idx, struct cache_msg_page *p)
{
	size_t n = idx->rows.n + p->n;
	struct cache_msg *v = xreallocarray(NULL, n + 1, sizeof *v);

	for (size_t i = 0; i < p->n; i++)
		v[i] = p->v[p->n - 1 - i];
	if (idx->rows.n > 0)
		memcpy(v + p->n, idx->rows.v, idx->rows.n * sizeof *v);
	free(idx->rows.v);
	free(p->v);
	memset(p, 0, sizeof *p);
	idx->rows.v = v;
	idx->rows.n = n;
}

/* Read the rows on screen from the top row; near the end, the top moves
 * up so the screen stays full. */
static void load_rows(struct ui *ui)
{
	struct ui_index *idx = &ui->idx;
	size_t want = (size_t)ui_content_rows(ui);
	struct cache_page_key k;
	bool from_key = idx->has_top && key_before(idx->order, &idx->top, &k);

	cache_msg_page_free(&idx->rows);
	if (page(ui, idx->order, from_key ? &k : NULL, want, &idx->rows) < 0)
		return;
	if (idx->rows.n < want && idx->has_top) {
		struct cache_msg_page up;
		if (page(ui, reverse_order(idx->order), &idx->top,
		         want - idx->rows.n, &up) == 0)
			rows_prepend(idx, &up);
	}
	if (idx->rows.n > 0) {
		key_of(ui->idx.order, &idx->rows.v[0], &idx->top);
		idx->has_top = true;
	} else {
		idx->has_top = false;
	}
}

static void set_cursor_uid(struct ui_index *idx, uint32_t uid, int fallback)
{
	for (size_t i = 0; i < idx->rows.n; i++) {
		if (idx->rows.v[i].uid == uid) {
			idx->cursor = (int)i;
			return;
		}
	}
	idx->cursor = fallback;
	if (idx->cursor >= (int)idx->rows.n)
		idx->cursor = (int)idx->rows.n - 1;
	if (idx->cursor < 0)
		idx->cursor = 0;
}

const struct cache_msg *ui_index_current(const struct ui *ui)
{
	const struct ui_index *idx = &ui->idx;

	if (idx->cursor < 0 || (size_t)idx->cursor >= idx->rows.n)
		return NULL;
	return &idx->rows.v[idx->cursor];
}

void ui_index_reload(struct ui *ui)
{
	struct ui_index *idx = &ui->idx;
	const struct cache_msg *cur = ui_index_current(ui);
	uint32_t uid = cur != NULL ? cur->uid : 0;
	struct cache_mailbox mb;
	struct pt_error err;

	if (idx->mailbox == NULL)
		return;
	if (idx->mbox_id == 0 &&
	    cache_mailbox_get(ui->cache, idx->mailbox, &mb, &err) == 0) {
		idx->mbox_id = mb.id;
		cache_mailbox_clear(&mb);
	}
	if (idx->mbox_id != 0 &&
	    cache_mailbox_counts(ui->cache, idx->mbox_id, &idx->total,
	                         &idx->unseen, &err) < 0) {
		/* The mailbox went away (deleted on the server). */
		idx->mbox_id = 0;
		idx->total = idx->unseen = 0;
	}
	load_rows(ui);
	set_cursor_uid(idx, uid, idx->cursor);
	ui->dirty |= UI_DIRTY_ALL;
}

void ui_index_free(struct ui_index *idx)
{
	cache_msg_page_free(&idx->rows);
	cache_uidlist_free(&idx->matches);
	free(idx->query);
	free(idx->mailbox);
	memset(idx, 0, sizeof *idx);
}

void ui_index_open(struct ui *ui, const char *mailbox)
{
	ui_index_free(&ui->idx);
	ui->idx.mailbox = xstrdup(mailbox);
	ui->idx.order = CACHE_ORDER_DATE_DESC;
	ui->screen = UI_SCR_INDEX;
	if (ui->sync != NULL)
		sync_thread_open_mailbox(ui->sync, mailbox);
	ui_index_reload(ui);
}

/* --------------------------------------------------------------- moving */

/* Make m the top row and re-read. */
static void scroll_to(struct ui *ui, const struct cache_msg *m)
{
	key_of(ui->idx.order, m, &ui->idx.top);
	ui->idx.has_top = true;
	load_rows(ui);
}

bool ui_index_move(struct ui *ui, int delta)
{
	struct ui_index *idx = &ui->idx;
	struct cache_page_key k;
	struct cache_msg_page p;
	const struct cache_msg *edge;

	if (idx->rows.n == 0)
		return false;
	if (delta > 0 && (size_t)idx->cursor + 1 < idx->rows.n) {
		idx->cursor++;
		return true;
	}
	if (delta < 0 && idx->cursor > 0) {
		idx->cursor--;
		return true;
	}
	edge = delta > 0 ? &idx->rows.v[idx->rows.n - 1] : &idx->rows.v[0];
	key_of(ui->idx.order, edge, &k);
	if (page(ui, delta > 0 ? idx->order : reverse_order(idx->order), &k, 1,
	         &p) < 0 ||
	    p.n == 0) {
		cache_msg_page_free(&p);
		return false;
	}
	if (delta > 0) {
		uint32_t uid = p.v[0].uid;
		scroll_to(ui, idx->rows.n > 1 ? &idx->rows.v[1] : &p.v[0]);
		set_cursor_uid(idx, uid, (int)idx->rows.n - 1);
	} else {
		scroll_to(ui, &p.v[0]);
		idx->cursor = 0;
	}
	cache_msg_page_free(&p);
	return true;
}

static void page_move(struct ui *ui, bool down)
{
	struct ui_index *idx = &ui->idx;
	size_t want = (size_t)ui_content_rows(ui);
	struct cache_page_key k;
	struct cache_msg_page p;
	int cursor = idx->cursor;

	if (idx->rows.n == 0)
		return;
	key_of(ui->idx.order,
	       down ? &idx->rows.v[idx->rows.n - 1] : &idx->rows.v[0], &k);
	if (page(ui, down ? idx->order : reverse_order(idx->order), &k, want,
	         &p) < 0)
		return;
	if (p.n == 0) {
		idx->cursor = down ? (int)idx->rows.n - 1 : 0;
	} else if (down) {
		scroll_to(ui, &p.v[0]);
	} else if (p.n < want) {
		idx->has_top = false;
		load_rows(ui);
	} else {
		scroll_to(ui, &p.v[p.n - 1]);
	}
	if (p.n > 0)
		set_cursor_uid(idx, 0, cursor);
	cache_msg_page_free(&p);
}

static void go_first(struct ui *ui)
{
	ui->idx.has_top = false;
	load_rows(ui);
	ui->idx.cursor = 0;
}

static void go_last(struct ui *ui)
{
	struct cache_msg_page p;
	size_t want = (size_t)ui_content_rows(ui);

	if (page(ui, reverse_order(ui->idx.order), NULL, want, &p) < 0)
		return;
	if (p.n > 0)
		scroll_to(ui, &p.v[p.n - 1]);
	ui->idx.cursor = (int)ui->idx.rows.n - 1;
	if (ui->idx.cursor < 0)
		ui->idx.cursor = 0;
	cache_msg_page_free(&p);
}

/* Show the message with this UID (a search match, the pager's next). */
static void go_uid(struct ui *ui, uint32_t uid)
{
	struct cache_msg m;
	struct pt_error err;

	if (cache_msg_get(ui->cache, ui->idx.mbox_id, uid, &m, &err) < 0)
		return;
	for (size_t i = 0; i < ui->idx.rows.n; i++) {
		if (ui->idx.rows.v[i].uid == uid) {
			ui->idx.cursor = (int)i;
			cache_msg_clear(&m);
			return;
		}
	}
	scroll_to(ui, &m);
	set_cursor_uid(&ui->idx, uid, 0);
	cache_msg_clear(&m);
}

/* ------------------------------------------------------------- search */

static int uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_match(const struct ui_index *idx, uint32_t uid)
{
	return idx->matches.n > 0 &&
	       bsearch(&uid, idx->matches.uids, idx->matches.n,
	               sizeof(uint32_t), uid_cmp) != NULL;
}

/* The first match after `after` (NULL: from the start) in display
 * order, scanning pages; 0 if none. */
static uint32_t scan_matches(struct ui *ui, const struct cache_page_key *after)
{
	struct cache_page_key k;
	bool has_key = after != NULL;

	if (has_key)
		k = *after;
	for (;;) {
		struct cache_msg_page p;
		uint32_t found = 0;
		if (page(ui, ui->idx.order, has_key ? &k : NULL, UI_INDEX_SCAN,
		         &p) < 0)
			return 0;
		for (size_t i = 0; i < p.n && found == 0; i++)
			if (is_match(&ui->idx, p.v[i].uid))
				found = p.v[i].uid;
		if (p.n > 0)
			key_of(ui->idx.order, &p.v[p.n - 1], &k);
		has_key = true;
		bool end = p.n < UI_INDEX_SCAN;
		cache_msg_page_free(&p);
		if (found != 0 || end)
			return found;
	}
}

/* Go to the next match after the cursor (include_current: or on it),
 * wrapping around once. */
static void next_match(struct ui *ui, bool include_current)
{
	const struct cache_msg *cur = ui_index_current(ui);
	struct cache_page_key k;
	uint32_t uid = 0;
	bool wrapped = false;

	if (cur == NULL)
		return;
	key_of(ui->idx.order, cur, &k);
	if (include_current && is_match(&ui->idx, cur->uid))
		return;
	uid = scan_matches(ui, &k);
	if (uid == 0) {
		uid = scan_matches(ui, NULL);
		wrapped = true;
	}
	if (uid == 0) {
		ui_message(ui, true, "%s", _("No matches"));
		return;
	}
	go_uid(ui, uid);
	if (wrapped)
		ui_message(ui, false, "%s", _("Search wrapped to the top"));
}

/* The query language of `petrel search` (search-query.h): words AND-ed,
 * "phrases", from:/subject:/..., is:unread, before:/after:. */
static void search_done(struct ui *ui, const char *answer)
{
	struct ui_index *idx = &ui->idx;
	struct search_query q;
	struct pt_error err;

	if (answer == NULL || *answer == '\0' || idx->mbox_id == 0)
		return;
	if (search_query_parse(answer, &q, &err) < 0) {
		ui_message(ui, true, "%s", err.msg);
		return;
	}
	cache_uidlist_free(&idx->matches);
	if (cache_fts_search(ui->cache, idx->mbox_id, q.match, &q.filter,
	                     &idx->matches, &err) < 0) {
		search_query_clear(&q);
		ui_message(ui, true, _("Search failed: %s"), err.msg);
		return;
	}
	search_query_clear(&q);
	free(idx->query);
	idx->query = xstrdup(answer);
	if (idx->matches.n == 0) {
		ui_message(ui, true, "%s", _("No matches"));
		return;
	}
	next_match(ui, true);
	ui_message(ui, false,
	           ngettext("%zu message matches", "%zu messages match",
	                    (unsigned long)idx->matches.n),
	           idx->matches.n);
}

/* ------------------------------------------------------------ drawing */

static void format_date(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d", &tm) == 0)
		snprintf(out, size, "?");
}

static enum ui_color_slot row_color(const struct cache_msg *m)
{
	if (ui_has_flag(m->view_flags, "\\Deleted"))
		return UI_C_DELETED;
	if (ui_has_flag(m->view_flags, "\\Flagged"))
		return UI_C_FLAGGED;
	if (!ui_has_flag(m->view_flags, "\\Seen"))
		return UI_C_NEW;
	return UI_C_NORMAL;
}

/* The thread tree before a subject (cache_msg.thread_tree: one character
 * per level), in line-drawing characters in a UTF-8 locale, else ASCII;
 * returns the columns used. */
static int draw_tree(struct ui *ui, int y, int x, const char *tree)
{
	static const char *const utf8[] = {"  ", "\u2502 ", "\u251c\u2500>",
	                                   "\u2514\u2500>"};
	static const char *const ascii[] = {"  ", "| ", "|->", "`->"};
	const char *const *g =
	        strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? utf8 : ascii;
	int used = 0;

	for (; *tree != '\0' && x + used < ui->cols - 1; tree++) {
		const char *s = *tree == '|'   ? g[1]
		                : *tree == '+' ? g[2]
		                : *tree == '`' ? g[3]
		                               : g[0];
		used += ui_put(y, x + used, s, ui->cols - 1 - x - used, false);
	}
	return used;
}

/* The sender as the index shows it: the display name of the first
 * address ("Name <addr>", as the cache stores it), else the address. */
static void sender_name(const char *from, char *out, size_t size)
{
	const char *lt = strstr(from, " <");
	const char *gt;
	size_t n;

	if (lt != NULL && lt > from) {
		n = (size_t)(lt - from);
	} else if (from[0] == '<' && (gt = strchr(from, '>')) != NULL) {
		from++;
		n = (size_t)(gt - from);
	} else {
		n = strlen(from);
	}
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)from[n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
	}
	memcpy(out, from, n);
	out[n] = '\0';
}

static void draw_row(struct ui *ui, int y, const struct cache_msg *m,
                     bool selected)
{
	const char *f = m->view_flags;
	char flags[8], date[32], from[256];
	int x = 0;

	snprintf(flags, sizeof flags, " %c%c ",
	         ui_has_flag(f, "\\Deleted")    ? 'D'
	         : !ui_has_flag(f, "\\Seen")    ? 'N'
	         : ui_has_flag(f, "\\Answered") ? 'r'
	                                        : ' ',
	         ui_has_flag(f, "\\Flagged") ? '!' : ' ');
	format_date(m->sort_date, date, sizeof date);
	attrset(ui->colors.attr[selected ? UI_C_INDICATOR : row_color(m)]);
	x += ui_put(y, x, flags, UI_INDEX_FLAGS, true);
	x += ui_put(y, x, date, UI_INDEX_DATE, true);
	sender_name(m->from ? m->from : "", from, sizeof from);
	x += ui_put(y, x, from, UI_INDEX_FROM - 1, true);
	x += ui_put(y, x, " ", 1, true);
	if (ui->idx.order == CACHE_ORDER_THREAD && m->thread_tree != NULL)
		x += draw_tree(ui, y, x, m->thread_tree);
	ui_put(y, x, m->subject ? m->subject : "", ui->cols - x, true);
	attrset(A_NORMAL);
}

void ui_index_draw(struct ui *ui)
{
	struct ui_index *idx = &ui->idx;

	if (idx->mbox_id == 0) {
		ui_put(2, 2,
		       ui->sync != NULL ? _("This mailbox is not in the cache "
		                            "yet; it appears once synced.")
		                        : _("This mailbox is not in the cache "
		                            "(offline)."),
		       ui->cols - 4, false);
		return;
	}
	if (idx->rows.n == 0) {
		ui_put(2, 2, _("No messages."), ui->cols - 4, false);
		return;
	}
	for (size_t i = 0; i < idx->rows.n; i++)
		draw_row(ui, 1 + (int)i, &idx->rows.v[i],
		         (int)i == idx->cursor);
}

/* ------------------------------------------------------------ actions */

static void set_flag(struct ui *ui, const char *flag, bool on)
{
	const struct cache_msg *m = ui_index_current(ui);
	uint32_t uid;

	if (m == NULL)
		return;
	uid = m->uid;
	ui_edit_flags(ui, &uid, 1, on ? flag : NULL, on ? NULL : flag);
}

static void toggle(struct ui *ui, const char *flag)
{
	const struct cache_msg *m = ui_index_current(ui);

	if (m != NULL)
		set_flag(ui, flag, !ui_has_flag(m->view_flags, flag));
}

void ui_index_action(struct ui *ui, enum ui_action a)
{
	const struct cache_msg *m = ui_index_current(ui);

	switch (a) {
	case UI_A_NEXT_MESSAGE:
		ui_index_move(ui, 1);
		break;
	case UI_A_PREV_MESSAGE:
		ui_index_move(ui, -1);
		break;
	case UI_A_PAGE_DOWN:
	case UI_A_PAGE_UP:
		page_move(ui, a == UI_A_PAGE_DOWN);
		break;
	case UI_A_FIRST:
		go_first(ui);
		break;
	case UI_A_LAST:
		go_last(ui);
		break;
	case UI_A_OPEN:
		if (m != NULL)
			ui_pager_open(ui, m->uid);
		break;
	case UI_A_TOGGLE_NEW:
		toggle(ui, "\\Seen");
		break;
	case UI_A_TOGGLE_FLAGGED:
		toggle(ui, "\\Flagged");
		break;
	case UI_A_DELETE:
		set_flag(ui, "\\Deleted", true);
		ui_index_move(ui, 1);
		break;
	case UI_A_UNDELETE:
		set_flag(ui, "\\Deleted", false);
		break;
	case UI_A_SEARCH:
		ui_prompt_line(ui, _("Search: "), search_done);
		break;
	case UI_A_SEARCH_NEXT:
		if (ui->idx.query == NULL)
			ui_message(ui, true, "%s", _("No search yet (use /)"));
		else
			next_match(ui, false);
		break;
	case UI_A_SORT_THREAD:
		ui->idx.order = ui->idx.order == CACHE_ORDER_THREAD
		                        ? CACHE_ORDER_DATE_DESC
		                        : CACHE_ORDER_THREAD;
		go_first(ui);
		ui_message(ui, false, "%s",
		           ui->idx.order == CACHE_ORDER_THREAD
		                   ? _("Thread order")
		                   : _("Date order, newest first"));
		break;
	case UI_A_SORT:
		ui->idx.order = ui->idx.order == CACHE_ORDER_DATE_DESC
		                        ? CACHE_ORDER_DATE_ASC
		                        : CACHE_ORDER_DATE_DESC;
		go_first(ui);
		ui_message(ui, false, "%s",
		           ui->idx.order == CACHE_ORDER_DATE_DESC
		                   ? _("Newest first")
		                   : _("Oldest first"));
		break;
	default:
		break;
	}
	ui->dirty |= UI_DIRTY_ALL;
}
