/* ui-help.c: the help screen: the current bindings of the screen it was
 * opened from (defaults and [bind] alike), one action per line. */
#include "ui-private.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

/* Width of the keys column. */
#define UI_HELP_KEYS 24
#define UI_HELP_NAME 20

void ui_help_open(struct ui *ui, enum ui_map map)
{
	ui->help.map = map;
	ui->help.back = ui->screen;
	ui->help.top = 0;
	ui->screen = UI_SCR_HELP;
	ui->dirty |= UI_DIRTY_ALL;
}

/* The actions listed: those of the map, in table order. */
static int help_lines(const struct ui *ui, enum ui_action *v)
{
	int n = 0;

	for (int a = 1; a < UI_A_COUNT; a++)
		if (ui_action_in_map((enum ui_action)a, ui->help.map))
			v[n++] = (enum ui_action)a;
	return n;
}

void ui_help_draw(struct ui *ui)
{
	enum ui_action v[UI_A_COUNT];
	int n = help_lines(ui, v), rows = ui_content_rows(ui);
	struct buf title = BUF_INIT;

	buf_printf(&title, _("Keys of the %s screen:"),
	           ui_map_name(ui->help.map));
	attrset(ui->colors.attr[UI_C_HEADER]);
	ui_put(1, 0, buf_str(&title), ui->cols, true);
	attrset(A_NORMAL);
	buf_free(&title);
	for (int i = 0; i + 1 < rows && ui->help.top + i < n; i++) {
		enum ui_action a = v[ui->help.top + i];
		struct buf keys = BUF_INIT;
		int y = 2 + i, x = 0;
		ui_keys_for(ui->keys, ui->help.map, a, 0, &keys);
		if (keys.len == 0)
			buf_addstr(&keys, "-");
		x += ui_put(y, x, buf_str(&keys), UI_HELP_KEYS - 1, true);
		x += ui_put(y, x, " ", 1, true);
		x += ui_put(y, x, ui_action_name(a), UI_HELP_NAME - 1, true);
		x += ui_put(y, x, " ", 1, true);
		ui_put(y, x, ui_action_help(a), ui->cols - x, false);
		buf_free(&keys);
	}
}

void ui_help_action(struct ui *ui, enum ui_action a)
{
	enum ui_action v[UI_A_COUNT];
	int n = help_lines(ui, v), rows = ui_content_rows(ui) - 1;
	int max = n - rows > 0 ? n - rows : 0;

	switch (a) {
	case UI_A_QUIT:
		ui->screen = ui->help.back;
		break;
	case UI_A_NEXT_LINE:
		ui->help.top++;
		break;
	case UI_A_PREV_LINE:
		ui->help.top--;
		break;
	case UI_A_PAGE_DOWN:
		ui->help.top += rows;
		break;
	case UI_A_PAGE_UP:
		ui->help.top -= rows;
		break;
	case UI_A_FIRST:
		ui->help.top = 0;
		break;
	case UI_A_LAST:
		ui->help.top = max;
		break;
	default:
		break;
	}
	if (ui->help.top > max)
		ui->help.top = max;
	if (ui->help.top < 0)
		ui->help.top = 0;
	ui->dirty |= UI_DIRTY_ALL;
}
