/* ui-keys.c: actions, default key tables and [bind] (ui-keys.h). */
#include "ui-keys.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/text.h"
#include "common/xmalloc.h"

#define CTRL(c) ((c)&0x1f)
#define FN(k) (UI_KEY_FN + (k))

/* Bit of a map in struct ui_action_def.maps. */
#define M_INDEX (1u << UI_MAP_INDEX)
#define M_PAGER (1u << UI_MAP_PAGER)
#define M_MBOX (1u << UI_MAP_MAILBOXES)
#define M_HELP (1u << UI_MAP_HELP)
#define M_ALL (M_INDEX | M_PAGER | M_MBOX | M_HELP)

struct ui_action_def {
	const char *name;
	const char *help; /* N_() */
	unsigned maps;
};

static const struct ui_action_def actions[UI_A_COUNT] = {
        [UI_A_NONE] = {"noop", N_("do nothing"), M_ALL},
        [UI_A_QUIT] = {"quit", N_("leave this screen (quit from the index)"),
                       M_ALL},
        [UI_A_HELP] = {"help", N_("show the key bindings"), M_ALL},
        [UI_A_REDRAW] = {"redraw", N_("redraw the screen"), M_ALL},
        [UI_A_SYNC] = {"sync", N_("synchronize now; expunge what you deleted"),
                       M_ALL},
        [UI_A_CHANGE_MAILBOX] = {"change-mailbox", N_("choose another mailbox"),
                                 M_INDEX | M_PAGER},
        [UI_A_OPEN] = {"open", N_("read the message / open the mailbox"),
                       M_INDEX | M_MBOX},
        [UI_A_NEXT_MESSAGE] = {"next-message", N_("go to the next message"),
                               M_INDEX | M_PAGER},
        [UI_A_PREV_MESSAGE] = {"previous-message",
                               N_("go to the previous message"),
                               M_INDEX | M_PAGER},
        [UI_A_NEXT_LINE] = {"next-line", N_("scroll down one line"),
                            M_PAGER | M_HELP},
        [UI_A_PREV_LINE] = {"previous-line", N_("scroll up one line"),
                            M_PAGER | M_HELP},
        [UI_A_NEXT_MAILBOX] = {"next-mailbox", N_("go to the next mailbox"),
                               M_MBOX},
        [UI_A_PREV_MAILBOX] = {"previous-mailbox",
                               N_("go to the previous mailbox"), M_MBOX},
        [UI_A_PAGE_DOWN] = {"page-down", N_("go down one page"), M_ALL},
        [UI_A_PAGE_UP] = {"page-up", N_("go up one page"), M_ALL},
        [UI_A_FIRST] = {"first", N_("go to the first entry or line"), M_ALL},
        [UI_A_LAST] = {"last", N_("go to the last entry or line"), M_ALL},
        [UI_A_TOGGLE_NEW] = {"toggle-new", N_("mark as read or unread"),
                             M_INDEX | M_PAGER},
        [UI_A_TOGGLE_FLAGGED] = {"toggle-flagged", N_("flag or unflag"),
                                 M_INDEX | M_PAGER},
        [UI_A_DELETE] = {"delete", N_("mark as deleted"), M_INDEX | M_PAGER},
        [UI_A_UNDELETE] = {"undelete", N_("remove the deleted mark"),
                           M_INDEX | M_PAGER},
        [UI_A_SEARCH] = {"search", N_("search (the mailbox, or the message)"),
                         M_INDEX | M_PAGER | M_HELP},
        [UI_A_SEARCH_NEXT] = {"search-next", N_("go to the next match"),
                              M_INDEX | M_PAGER | M_HELP},
        [UI_A_SORT] = {"sort-reverse",
                       N_("reverse the order (newest or oldest first)"),
                       M_INDEX},
        [UI_A_SORT_THREAD] = {"sort-thread",
                              N_("switch between date and thread order"),
                              M_INDEX},
};

