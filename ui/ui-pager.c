/* ui-pager.c: one message: headers and the decoded text body rendered by
 * mime_render() from the cached body, wrapped to the screen; scrolling,
 * search in the message, next/previous message. A body that is not
 * cached is asked of the sync thread ("fetching...") or, offline, shown
 * as not available. Reading a message sets \Seen through an ordinary
 * queued edit (INTERFACE.md). */
#include "ui-private.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/text.h"
#include "common/xmalloc.h"

#define UI_TABSTOP 8

static void lines_free(struct ui_pager *pg)
{
	for (size_t i = 0; i < pg->nlines; i++)
		free(pg->lines[i].text);
	free(pg->lines);
	pg->lines = NULL;
	pg->nlines = 0;
}

static void line_add(struct ui_pager *pg, size_t *cap, const char *s,
                     size_t len, enum ui_color_slot color)
{
	if (pg->nlines == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		pg->lines = xreallocarray(pg->lines, *cap, sizeof *pg->lines);
	}
	pg->lines[pg->nlines].text = xstrndup(s, len);
	pg->lines[pg->nlines].color = color;
	pg->nlines++;
}

/* Tabs become spaces up to the next tab stop. */
static void expand_tabs(const char *s, size_t len, struct buf *out)
{
	int col = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = text_utf8_decode(s + i, len - i, &cp);
		if (cp == '\t') {
			do
				buf_addch(out, ' ');
			while (++col % UI_TABSTOP != 0);
		} else {
			char tmp[8];
			buf_add(out, s + i, n);
			memcpy(tmp, s + i, n);
			tmp[n] = '\0';
			col += text_width(tmp);
		}
		i += n;
	}
}

/* Wrap one logical line to width columns, preferring to break after a
 * space; never splits a character. */
static void wrap_line(struct ui_pager *pg, size_t *cap, const char *s,
                      size_t len, int width, enum ui_color_slot color)
{
	struct buf exp = BUF_INIT, cut = BUF_INIT;
	const char *p;
	size_t left;

	expand_tabs(s, len, &exp);
	p = buf_str(&exp);
	left = exp.len;
	if (left == 0)
		line_add(pg, cap, "", 0, color);
	while (left > 0) {
		size_t n;
		buf_reset(&cut);
		text_truncate(p, width, &cut);
		n = cut.len;
		if (n == 0) {
			uint32_t cp;
			n = text_utf8_decode(p, left, &cp);
		} else if (n < left) {
			size_t sp = n;
			while (sp > 0 && p[sp - 1] != ' ')
				sp--;
			if (sp > n / 3)
				n = sp;
		}
		line_add(pg, cap, p, n, color);
		p += n;
		left -= n;
	}
	buf_free(&exp);
	buf_free(&cut);
}

static void add_text(struct ui_pager *pg, size_t *cap, const char *text,
                     int width, bool body)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		enum ui_color_slot c = UI_C_NORMAL;
		if (body && (p[0] == '>' || p[0] == '|'))
			c = UI_C_QUOTED;
		wrap_line(pg, cap, p, n, width, c);
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void add_header(struct ui_pager *pg, size_t *cap, const char *name,
                       const char *value, int width)
{
	char *line = xasprintf("%s %s", name, value ? value : "");

	wrap_line(pg, cap, line, strlen(line), width, UI_C_HEADER);
	free(line);
}

static void local_date(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%a, %d %b %Y %H:%M", &tm) == 0)
		snprintf(out, size, "?");
}

/* The state's note, when the body is not shown. */
static const char *pager_note(struct ui *ui)
{
	switch (ui->pg.state) {
	case UI_PAGER_FETCHING:
		return _("Fetching the message...");
	case UI_PAGER_GONE:
		return _("This message is no longer in the mailbox.");
	case UI_PAGER_UNAVAILABLE:
		if (ui->sync == NULL || ui->st.state != SYNC_THREAD_ONLINE)
			return _("This message is not available offline.");
		return _("The message could not be fetched.");
	default:
		return "";
	}
}

/* (Re)build the lines for the screen width. */
static void build_lines(struct ui *ui)
{
	struct ui_pager *pg = &ui->pg;
	const struct mime_rendered *r = pg->doc;
	const struct cache_msg *m = &pg->msg;
	int width = ui->cols > 1 ? ui->cols - 1 : 1;
	size_t cap = 0;
	char date[64];

	lines_free(pg);
	pg->width = ui->cols;
	local_date(r != NULL && r->date != NULL ? (int64_t)r->date_t
	                                        : m->sort_date,
	           date, sizeof date);
	add_header(pg, &cap, _("Date:"), date, width);
	add_header(pg, &cap, _("From:"), r ? r->from : m->from, width);
	add_header(pg, &cap, _("To:"), r ? r->to : m->to, width);
	if ((r && r->cc[0]) || (!r && m->cc && m->cc[0]))
		add_header(pg, &cap, _("Cc:"), r ? r->cc : m->cc, width);
	add_header(pg, &cap, _("Subject:"), r ? r->subject : m->subject, width);
	line_add(pg, &cap, "", 0, UI_C_NORMAL);
	if (r == NULL) {
		add_text(pg, &cap, pager_note(ui), width, false);
		return;
	}
	add_text(pg, &cap, r->body, width, true);
	if (r->nattachments > 0)
		line_add(pg, &cap, "", 0, UI_C_NORMAL);
	for (size_t i = 0; i < r->nattachments; i++) {
		const struct mime_attachment *a = &r->attachments[i];
		char *l = xasprintf("[%u] %s (%s, %zu bytes)", a->number,
		                    a->name, a->type, a->size);
		wrap_line(pg, &cap, l, strlen(l), width, UI_C_ATTACHMENT);
		free(l);
	}
}

