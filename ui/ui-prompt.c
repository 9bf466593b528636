/* ui-prompt.c: the bottom line's prompts: a line of text (search) and
 * y/n questions. A prompt is a mode of the event loop, never a blocking
 * read, so the sync thread's events keep arriving while the user types.
 * Keys: Enter answers, Esc or ^G cancels, Backspace, ^U erases the line,
 * Left/Right/Home/End move. */
#include "ui-private.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "common/text.h"
#include "common/xmalloc.h"

#define CTRL(c) ((c)&0x1f)
/* The longest answer, in characters. */
#define UI_PROMPT_MAX 1000

void ui_prompt_free(struct ui_prompt *p)
{
	free(p->label);
	free(p->text);
	memset(p, 0, sizeof *p);
}

static void prompt_start(struct ui *ui, const char *label, bool yesno,
                         ui_prompt_fn done)
{
	ui_prompt_free(&ui->prompt);
	ui->prompt.active = true;
	ui->prompt.yesno = yesno;
	ui->prompt.label = xstrdup(label);
	ui->prompt.done = done;
	ui->message[0] = '\0';
	ui->dirty |= UI_DIRTY_STATUS;
}

void ui_prompt_line(struct ui *ui, const char *label, ui_prompt_fn done)
{
	prompt_start(ui, label, false, done);
}

void ui_prompt_yesno(struct ui *ui, const char *question, ui_prompt_fn done)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s %s", question, _("(y/n)"));
	prompt_start(ui, buf_str(&b), true, done);
	buf_free(&b);
}

/* The answer as UTF-8 (the caller frees it). */
static char *prompt_text(const struct ui_prompt *p)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < p->len; i++)
		text_utf8_encode((uint32_t)p->text[i], &b);
	return buf_detach(&b);
}

static void prompt_end(struct ui *ui, bool answered)
{
	ui_prompt_fn done = ui->prompt.done;
	char *text = answered ? prompt_text(&ui->prompt) : NULL;

	ui_prompt_free(&ui->prompt);
	ui->dirty |= UI_DIRTY_ALL;
	if (done != NULL)
		done(ui, text);
	free(text);
}

static void prompt_insert(struct ui_prompt *p, wchar_t c)
{
	if (p->len >= UI_PROMPT_MAX)
		return;
	if (p->len + 1 >= p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->text = xreallocarray(p->text, p->cap, sizeof *p->text);
	}
	memmove(p->text + p->pos + 1, p->text + p->pos,
	        (p->len - p->pos) * sizeof *p->text);
	p->text[p->pos++] = c;
	p->len++;
}

static void yesno_key(struct ui *ui, int key)
{
	struct ui_prompt *p = &ui->prompt;

	if (key == 'y' || key == 'Y' || key == 'n' || key == 'N') {
		p->len = p->pos = 0;
		prompt_insert(p,
		              (wchar_t)(key == 'y' || key == 'Y' ? 'y' : 'n'));
		prompt_end(ui, true);
	} else if (key == 27 || key == CTRL('G')) {
		prompt_end(ui, false);
	}
}

void ui_prompt_key(struct ui *ui, int key)
{
	struct ui_prompt *p = &ui->prompt;

	ui->dirty |= UI_DIRTY_STATUS;
	if (p->yesno) {
		yesno_key(ui, key);
		return;
	}
	if (key == '\n') {
		prompt_end(ui, true);
	} else if (key == 27 || key == CTRL('G')) {
		prompt_end(ui, false);
	} else if (key == UI_KEY_FN + KEY_BACKSPACE) {
		if (p->pos > 0) {
			memmove(p->text + p->pos - 1, p->text + p->pos,
			        (p->len - p->pos) * sizeof *p->text);
			p->pos--;
			p->len--;
		}
	} else if (key == CTRL('U')) {
		p->len = p->pos = 0;
	} else if (key == UI_KEY_FN + KEY_LEFT || key == CTRL('B')) {
		p->pos -= p->pos > 0;
	} else if (key == UI_KEY_FN + KEY_RIGHT || key == CTRL('F')) {
		p->pos += p->pos < p->len;
	} else if (key == UI_KEY_FN + KEY_HOME || key == CTRL('A')) {
		p->pos = 0;
	} else if (key == UI_KEY_FN + KEY_END || key == CTRL('E')) {
		p->pos = p->len;
	} else if (key < UI_KEY_FN && key >= 32 && iswprint((wint_t)key)) {
		prompt_insert(p, (wchar_t)key);
	}
}

void ui_prompt_draw(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	int y = ui->rows - 1, x;
	char *text = prompt_text(p);
	struct ui_prompt before = *p;
	char *head;

	move(y, 0);
	clrtoeol();
	attrset(ui->colors.attr[UI_C_MESSAGE]);
	x = ui_put(y, 0, p->label, ui->cols - 1, false);
	ui_put(y, x, text, ui->cols - x - 1, false);
	attrset(A_NORMAL);
	/* The cursor after the characters before pos. */
	before.len = p->pos;
	head = prompt_text(&before);
	x += text_width(head);
	move(y, x < ui->cols ? x : ui->cols - 1);
	curs_set(1);
	free(head);
	free(text);
}