static const char *const map_names[UI_MAP_COUNT] = {
        [UI_MAP_INDEX] = "index",
        [UI_MAP_PAGER] = "pager",
        [UI_MAP_MAILBOXES] = "mailboxes",
        [UI_MAP_HELP] = "help",
};

struct ui_binding {
	int key;
	enum ui_action action;
};

/* Bindings every map shares (mutt-like), then each map's own. */
static const struct ui_binding bind_common[] = {
        {'q', UI_A_QUIT},
        {'?', UI_A_HELP},
        {CTRL('L'), UI_A_REDRAW},
        {'$', UI_A_SYNC},
        {FN(KEY_NPAGE), UI_A_PAGE_DOWN},
        {FN(KEY_PPAGE), UI_A_PAGE_UP},
        {FN(KEY_HOME), UI_A_FIRST},
        {FN(KEY_END), UI_A_LAST},
};

static const struct ui_binding bind_index[] = {
        {'j', UI_A_NEXT_MESSAGE},   {FN(KEY_DOWN), UI_A_NEXT_MESSAGE},
        {'k', UI_A_PREV_MESSAGE},   {FN(KEY_UP), UI_A_PREV_MESSAGE},
        {'\n', UI_A_OPEN},          {FN(KEY_RIGHT), UI_A_OPEN},
        {'c', UI_A_CHANGE_MAILBOX}, {'y', UI_A_CHANGE_MAILBOX},
        {'N', UI_A_TOGGLE_NEW},     {'F', UI_A_TOGGLE_FLAGGED},
        {'d', UI_A_DELETE},         {'u', UI_A_UNDELETE},
        {'/', UI_A_SEARCH},         {'n', UI_A_SEARCH_NEXT},
        {' ', UI_A_PAGE_DOWN},      {'-', UI_A_PAGE_UP},
        {'=', UI_A_FIRST},          {'*', UI_A_LAST},
        {'o', UI_A_SORT},           {'t', UI_A_SORT_THREAD},
};

static const struct ui_binding bind_pager[] = {
        {'j', UI_A_NEXT_LINE},
        {FN(KEY_DOWN), UI_A_NEXT_LINE},
        {'\n', UI_A_NEXT_LINE},
        {'k', UI_A_PREV_LINE},
        {FN(KEY_UP), UI_A_PREV_LINE},
        {' ', UI_A_PAGE_DOWN},
        {'-', UI_A_PAGE_UP},
        {'g', UI_A_FIRST},
        {'G', UI_A_LAST},
        {'J', UI_A_NEXT_MESSAGE},
        {'K', UI_A_PREV_MESSAGE},
        {'i', UI_A_QUIT},
        {FN(KEY_LEFT), UI_A_QUIT},
        {'c', UI_A_CHANGE_MAILBOX},
        {'y', UI_A_CHANGE_MAILBOX},
        {'N', UI_A_TOGGLE_NEW},
        {'F', UI_A_TOGGLE_FLAGGED},
        {'d', UI_A_DELETE},
        {'u', UI_A_UNDELETE},
        {'/', UI_A_SEARCH},
        {'n', UI_A_SEARCH_NEXT},
};

static const struct ui_binding bind_mailboxes[] = {
        {'j', UI_A_NEXT_MAILBOX}, {FN(KEY_DOWN), UI_A_NEXT_MAILBOX},
        {'k', UI_A_PREV_MAILBOX}, {FN(KEY_UP), UI_A_PREV_MAILBOX},
        {'\n', UI_A_OPEN},        {FN(KEY_RIGHT), UI_A_OPEN},
        {' ', UI_A_OPEN},         {FN(KEY_LEFT), UI_A_QUIT},
};

static const struct ui_binding bind_help[] = {
        {'j', UI_A_NEXT_LINE},        {FN(KEY_DOWN), UI_A_NEXT_LINE},
        {'\n', UI_A_NEXT_LINE},       {'k', UI_A_PREV_LINE},
        {FN(KEY_UP), UI_A_PREV_LINE}, {' ', UI_A_PAGE_DOWN},
        {'-', UI_A_PAGE_UP},          {FN(KEY_LEFT), UI_A_QUIT},
        {'/', UI_A_SEARCH},           {'n', UI_A_SEARCH_NEXT},
};

