/* ui-color.h: the interface's colours: named slots with defaults for 8
 * and 256 colour terminals, NO_COLOR (https://no-color.org), and the
 * configuration's [color] section (petrel-config(5)).
 *
 * Single-threaded. ui_color_parse() may run before curses starts;
 * ui_color_start() needs curses running. */
#ifndef PETREL_UI_COLOR_H
#define PETREL_UI_COLOR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "config/config.h"

enum ui_color_slot {
	UI_C_NORMAL,
	UI_C_TITLE,     /* the top line */
	UI_C_STATUS,    /* the status line */
	UI_C_INDICATOR, /* the selected row */
	UI_C_NEW,       /* unread messages, mailboxes with unread mail */
	UI_C_FLAGGED,
	UI_C_DELETED,
	UI_C_HEADER, /* header lines in the pager */
	UI_C_QUOTED, /* "> " lines */
	UI_C_ATTACHMENT,
	UI_C_SEARCH, /* a search match */
	UI_C_ERROR,
	UI_C_MESSAGE, /* the bottom line's notes */
	UI_C_COUNT
};

struct ui_color_spec {
	bool set;       /* given in [color] */
	int fg, bg;     /* -1: the terminal's default */
	unsigned attrs; /* UI_CA_* */
};

#define UI_CA_BOLD 0x1u
#define UI_CA_UNDERLINE 0x2u
#define UI_CA_REVERSE 0x4u

struct ui_colors {
	struct ui_color_spec spec[UI_C_COUNT];
	bool no_color;
	/* After ui_color_start(): the curses attribute of each slot. */
	int attr[UI_C_COUNT];
};

/* Check and record the [color] lines: "SLOT = [bold] [underline]
 * [reverse] FG [BG]", colours by name (default, black, red, green,
 * yellow, blue, magenta, cyan, white, bright<name>) or colorN (0-255).
 * An unknown slot or colour is PT_E_CONFIG "FILE:LINE: ...". no_color
 * (NO_COLOR set and not empty) keeps only the attributes. */
int ui_color_parse(struct ui_colors *c, const struct config_entry *v, size_t n,
                   const char *file, bool no_color, struct pt_error *err);
/* Make the colour pairs (curses is running). */
void ui_color_start(struct ui_colors *c);

#endif