static void doc_free(struct ui_pager *pg)
{
	if (pg->doc != NULL) {
		mime_rendered_free(pg->doc);
		free(pg->doc);
		pg->doc = NULL;
	}
}

/* Render the cached body, if there is one. */
static bool load_body(struct ui *ui)
{
	struct ui_pager *pg = &ui->pg;
	struct pt_error err = {0};
	char *data = NULL;
	size_t len = 0;

	if (cache_body_get(ui->cache, ui->idx.mbox_id, pg->uid, "", &data, &len,
	                   &err) < 0)
		return false;
	doc_free(pg);
	pg->doc = xcalloc(1, sizeof *pg->doc);
	if (mime_render(data, len, pg->doc, &err) < 0) {
		free(pg->doc);
		pg->doc = NULL;
		free(data);
		ui_message(ui, true, _("Cannot show this message: %s"),
		           err.msg);
		pg->state = UI_PAGER_UNAVAILABLE;
		return true;
	}
	free(data);
	pg->state = UI_PAGER_SHOWN;
	return true;
}

static bool load_summary(struct ui *ui)
{
	struct pt_error err;

	cache_msg_clear(&ui->pg.msg);
	if (cache_msg_get(ui->cache, ui->idx.mbox_id, ui->pg.uid, &ui->pg.msg,
	                  &err) < 0) {
		ui->pg.state = UI_PAGER_GONE;
		doc_free(&ui->pg);
		return false;
	}
	return true;
}

static void mark_seen(struct ui *ui)
{
	uint32_t uid = ui->pg.uid;

	if (ui->pg.state == UI_PAGER_SHOWN &&
	    !ui_has_flag(ui->pg.msg.view_flags, "\\Seen"))
		ui_edit_flags(ui, &uid, 1, "\\Seen", NULL);
}

void ui_pager_open(struct ui *ui, uint32_t uid)
{
	struct ui_pager *pg = &ui->pg;

	ui_pager_close(ui);
	pg->uid = uid;
	pg->top = 0;
	ui->screen = UI_SCR_PAGER;
	if (load_summary(ui) && !load_body(ui)) {
		if (ui->sync != NULL) {
			pg->state = UI_PAGER_FETCHING;
			sync_thread_fetch_body(ui->sync, ui->idx.mailbox, uid);
		} else {
			pg->state = UI_PAGER_UNAVAILABLE;
		}
	}
	build_lines(ui);
	mark_seen(ui);
	ui->dirty |= UI_DIRTY_ALL;
}

void ui_pager_reload(struct ui *ui)
{
	struct ui_pager *pg = &ui->pg;
	enum ui_pager_state old = pg->state;

	if (pg->uid == 0)
		return;
	if (load_summary(ui) && pg->state != UI_PAGER_SHOWN)
		load_body(ui);
	if (pg->width != ui->cols || pg->state != old)
		build_lines(ui);
	if (old != UI_PAGER_SHOWN)
		mark_seen(ui);
	if (pg->top >= pg->nlines)
		pg->top = pg->nlines > 0 ? pg->nlines - 1 : 0;
	ui->dirty |= UI_DIRTY_ALL;
}

void ui_pager_unavailable(struct ui *ui)
{
	ui->pg.state = UI_PAGER_UNAVAILABLE;
	build_lines(ui);
	ui->dirty |= UI_DIRTY_ALL;
}

void ui_pager_close(struct ui *ui)
{
	struct ui_pager *pg = &ui->pg;
	char *search = pg->search;

	lines_free(pg);
	doc_free(pg);
	cache_msg_clear(&pg->msg);
	memset(pg, 0, sizeof *pg);
	pg->search = search; /* kept for the next message */
	if (ui->quit || ui->screen != UI_SCR_PAGER) {
		free(pg->search);
		pg->search = NULL;
	}
}

/* ------------------------------------------------------------ drawing */

/* The byte offset of needle in hay, case-insensitive (ASCII), or -1. */
static long find_ci(const char *hay, const char *needle)
{
	const char *p = strcasestr(hay, needle);

	return p != NULL ? p - hay : -1;
}