struct ui_keymap {
	struct ui_binding *v;
	size_t n, cap;
};

struct ui_keys {
	struct ui_keymap maps[UI_MAP_COUNT];
};

/* Named keys ("<Down>"); the first name of a key is the one shown. */
static const struct {
	const char *name;
	int key;
} key_names[] = {
        {"Enter", '\n'},
        {"Return", '\n'},
        {"Space", ' '},
        {"Tab", '\t'},
        {"Esc", 27},
        {"Backspace", FN(KEY_BACKSPACE)},
        {"Up", FN(KEY_UP)},
        {"Down", FN(KEY_DOWN)},
        {"Left", FN(KEY_LEFT)},
        {"Right", FN(KEY_RIGHT)},
        {"PageUp", FN(KEY_PPAGE)},
        {"PgUp", FN(KEY_PPAGE)},
        {"PageDown", FN(KEY_NPAGE)},
        {"PgDn", FN(KEY_NPAGE)},
        {"Home", FN(KEY_HOME)},
        {"End", FN(KEY_END)},
        {"Insert", FN(KEY_IC)},
        {"Delete", FN(KEY_DC)},
};

static void map_set(struct ui_keymap *m, int key, enum ui_action a)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].key == key) {
			m->v[i].action = a;
			return;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->v = xreallocarray(m->v, m->cap, sizeof *m->v);
	}
	m->v[m->n].key = key;
	m->v[m->n].action = a;
	m->n++;
}

static void map_load(struct ui_keymap *m, const struct ui_binding *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		map_set(m, b[i].key, b[i].action);
}

struct ui_keys *ui_keys_new(void)
{
	struct ui_keys *k = xcalloc(1, sizeof *k);
	static const struct {
		const struct ui_binding *b;
		size_t n;
	} own[UI_MAP_COUNT] = {
	        [UI_MAP_INDEX] = {bind_index,
	                          sizeof bind_index / sizeof bind_index[0]},
	        [UI_MAP_PAGER] = {bind_pager,
	                          sizeof bind_pager / sizeof bind_pager[0]},
	        [UI_MAP_MAILBOXES] = {bind_mailboxes,
	                              sizeof bind_mailboxes /
	                                      sizeof bind_mailboxes[0]},
	        [UI_MAP_HELP] = {bind_help,
	                         sizeof bind_help / sizeof bind_help[0]},
	};

	for (int m = 0; m < UI_MAP_COUNT; m++) {
		map_load(&k->maps[m], bind_common,
		         sizeof bind_common / sizeof bind_common[0]);
		map_load(&k->maps[m], own[m].b, own[m].n);
	}
	return k;
}

void ui_keys_free(struct ui_keys *k)
{
	if (k == NULL)
		return;
	for (int m = 0; m < UI_MAP_COUNT; m++)
		free(k->maps[m].v);
	free(k);
}

enum ui_action ui_keys_lookup(const struct ui_keys *k, enum ui_map map, int key)
{
	const struct ui_keymap *m = &k->maps[map];

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].key == key)
			return m->v[i].action;
	return UI_A_NONE;
}

int ui_keys_from_curses(int ret, wint_t wch)
{
	if (ret == KEY_CODE_YES) {
		if (wch == KEY_ENTER)
			return '\n';
		return FN((int)wch);
	}
	if (wch == '\r')
		return '\n';
	if (wch == 127 || wch == 8)
		return FN(KEY_BACKSPACE);
	return (int)wch;
}

