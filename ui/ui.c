/* ui.c: the interactive interface's entry point (cmd_ui) and its event
 * loop: one thread in poll() on the terminal, the sync thread's wake-up
 * descriptor and a SIGWINCH self-pipe; handlers set dirty flags and the
 * screen is drawn once per pass. The interface never waits on the
 * network: it reads the cache and hands intents to the sync thread. */
#include "ui-private.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "demo.h"

/* How long quitting waits for the sync thread to log out. */
#define UI_STOP_MS 3000

static int ui_winch_pipe[2] = {-1, -1};
/* curses' own SIGWINCH handler, which makes wget_wch() report
 * KEY_RESIZE; ours wakes poll() through the pipe and calls it. */
static struct sigaction ui_curses_winch;

static void ui_on_winch(int sig)
{
	int saved = errno;
	ssize_t n = write(ui_winch_pipe[1], "", 1);

	(void)n;
	if (ui_curses_winch.sa_handler != SIG_DFL &&
	    ui_curses_winch.sa_handler != SIG_IGN &&
	    !(ui_curses_winch.sa_flags & SA_SIGINFO))
		ui_curses_winch.sa_handler(sig);
	errno = saved;
}

/* ------------------------------------------------------------ helpers */

void ui_message(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	char *clean;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	clean = text_sanitize_str(ui->message, TEXT_ONELINE);
	snprintf(ui->message, sizeof ui->message, "%s", clean);
	free(clean);
	ui->message_error = error;
	ui->dirty |= UI_DIRTY_STATUS;
}

int ui_content_rows(const struct ui *ui)
{
	int n = ui->rows - UI_CHROME_ROWS;

	return n > 0 ? n : 0;
}

bool ui_has_flag(const char *flags, const char *flag)
{
	size_t len = strlen(flag);

	for (const char *p = flags; p != NULL && *p;) {
		size_t w = strcspn(p, " ");
		if (w == len && strncasecmp(p, flag, len) == 0)
			return true;
		p += w;
		p += strspn(p, " ");
	}
	return false;
}

static void ui_count_queue(struct ui *ui)
{
	struct cache_queue_list q = {0};
	struct pt_error err;

	if (cache_queue_list(ui->cache, 0, &q, &err) == 0)
		ui->queued = q.n;
	cache_queue_list_free(&q);
}

int ui_edit_flags(struct ui *ui, const uint32_t *uids, size_t n,
                  const char *add, const char *remove)
{
	struct pt_error err = {0};

	if (ui->idx.mbox_id == 0 || n == 0)
		return -1;
	if (cache_queue_edit(ui->cache, ui->idx.mbox_id, uids, n, add, remove,
	                     NULL, NULL, &err) < 0) {
		ui_message(ui, true, _("Cannot change the flags: %s"), err.msg);
		return -1;
	}
	if (ui->sync != NULL)
		sync_thread_flush(ui->sync);
	/* Our own write does not change data_version: re-read now. */
	ui_refresh_data(ui);
	return 0;
}

void ui_refresh_data(struct ui *ui)
{
	ui_count_queue(ui);
	ui_index_reload(ui);
	if (ui->screen == UI_SCR_PAGER)
		ui_pager_reload(ui);
	if (ui->screen == UI_SCR_MAILBOXES)
		ui_mailboxes_reload(ui);
	ui->dirty |= UI_DIRTY_ALL;
}

/* Re-read the cache if another connection changed it. */
static void ui_check_cache(struct ui *ui)
{
	int64_t v = 0;
	struct pt_error err;

	if (cache_data_version(ui->cache, &v, &err) < 0 ||
	    v == ui->data_version)
		return;
	ui->data_version = v;
	ui_refresh_data(ui);
}

/* ------------------------------------------------------------- events */

static void ui_sync_event(struct ui *ui)
{
	struct sync_thread_status old = ui->st;

	sync_thread_status(ui->sync, &ui->st);
	if (old.seq != ui->st.seq)
		ui->dirty |= UI_DIRTY_STATUS;
	/* The engine's notices (an edit that could not apply, a mailbox
	 * rebuilt) are shown once. */
	if (ui->st.notice[0] != '\0' && strcmp(old.notice, ui->st.notice) != 0)
		ui_message(ui, true, "%s", ui->st.notice);
	if (ui->screen == UI_SCR_PAGER && ui->pg.state == UI_PAGER_FETCHING &&
	    ui->st.fetch_failed_uid == ui->pg.uid &&
	    strcmp(ui->st.fetch_failed_mailbox, ui->idx.mailbox) == 0)
		ui_pager_unavailable(ui);
	ui_check_cache(ui);
}

/* The terminal's size changed: curses resized its screen (KEY_RESIZE) or,
 * without its handler, is told here. */
static void ui_resize(struct ui *ui, bool curses_did)
{
	struct winsize ws;

	if (!curses_did && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, ui->rows, ui->cols);
	ui_index_reload(ui);
	if (ui->screen == UI_SCR_PAGER)
		ui_pager_reload(ui);
	clearok(curscr, TRUE);
	ui->dirty |= UI_DIRTY_ALL;
}

