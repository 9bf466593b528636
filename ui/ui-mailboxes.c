/* ui-mailboxes.c: the mailbox list: INBOX, then special-use mailboxes
 * (RFC 6154), then the others by name, with unread and total counts. */
#include "ui-private.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Column of the counts. */
#define UI_MBOX_COUNTS 20

/* Sort rank: INBOX, then special-use in a fixed order, then the rest. */
static int rank(const struct cache_mailbox *m)
{
	static const unsigned special[] = {
	        CACHE_MBOX_DRAFTS,  CACHE_MBOX_SENT, CACHE_MBOX_ARCHIVE,
	        CACHE_MBOX_FLAGGED, CACHE_MBOX_ALL,  CACHE_MBOX_JUNK,
	        CACHE_MBOX_TRASH,
	};

	if (strcmp(m->name, "INBOX") == 0)
		return 0;
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
		if (m->attrs & special[i])
			return 1 + (int)i;
	return 100;
}

static const struct cache_mailbox *sort_base;

static int by_rank(const void *a, const void *b)
{
	const struct cache_mailbox *x = &sort_base[*(const size_t *)a];
	const struct cache_mailbox *y = &sort_base[*(const size_t *)b];
	int rx = rank(x), ry = rank(y);

	if (rx != ry)
		return rx - ry;
	return strcmp(x->name, y->name);
}

void ui_mailboxes_free(struct ui_mblist *l)
{
	cache_mailbox_list_free(&l->list);
	free(l->order);
	l->order = NULL;
}

void ui_mailboxes_reload(struct ui *ui)
{
	struct ui_mblist *l = &ui->mbl;
	struct pt_error err;

	ui_mailboxes_free(l);
	if (cache_mailbox_list(ui->cache, &l->list, &err) < 0) {
		memset(&l->list, 0, sizeof l->list);
		ui_message(ui, true, "%s", err.msg);
	}
	l->order = xcalloc(l->list.n + 1, sizeof *l->order);
	for (size_t i = 0; i < l->list.n; i++)
		l->order[i] = i;
	sort_base = l->list.v;
	qsort(l->order, l->list.n, sizeof *l->order, by_rank);
	if (l->cursor >= (int)l->list.n)
		l->cursor = l->list.n > 0 ? (int)l->list.n - 1 : 0;
	ui->dirty |= UI_DIRTY_ALL;
}

void ui_mailboxes_open(struct ui *ui)
{
	struct ui_mblist *l = &ui->mbl;

	if (ui->screen == UI_SCR_PAGER)
		ui_pager_close(ui);
	ui->screen = UI_SCR_MAILBOXES;
	l->cursor = l->top = 0;
	ui_mailboxes_reload(ui);
	/* Start on the mailbox shown. */
	for (size_t i = 0; i < l->list.n; i++)
		if (ui->idx.mailbox != NULL &&
		    strcmp(l->list.v[l->order[i]].name, ui->idx.mailbox) == 0)
			l->cursor = (int)i;
}

void ui_mailboxes_draw(struct ui *ui)
{
	struct ui_mblist *l = &ui->mbl;
	int rows = ui_content_rows(ui);

	if (l->list.n == 0) {
		ui_put(2, 2,
		       _("No mailboxes in the cache yet (they appear once "
		         "synced)."),
		       ui->cols - 4, false);
		return;
	}
	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + rows)
		l->top = l->cursor - rows + 1;
	for (int i = 0; i < rows && (size_t)(l->top + i) < l->list.n; i++) {
		const struct cache_mailbox *m =
		        &l->list.v[l->order[l->top + i]];
		char counts[64];
		enum ui_color_slot c = UI_C_NORMAL;
		int y = 1 + i;
		if (m->unseen > 0)
			c = UI_C_NEW;
		if (m->attrs & CACHE_MBOX_NOSELECT)
			c = UI_C_DELETED;
		if (l->top + i == l->cursor)
			c = UI_C_INDICATOR;
		snprintf(counts, sizeof counts, "%8llu %8llu  ",
		         (unsigned long long)m->unseen,
		         (unsigned long long)m->messages);
		attrset(ui->colors.attr[c]);
		ui_put(y, 0, counts, UI_MBOX_COUNTS, true);
		ui_put(y, UI_MBOX_COUNTS, m->name, ui->cols - UI_MBOX_COUNTS,
		       true);
		attrset(A_NORMAL);
	}
}

void ui_mailboxes_action(struct ui *ui, enum ui_action a)
{
	struct ui_mblist *l = &ui->mbl;
	int rows = ui_content_rows(ui), last = (int)l->list.n - 1;

	switch (a) {
	case UI_A_QUIT:
		ui->screen = UI_SCR_INDEX;
		ui_index_reload(ui);
		break;
	case UI_A_NEXT_MAILBOX:
		l->cursor = l->cursor < last ? l->cursor + 1 : l->cursor;
		break;
	case UI_A_PREV_MAILBOX:
		l->cursor = l->cursor > 0 ? l->cursor - 1 : 0;
		break;
	case UI_A_PAGE_DOWN:
		l->cursor = l->cursor + rows < last ? l->cursor + rows : last;
		break;
	case UI_A_PAGE_UP:
		l->cursor = l->cursor > rows ? l->cursor - rows : 0;
		break;
	case UI_A_FIRST:
		l->cursor = 0;
		break;
	case UI_A_LAST:
		l->cursor = last > 0 ? last : 0;
		break;
	case UI_A_OPEN:
		if (l->list.n == 0)
			break;
		if (l->list.v[l->order[l->cursor]].attrs &
		    CACHE_MBOX_NOSELECT) {
			ui_message(ui, true, "%s",
			           _("This mailbox cannot be opened"));
			break;
		}
		ui_index_open(ui, l->list.v[l->order[l->cursor]].name);
		break;
	default:
		break;
	}
	if (l->cursor < 0)
		l->cursor = 0;
	ui->dirty |= UI_DIRTY_ALL;
}