int ui_keys_parse(const char *name)
{
	size_t len = strlen(name);
	uint32_t cp;

	if (len == 0)
		return -1;
	if (name[0] == '<' && name[len - 1] == '>' && len > 2) {
		for (size_t i = 0; i < sizeof key_names / sizeof key_names[0];
		     i++)
			if (strlen(key_names[i].name) == len - 2 &&
			    strncasecmp(name + 1, key_names[i].name, len - 2) ==
			            0)
				return key_names[i].key;
		if ((name[1] == 'F' || name[1] == 'f') && len <= 5) {
			int n = atoi(name + 2);
			if (n >= 1 && n <= 12)
				return FN(KEY_F(n));
		}
		return -1;
	}
	if (name[0] == '^' && len == 2 && name[1] >= '@' && name[1] <= '~' &&
	    name[1] != '`')
		return CTRL(name[1] >= 'a' ? name[1] - 32 : name[1]);
	if (text_utf8_decode(name, len, &cp) != len || cp < 32 ||
	    cp == TEXT_REPLACEMENT)
		return -1;
	return (int)cp;
}

void ui_keys_name(int key, struct buf *out)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (key_names[i].key == key) {
			buf_printf(out, "<%s>", key_names[i].name);
			return;
		}
	}
	if (key >= FN(KEY_F(1)) && key <= FN(KEY_F(12))) {
		buf_printf(out, "<F%d>", key - FN(KEY_F(0)));
	} else if (key >= UI_KEY_FN) {
		buf_printf(out, "<%d>", key - UI_KEY_FN);
	} else if (key < 32) {
		buf_printf(out, "^%c", key + '@');
	} else {
		text_utf8_encode((uint32_t)key, out);
	}
}

const char *ui_action_name(enum ui_action a)
{
	return actions[a].name;
}

const char *ui_action_help(enum ui_action a)
{
	return _(actions[a].help);
}

const char *ui_map_name(enum ui_map m)
{
	return map_names[m];
}

bool ui_action_in_map(enum ui_action a, enum ui_map m)
{
	return (actions[a].maps & (1u << m)) != 0;
}

void ui_keys_for(const struct ui_keys *k, enum ui_map map, enum ui_action a,
                 size_t max, struct buf *out)
{
	const struct ui_keymap *m = &k->maps[map];
	size_t shown = 0;

	for (size_t i = 0; i < m->n && (max == 0 || shown < max); i++) {
		if (m->v[i].action != a)
			continue;
		if (shown++ > 0)
			buf_addstr(out, ", ");
		ui_keys_name(m->v[i].key, out);
	}
}

/* ---------------------------------------------------------------- [bind] */

static int bind_one(struct ui_keys *k, const struct config_entry *e,
                    const char *file, struct pt_error *err)
{
	const char *dot = strchr(e->key, '.');
	int map = -1, key;
	int a;

	for (int m = 0; dot != NULL && m < UI_MAP_COUNT; m++)
		if (strlen(map_names[m]) == (size_t)(dot - e->key) &&
		    strncmp(e->key, map_names[m], (size_t)(dot - e->key)) == 0)
			map = m;
	if (map < 0)
		return pt_error_set(err, PT_E_CONFIG,
		                    _("%s:%u: [bind] %s: unknown map (use "
		                      "index, pager, mailboxes or help)"),
		                    file, e->line, e->key);
	key = ui_keys_parse(dot + 1);
	if (key < 0)
		return pt_error_set(err, PT_E_CONFIG,
		                    _("%s:%u: [bind] %s: unknown key name"),
		                    file, e->line, e->key);
	for (a = 0; a < UI_A_COUNT; a++)
		if (strcmp(e->value, actions[a].name) == 0)
			break;
	if (a == UI_A_COUNT)
		return pt_error_set(err, PT_E_CONFIG,
		                    _("%s:%u: [bind] %s: unknown action '%s'"),
		                    file, e->line, e->key, e->value);
	if (!ui_action_in_map((enum ui_action)a, (enum ui_map)map))
		return pt_error_set(
		        err, PT_E_CONFIG,
		        _("%s:%u: [bind] %s: '%s' does not exist in "
		          "the %s map"),
		        file, e->line, e->key, e->value, map_names[map]);
	map_set(&k->maps[map], key, (enum ui_action)a);
	return 0;
}

int ui_keys_bind(struct ui_keys *k, const struct config_entry *v, size_t n,
                 const char *file, struct pt_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (bind_one(k, &v[i], file, err) < 0)
			return -1;
	return 0;
}