static enum ui_map ui_screen_map(enum ui_screen s)
{
	switch (s) {
	case UI_SCR_PAGER:
		return UI_MAP_PAGER;
	case UI_SCR_MAILBOXES:
		return UI_MAP_MAILBOXES;
	case UI_SCR_HELP:
		return UI_MAP_HELP;
	default:
		return UI_MAP_INDEX;
	}
}

/* The answer to "quit with queued edits?". */
static void ui_quit_answer(struct ui *ui, const char *answer)
{
	if (answer != NULL && strcmp(answer, "y") == 0)
		ui->quit = true;
}

static void ui_quit(struct ui *ui)
{
	char q[256];

	ui_count_queue(ui);
	if (ui->queued == 0) {
		ui->quit = true;
		return;
	}
	snprintf(q, sizeof q,
	         ngettext("%llu edit is not sent yet (it will be next time). "
	                  "Quit?",
	                  "%llu edits are not sent yet (they will be next "
	                  "time). Quit?",
	                  (unsigned long)ui->queued),
	         (unsigned long long)ui->queued);
	ui_prompt_yesno(ui, q, ui_quit_answer);
}

/* Actions that mean the same on every screen. */
static bool ui_global_action(struct ui *ui, enum ui_action a)
{
	switch (a) {
	case UI_A_HELP:
		if (ui->screen != UI_SCR_HELP)
			ui_help_open(ui, ui_screen_map(ui->screen));
		return true;
	case UI_A_REDRAW:
		clearok(curscr, TRUE);
		ui->dirty |= UI_DIRTY_ALL;
		return true;
	case UI_A_SYNC:
		if (ui->sync == NULL) {
			ui_message(ui, true, "%s",
			           _("Offline (--offline): nothing is sent"));
		} else {
			sync_thread_sync_expunge(ui->sync);
			ui_message(ui, false, "%s", _("Synchronizing..."));
		}
		return true;
	case UI_A_CHANGE_MAILBOX:
		ui_mailboxes_open(ui);
		return true;
	case UI_A_QUIT:
		if (ui->screen == UI_SCR_INDEX) {
			ui_quit(ui);
			return true;
		}
		return false;
	default:
		return false;
	}
}

static void ui_key(struct ui *ui, int key)
{
	enum ui_action a;

	if (ui->prompt.active) {
		ui_prompt_key(ui, key);
		return;
	}
	if (ui->message[0] != '\0') {
		ui->message[0] = '\0';
		ui->dirty |= UI_DIRTY_STATUS;
	}
	a = ui_keys_lookup(ui->keys, ui_screen_map(ui->screen), key);
	if (a == UI_A_NONE || ui_global_action(ui, a))
		return;
	switch (ui->screen) {
	case UI_SCR_INDEX:
		ui_index_action(ui, a);
		break;
	case UI_SCR_PAGER:
		ui_pager_action(ui, a);
		break;
	case UI_SCR_MAILBOXES:
		ui_mailboxes_action(ui, a);
		break;
	case UI_SCR_HELP:
		ui_help_action(ui, a);
		break;
	}
}

static void ui_read_keys(struct ui *ui)
{
	wint_t wch;
	int ret;

	while (!ui->quit && (ret = wget_wch(stdscr, &wch)) != ERR) {
		if (ret == KEY_CODE_YES && wch == KEY_RESIZE) {
			ui_resize(ui, true);
			continue;
		}
		ui_key(ui, ui_keys_from_curses(ret, wch));
	}
}

/* While reconnecting, the countdown on the status line ticks. */
static int ui_timeout(const struct ui *ui)
{
	if (ui->sync != NULL && ui->st.state == SYNC_THREAD_RECONNECTING)
		return 1000;
	return -1;
}