static void draw_line(struct ui *ui, int y, const struct ui_pager_line *l)
{
	const char *s = l->text;
	long at = ui->pg.search ? find_ci(s, ui->pg.search) : -1;
	int x = 0;

	attrset(ui->colors.attr[l->color]);
	if (at < 0) {
		ui_put(y, 0, s, ui->cols, false);
		attrset(A_NORMAL);
		return;
	}
	{
		char *pre = xstrndup(s, (size_t)at);
		size_t mlen = strlen(ui->pg.search);
		char *mid = xstrndup(s + at, mlen);
		x += ui_put(y, x, pre, ui->cols - x, false);
		attrset(ui->colors.attr[UI_C_SEARCH]);
		x += ui_put(y, x, mid, ui->cols - x, false);
		attrset(ui->colors.attr[l->color]);
		ui_put(y, x, s + at + mlen, ui->cols - x, false);
		free(pre);
		free(mid);
	}
	attrset(A_NORMAL);
}

void ui_pager_draw(struct ui *ui)
{
	struct ui_pager *pg = &ui->pg;
	int rows = ui_content_rows(ui);

	if (pg->width != ui->cols)
		build_lines(ui);
	for (int i = 0; i < rows && pg->top + (size_t)i < pg->nlines; i++)
		draw_line(ui, 1 + i, &pg->lines[pg->top + (size_t)i]);
}

/* ------------------------------------------------------------ actions */

static void scroll_by(struct ui *ui, long delta)
{
	struct ui_pager *pg = &ui->pg;
	long rows = ui_content_rows(ui);
	long max = (long)pg->nlines - rows;
	long top = (long)pg->top + delta;

	if (max < 0)
		max = 0;
	if (top > max)
		top = max;
	if (top < 0)
		top = 0;
	pg->top = (size_t)top;
}

static void search_from(struct ui *ui, size_t start)
{
	struct ui_pager *pg = &ui->pg;

	for (size_t k = 0; k < pg->nlines; k++) {
		size_t i = (start + k) % pg->nlines;
		if (find_ci(pg->lines[i].text, pg->search) >= 0) {
			pg->top = i;
			pg->match = i + 1;
			if (i < start)
				ui_message(ui, false, "%s",
				           _("Search wrapped to the top"));
			return;
		}
	}
	pg->match = 0;
	ui_message(ui, true, "%s", _("Not found"));
}

static void search_done(struct ui *ui, const char *answer)
{
	if (answer == NULL || *answer == '\0')
		return;
	free(ui->pg.search);
	ui->pg.search = xstrdup(answer);
	search_from(ui, ui->pg.top + 1);
}

/* Next or previous message of the index. */
static void other_message(struct ui *ui, int delta)
{
	const struct cache_msg *m;

	if (!ui_index_move(ui, delta)) {
		ui_message(ui, true, "%s",
		           delta > 0 ? _("This is the last message")
		                     : _("This is the first message"));
		return;
	}
	m = ui_index_current(ui);
	if (m != NULL)
		ui_pager_open(ui, m->uid);
}

static void edit(struct ui *ui, const char *flag, int on)
{
	uint32_t uid = ui->pg.uid;

	if (on < 0)
		on = !ui_has_flag(ui->pg.msg.view_flags, flag);
	ui_edit_flags(ui, &uid, 1, on ? flag : NULL, on ? NULL : flag);
}

void ui_pager_action(struct ui *ui, enum ui_action a)
{
	long page = ui_content_rows(ui) > 1 ? ui_content_rows(ui) - 1 : 1;

	switch (a) {
	case UI_A_QUIT:
		ui->screen = UI_SCR_INDEX;
		ui_pager_close(ui);
		ui_index_reload(ui);
		break;
	case UI_A_NEXT_LINE:
	case UI_A_PREV_LINE:
		scroll_by(ui, a == UI_A_NEXT_LINE ? 1 : -1);
		break;
	case UI_A_PAGE_DOWN:
	case UI_A_PAGE_UP:
		scroll_by(ui, a == UI_A_PAGE_DOWN ? page : -page);
		break;
	case UI_A_FIRST:
		ui->pg.top = 0;
		break;
	case UI_A_LAST:
		scroll_by(ui, (long)ui->pg.nlines);
		break;
	case UI_A_NEXT_MESSAGE:
	case UI_A_PREV_MESSAGE:
		other_message(ui, a == UI_A_NEXT_MESSAGE ? 1 : -1);
		break;
	case UI_A_TOGGLE_NEW:
		edit(ui, "\\Seen", -1);
		break;
	case UI_A_TOGGLE_FLAGGED:
		edit(ui, "\\Flagged", -1);
		break;
	case UI_A_DELETE:
	case UI_A_UNDELETE:
		edit(ui, "\\Deleted", a == UI_A_DELETE);
		break;
	case UI_A_SEARCH:
		ui_prompt_line(ui, _("Search in the message: "), search_done);
		break;
	case UI_A_SEARCH_NEXT:
		if (ui->pg.search == NULL)
			ui_message(ui, true, "%s", _("No search yet (use /)"));
		else
			search_from(ui, ui->pg.top + 1);
		break;
	default:
		break;
	}
	ui->dirty |= UI_DIRTY_ALL;
}
