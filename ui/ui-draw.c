/* ui-draw.c: drawing the screen once per pass: the title line, the
 * current screen, the status line and the message/prompt line. Every
 * string goes through text_sanitize() and text_truncate(), so nothing a
 * terminal would interpret is drawn and no character is split. */
#include "ui-private.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"

int ui_put(int y, int x, const char *utf8, int cols, bool pad)
{
	struct buf clean = BUF_INIT, cut = BUF_INIT;
	int w;

	if (cols <= 0)
		return 0;
	text_sanitize(utf8, strlen(utf8), &clean, TEXT_NOTABLF);
	w = text_truncate(buf_str(&clean), cols, &cut);
	mvaddstr(y, x, buf_str(&cut));
	if (pad)
		for (int i = w; i < cols; i++)
			addch(' ');
	buf_free(&clean);
	buf_free(&cut);
	return pad ? cols : w;
}

/* The first key bound to action on the current screen, "" if none. */
static void ui_hint(struct ui *ui, enum ui_map map, enum ui_action a,
                    const char *label, struct buf *out)
{
	struct buf k = BUF_INIT;

	ui_keys_for(ui->keys, map, a, 1, &k);
	if (k.len > 0)
		buf_printf(out, "%s:%s  ", buf_str(&k), label);
	buf_free(&k);
}

static void ui_draw_title(struct ui *ui)
{
	struct buf t = BUF_INIT;
	enum ui_map map = UI_MAP_INDEX;

	switch (ui->screen) {
	case UI_SCR_PAGER:
		map = UI_MAP_PAGER;
		break;
	case UI_SCR_MAILBOXES:
		map = UI_MAP_MAILBOXES;
		break;
	case UI_SCR_HELP:
		map = UI_MAP_HELP;
		break;
	default:
		break;
	}
	ui_hint(ui, map, UI_A_QUIT, _("Quit"), &t);
	if (map == UI_MAP_INDEX || map == UI_MAP_MAILBOXES)
		ui_hint(ui, map, UI_A_OPEN, _("Open"), &t);
	if (map == UI_MAP_INDEX || map == UI_MAP_PAGER) {
		ui_hint(ui, map, UI_A_CHANGE_MAILBOX, _("Mailboxes"), &t);
		ui_hint(ui, map, UI_A_TOGGLE_NEW, _("New"), &t);
		ui_hint(ui, map, UI_A_TOGGLE_FLAGGED, _("Flag"), &t);
		ui_hint(ui, map, UI_A_DELETE, _("Delete"), &t);
		ui_hint(ui, map, UI_A_SEARCH, _("Search"), &t);
	}
	ui_hint(ui, map, UI_A_SYNC, _("Sync"), &t);
	ui_hint(ui, map, UI_A_HELP, _("Help"), &t);
	attrset(ui->colors.attr[UI_C_TITLE]);
	ui_put(0, 0, buf_str(&t), ui->cols, true);
	attrset(A_NORMAL);
	buf_free(&t);
}

/* The connection state for the status line. */
static void ui_state_text(struct ui *ui, struct buf *out)
{
	const struct sync_thread_status *st = &ui->st;
	int64_t left;

	if (ui->sync == NULL) {
		buf_addstr(out, _("offline"));
		return;
	}
	switch (st->state) {
	case SYNC_THREAD_CONNECTING:
		buf_addstr(out, _("connecting..."));
		break;
	case SYNC_THREAD_SYNCING:
		if (st->mailbox[0] == '\0')
			buf_addstr(out, _("syncing..."));
		else if (st->to_fetch > 0)
			/* TRANSLATORS: the first sync of a large mailbox, e.g.
			 * "syncing INBOX: 12000/100000 messages". */
			buf_printf(out, _("syncing %s: %llu/%llu messages"),
			           st->mailbox, (unsigned long long)st->fetched,
			           (unsigned long long)st->to_fetch);
		else if (st->total > 1)
			buf_printf(out, _("syncing %s (%u/%u)"), st->mailbox,
			           st->done + 1, st->total);
		else
			buf_printf(out, _("syncing %s"), st->mailbox);
		break;
	case SYNC_THREAD_ONLINE:
		buf_addstr(out, _("online"));
		break;
	case SYNC_THREAD_RECONNECTING:
		left = (st->retry_at_ms - sync_thread_now_ms() + 999) / 1000;
		buf_printf(out, _("offline, retrying in %lld s"),
		           (long long)(left > 0 ? left : 0));
		break;
	case SYNC_THREAD_OFFLINE:
		buf_addstr(out, _("offline ($ to retry)"));
		break;
	case SYNC_THREAD_STOPPED:
		buf_addstr(out, _("stopped"));
		break;
	}
}

void ui_draw_status(struct ui *ui)
{
	struct buf s = BUF_INIT;
	int y = ui->rows - 2;

	if (y < 1)
		return;
	buf_printf(&s, "-- %s: %s", ui->account_name, ui->idx.mailbox);
	if (ui->idx.mbox_id != 0)
		buf_printf(&s, _(" [%llu new, %llu messages]"),
		           (unsigned long long)ui->idx.unseen,
		           (unsigned long long)ui->idx.total);
	buf_addstr(&s, " -- ");
	ui_state_text(ui, &s);
	if (ui->queued > 0)
		buf_printf(&s, _(" -- %llu queued"),
		           (unsigned long long)ui->queued);
	if (ui->sync != NULL && ui->st.error[0] != '\0')
		buf_printf(&s, " -- %s", ui->st.error);
	attrset(ui->colors.attr[UI_C_STATUS]);
	ui_put(y, 0, buf_str(&s), ui->cols, true);
	attrset(A_NORMAL);
	buf_free(&s);
}

static void ui_draw_message(struct ui *ui)
{
	int y = ui->rows - 1;

	if (ui->prompt.active) {
		ui_prompt_draw(ui);
		return;
	}
	curs_set(0);
	move(y, 0);
	clrtoeol();
	attrset(ui->colors.attr[ui->message_error ? UI_C_ERROR : UI_C_MESSAGE]);
	ui_put(y, 0, ui->message, ui->cols, false);
	attrset(A_NORMAL);
}

void ui_draw(struct ui *ui)
{
	if (ui->rows < UI_CHROME_ROWS + 1 || ui->cols < 10) {
		erase();
		ui_put(0, 0, _("Terminal too small"), ui->cols, false);
		refresh();
		ui->dirty = 0;
		return;
	}
	if (ui->dirty & UI_DIRTY_CONTENT) {
		erase();
		ui_draw_title(ui);
		switch (ui->screen) {
		case UI_SCR_INDEX:
			ui_index_draw(ui);
			break;
		case UI_SCR_PAGER:
			ui_pager_draw(ui);
			break;
		case UI_SCR_MAILBOXES:
			ui_mailboxes_draw(ui);
			break;
		case UI_SCR_HELP:
			ui_help_draw(ui);
			break;
		}
	}
	ui_draw_status(ui);
	ui_draw_message(ui);
	refresh();
	ui->dirty = 0;
}