static int ui_loop(struct ui *ui)
{
	while (!ui->quit) {
		struct pollfd pfd[3];
		nfds_t n = 0;

		if (ui->dirty)
			ui_draw(ui);
		pfd[n++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
		pfd[n++] = (struct pollfd){ui_winch_pipe[0], POLLIN, 0};
		if (ui->sync != NULL)
			pfd[n++] = (struct pollfd){sync_thread_fd(ui->sync),
			                           POLLIN, 0};
		if (poll(pfd, n, ui_timeout(ui)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents & POLLIN) {
			char tmp[64];
			while (read(ui_winch_pipe[0], tmp, sizeof tmp) > 0)
				;
			/* curses reports the new size as KEY_RESIZE. */
			if (ui_curses_winch.sa_handler == SIG_DFL)
				ui_resize(ui, false);
			ui_read_keys(ui);
		}
		if (n > 2 && (pfd[2].revents & POLLIN))
			ui_sync_event(ui);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			ui_read_keys(ui);
		if (pfd[0].revents & (POLLHUP | POLLERR))
			ui->quit = true; /* the terminal went away */
		if (ui_timeout(ui) > 0)
			ui->dirty |= UI_DIRTY_STATUS;
	}
	return 0;
}

/* ------------------------------------------------------------ set-up */

static int ui_fail(const struct pt_error *err)
{
	char *msg = text_sanitize_str(err->msg, TEXT_ONELINE);

	fprintf(stderr, "petrel: %s\n", *msg ? msg : _("internal error"));
	free(msg);
	return pt_error_exit_status(err->code ? err->code : PT_E_INTERNAL);
}

/* [bind] and [color], checked before the screen is touched. */
static int ui_load_settings(struct ui *ui, const struct config *cfg,
                            struct pt_error *err)
{
	const struct config_entry *v;
	const char *nc = getenv("NO_COLOR");
	size_t n;

	ui->keys = ui_keys_new();
	v = config_bind(cfg, &n);
	if (ui_keys_bind(ui->keys, v, n, config_file(cfg), err) < 0)
		return -1;
	v = config_color(cfg, &n);
	return ui_color_parse(&ui->colors, v, n, config_file(cfg),
	                      nc != NULL && *nc != '\0', err);
}

static int ui_start_curses(struct ui *ui)
{
	struct sigaction sa;

	if (pipe(ui_winch_pipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(ui_winch_pipe[i], F_SETFD, FD_CLOEXEC);
		fcntl(ui_winch_pipe[i], F_SETFL,
		      fcntl(ui_winch_pipe[i], F_GETFL) | O_NONBLOCK);
	}
	if (initscr() == NULL)
		return -1;
	set_escdelay(25);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	ui_color_start(&ui->colors);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_on_winch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, &ui_curses_winch);
	getmaxyx(stdscr, ui->rows, ui->cols);
	return 0;
}

static void ui_stop_curses(void)
{
	sigaction(SIGWINCH, &ui_curses_winch, NULL);
	endwin();
	for (int i = 0; i < 2; i++) {
		if (ui_winch_pipe[i] >= 0)
			close(ui_winch_pipe[i]);
		ui_winch_pipe[i] = -1;
	}
}

static void ui_free(struct ui *ui)
{
	ui_index_free(&ui->idx);
	ui_pager_close(ui);
	ui_mailboxes_free(&ui->mbl);
	ui_prompt_free(&ui->prompt);
	ui_keys_free(ui->keys);
	cache_close(&ui->cache);
}

static int ui_run(struct cmd_ctx *ctx, const struct config *cfg,
                  const struct account_conf *acct, bool *keep_cfg_r)
{
	struct ui ui;
	struct pt_error err = {0};
	int ret = 0;

	memset(&ui, 0, sizeof ui);
	ui.acct = acct;
	ui.account_name = acct->name;
	ui.offline = ctx->offline;
	if (ui_load_settings(&ui, cfg, &err) < 0) {
		ui_free(&ui);
		return ui_fail(&err);
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		ui_free(&ui);
		fprintf(stderr, "%s\n",
		        _("petrel: the interface needs a terminal (see "
		          "petrel --help for the commands)"));
		return 64;
	}
	if (cache_open(acct->cache_path, 0, &ui.cache, &err) < 0) {
		ui_free(&ui);
		return ui_fail(&err);
	}
	cache_data_version(ui.cache, &ui.data_version, &err);
	if (!ctx->offline) {
		struct sync_thread_params sp = {acct, ctx->trace_path, "INBOX"};
		if (sync_thread_start(&sp, &ui.sync, &err) < 0) {
			ui_free(&ui);
			return ui_fail(&err);
		}
	}
	if (ui_start_curses(&ui) < 0) {
		fprintf(stderr, "%s\n",
		        _("petrel: cannot start the terminal interface"));
		ret = 70;
	} else {
		ui_count_queue(&ui);
		ui_index_open(&ui, "INBOX");
		ret = ui_loop(&ui) < 0 ? 70 : 0;
		ui_stop_curses();
	}
	*keep_cfg_r = !sync_thread_stop(&ui.sync, UI_STOP_MS);
	ui_free(&ui);
	return ret;
}

int cmd_ui(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct pt_error err = {0};
	struct demo *demo = NULL;
	struct config *cfg;
	const struct account_conf *acct;
	bool keep = false;
	int ret;

	(void)argc;
	(void)argv;
	if (ctx->demo) {
		if (demo_start(&demo, &err) < 0)
			return ui_fail(&err);
		ctx->config_path = demo_config(demo);
		ctx->account = NULL;
	}
	cfg = config_load(ctx->config_path, &err);
	acct = cfg != NULL ? config_account(cfg, ctx->account, &err) : NULL;
	if (acct == NULL)
		ret = ui_fail(&err);
	else
		ret = ui_run(ctx, cfg, acct, &keep);
	if (!keep)
		config_free(cfg);
	demo_stop(&demo);
	return ret;
}
