/* ui-private.h: the interface's state, shared by the ui/ files.
 *
 * One thread: everything here belongs to the interface's thread, which
 * sleeps in poll() on the terminal, the sync thread's descriptor and a
 * SIGWINCH self-pipe (ui.c). Handlers change the state and set dirty
 * flags; the screen is drawn once per pass (ui-draw.c). The cache is only
 * read, except for intents (cache_queue_edit()). */
#ifndef PETREL_UI_PRIVATE_H
#define PETREL_UI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "cache/cache.h"
#include "common/i18n.h"
#include "cmd.h"
#include "common/buf.h"
#include "config/config.h"
#include "mime/mime-render.h"
#include "sync-thread.h"
#include "ui-color.h"
#include "ui-keys.h"

enum ui_screen {
	UI_SCR_INDEX,
	UI_SCR_PAGER,
	UI_SCR_MAILBOXES,
	UI_SCR_HELP,
};

#ifndef ENABLE_NLS
#define ngettext(one, many, n) ((n) == 1 ? (one) : (many))
#endif

/* Rows of the screen that are not content: title, status, message. */
#define UI_CHROME_ROWS 3

/* The message index of one mailbox, read in keyset pages: only the rows
 * on screen are in memory. */
struct ui_index {
	char *mailbox;   /* UTF-8 name */
	int64_t mbox_id; /* 0: not in the cache (yet) */
	enum cache_order order;
	bool has_top; /* false: the list starts at its first row */
	struct cache_page_key top;
	struct cache_msg_page rows; /* the rows on screen */
	int cursor;                 /* in rows */
	uint64_t total, unseen;
	/* The last search: its FTS5 query and the matching UIDs
	 * (ascending). */
	char *query;
	struct cache_uidlist matches;
};

/* One line of a rendered message, wrapped to the screen width. */
struct ui_pager_line {
	char *text; /* UTF-8, sanitized, no TAB */
	enum ui_color_slot color;
};

enum ui_pager_state {
	UI_PAGER_SHOWN,
	UI_PAGER_FETCHING,
	UI_PAGER_UNAVAILABLE, /* offline, or the fetch failed */
	UI_PAGER_GONE,        /* the message is no longer in the cache */
};

struct ui_pager {
	uint32_t uid;
	enum ui_pager_state state;
	struct cache_msg msg;      /* summary from the cache */
	struct mime_rendered *doc; /* when shown */
	int width;                 /* lines are wrapped for this width */
	struct ui_pager_line *lines;
	size_t nlines;
	size_t top;
	char *search; /* the last search text, or NULL */
	size_t match; /* line of the current match + 1; 0: none */
};

struct ui_mblist {
	struct cache_mailbox_list list;
	size_t *order; /* display order into list.v */
	int cursor, top;
};

struct ui_help {
	enum ui_map map; /* whose bindings */
	enum ui_screen back;
	int top;
};

struct ui;
/* What to do with a prompt's answer (NULL: cancelled). */
typedef void (*ui_prompt_fn)(struct ui *ui, const char *answer);

struct ui_prompt {
	bool active;
	bool yesno; /* one key: y or n */
	char *label;
	wchar_t *text;
	size_t len, cap, pos;
	ui_prompt_fn done;
};

/* Dirty flags: what to draw in the next pass. */
#define UI_DIRTY_CONTENT 0x1u
#define UI_DIRTY_STATUS 0x2u
#define UI_DIRTY_ALL 0xffu

struct ui {
	const struct account_conf *acct;
	const char *account_name;
	struct cache *cache;
	struct sync_thread *sync; /* NULL with --offline */
	struct sync_thread_status st;
	bool offline;
	int64_t data_version;
	uint64_t queued; /* edits waiting in the queue */

	struct ui_keys *keys;
	struct ui_colors colors;

	enum ui_screen screen;
	struct ui_index idx;
	struct ui_pager pg;
	struct ui_mblist mbl;
	struct ui_help help;
	struct ui_prompt prompt;

	char message[512];
	bool message_error;
	unsigned dirty;
	bool quit;
	int rows, cols;
};

/* ui.c */
/* A note (or an error) on the bottom line, until the next key. */
void ui_message(struct ui *ui, bool error, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Re-read what depends on the cache (after a change). */
void ui_refresh_data(struct ui *ui);
/* The number of content rows. */
int ui_content_rows(const struct ui *ui);
/* Apply a flag edit (an intent) to the messages uids and ask the sync
 * thread to send it. */
int ui_edit_flags(struct ui *ui, const uint32_t *uids, size_t n,
                  const char *add, const char *remove);
/* Whether a canonical flag list contains flag (case-insensitive). */
bool ui_has_flag(const char *flags, const char *flag);

/* ui-draw.c */
/* Draw utf8 (sanitized, one line) at y, x in at most cols columns,
 * padding with spaces to cols when pad; returns the columns used. */
int ui_put(int y, int x, const char *utf8, int cols, bool pad);
void ui_draw(struct ui *ui);
void ui_draw_status(struct ui *ui);

/* ui-index.c */
void ui_index_open(struct ui *ui, const char *mailbox);
void ui_index_reload(struct ui *ui);
void ui_index_free(struct ui_index *idx);
void ui_index_draw(struct ui *ui);
void ui_index_action(struct ui *ui, enum ui_action a);
/* The message under the cursor, or NULL. */
const struct cache_msg *ui_index_current(const struct ui *ui);
/* Move the cursor by delta rows (+1, -1), paging as needed; false at an
 * end. */
bool ui_index_move(struct ui *ui, int delta);

/* ui-pager.c */
void ui_pager_open(struct ui *ui, uint32_t uid);
void ui_pager_reload(struct ui *ui);
void ui_pager_close(struct ui *ui);
/* The sync thread could not fetch the body being waited for. */
void ui_pager_unavailable(struct ui *ui);
void ui_pager_draw(struct ui *ui);
void ui_pager_action(struct ui *ui, enum ui_action a);

/* ui-mailboxes.c */
void ui_mailboxes_open(struct ui *ui);
void ui_mailboxes_reload(struct ui *ui);
void ui_mailboxes_free(struct ui_mblist *l);
void ui_mailboxes_draw(struct ui *ui);
void ui_mailboxes_action(struct ui *ui, enum ui_action a);

/* ui-help.c */
void ui_help_open(struct ui *ui, enum ui_map map);
void ui_help_draw(struct ui *ui);
void ui_help_action(struct ui *ui, enum ui_action a);

/* ui-prompt.c */
void ui_prompt_line(struct ui *ui, const char *label, ui_prompt_fn done);
void ui_prompt_yesno(struct ui *ui, const char *question, ui_prompt_fn done);
/* A key for the active prompt. */
void ui_prompt_key(struct ui *ui, int key);
void ui_prompt_draw(struct ui *ui);
void ui_prompt_free(struct ui_prompt *p);

#endif
