/* ui-keys.h: the interface's key maps: actions, the default bindings
 * (const tables, mutt-like), and the configuration's [bind] section
 * (petrel-config(5)).
 *
 * A key is an int: a character as its Unicode code point, or a curses
 * function key (KEY_UP, ...) plus UI_KEY_FN. Enter is always '\n'
 * (CR and KEY_ENTER are folded into it by ui_keys_from_curses()).
 *
 * Ownership: a struct ui_keys is made by ui_keys_new() and released with
 * ui_keys_free(); strings returned are static or owned by the caller as
 * documented. Single-threaded (the interface's thread). */
#ifndef PETREL_UI_KEYS_H
#define PETREL_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "common/buf.h"
#include "common/error.h"
#include "config/config.h"

#define UI_KEY_FN 0x1000000

enum ui_map {
	UI_MAP_INDEX,
	UI_MAP_PAGER,
	UI_MAP_MAILBOXES,
	UI_MAP_HELP,
	UI_MAP_COUNT
};

enum ui_action {
	UI_A_NONE = 0, /* "noop": unbinds a key */
	UI_A_QUIT,
	UI_A_HELP,
	UI_A_REDRAW,
	UI_A_SYNC,
	UI_A_CHANGE_MAILBOX,
	UI_A_OPEN,
	UI_A_NEXT_MESSAGE,
	UI_A_PREV_MESSAGE,
	UI_A_NEXT_LINE,
	UI_A_PREV_LINE,
	UI_A_NEXT_MAILBOX,
	UI_A_PREV_MAILBOX,
	UI_A_PAGE_DOWN,
	UI_A_PAGE_UP,
	UI_A_FIRST,
	UI_A_LAST,
	UI_A_TOGGLE_NEW,
	UI_A_TOGGLE_FLAGGED,
	UI_A_DELETE,
	UI_A_UNDELETE,
	UI_A_SEARCH,
	UI_A_SEARCH_NEXT,
	UI_A_SORT,
	UI_A_SORT_THREAD,
	UI_A_COUNT
};

struct ui_keys;

/* The default bindings. */
struct ui_keys *ui_keys_new(void);
void ui_keys_free(struct ui_keys *k);

/* Apply the [bind] entries ("MAP.KEY = ACTION", see petrel-config(5)).
 * An unknown map, key name or action, or an action that does not exist
 * in that map, is PT_E_CONFIG "FILE:LINE: ..." (file as shown by
 * config_file()). */
int ui_keys_bind(struct ui_keys *k, const struct config_entry *v, size_t n,
                 const char *file, struct pt_error *err);

/* The action of key in map (UI_A_NONE if unbound). */
enum ui_action ui_keys_lookup(const struct ui_keys *k, enum ui_map map,
                              int key);

/* A key from wget_wch()'s result (ret is OK or KEY_CODE_YES). */
int ui_keys_from_curses(int ret, wint_t wch);

/* The name of a key as written in [bind] ("j", "^L", "<Down>"),
 * appended to out. */
void ui_keys_name(int key, struct buf *out);
/* Parse a key name; -1 if it is not one. */
int ui_keys_parse(const char *name);

/* The names ("next-message") and one-line descriptions (translated) of
 * actions, and map names ("index"). */
const char *ui_action_name(enum ui_action a);
const char *ui_action_help(enum ui_action a);
const char *ui_map_name(enum ui_map m);
/* Whether an action means something in a map. */
bool ui_action_in_map(enum ui_action a, enum ui_map m);

/* The keys bound to action in map, as names separated by ", " appended
 * to out (nothing if none); at most max keys (0: all). */
void ui_keys_for(const struct ui_keys *k, enum ui_map map, enum ui_action a,
                 size_t max, struct buf *out);

#endif
