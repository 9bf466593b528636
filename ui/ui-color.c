/* ui-color.c: colour slots, defaults, NO_COLOR and [color] (ui-color.h). */
#include "ui-color.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

#define A_B UI_CA_BOLD
#define A_R UI_CA_REVERSE

struct color_default {
	const char *name;
	/* 8 colours, 256 colours, no colour at all. */
	struct ui_color_spec c8, c256, mono;
};

static const struct color_default defaults[UI_C_COUNT] = {
        [UI_C_NORMAL] = {"normal",
                         {0, -1, -1, 0},
                         {0, -1, -1, 0},
                         {0, -1, -1, 0}},
        [UI_C_TITLE] = {"title",
                        {0, COLOR_WHITE, COLOR_BLUE, 0},
                        {0, 231, 25, 0},
                        {0, -1, -1, A_R}},
        [UI_C_STATUS] = {"status",
                         {0, COLOR_WHITE, COLOR_BLUE, A_B},
                         {0, 231, 25, A_B},
                         {0, -1, -1, A_R | A_B}},
        [UI_C_INDICATOR] = {"indicator",
                            {0, COLOR_BLACK, COLOR_CYAN, 0},
                            {0, 16, 117, 0},
                            {0, -1, -1, A_R}},
        [UI_C_NEW] = {"new",
                      {0, -1, -1, A_B},
                      {0, -1, -1, A_B},
                      {0, -1, -1, A_B}},
        [UI_C_FLAGGED] = {"flagged",
                          {0, COLOR_RED, -1, A_B},
                          {0, 203, -1, A_B},
                          {0, -1, -1, A_B}},
        [UI_C_DELETED] = {"deleted",
                          {0, COLOR_MAGENTA, -1, 0},
                          {0, 244, -1, 0},
                          {0, -1, -1, 0}},
        [UI_C_HEADER] = {"header",
                         {0, COLOR_GREEN, -1, 0},
                         {0, 114, -1, 0},
                         {0, -1, -1, A_B}},
        [UI_C_QUOTED] = {"quoted",
                         {0, COLOR_CYAN, -1, 0},
                         {0, 109, -1, 0},
                         {0, -1, -1, 0}},
        [UI_C_ATTACHMENT] = {"attachment",
                             {0, COLOR_MAGENTA, -1, 0},
                             {0, 176, -1, 0},
                             {0, -1, -1, 0}},
        [UI_C_SEARCH] = {"search",
                         {0, COLOR_BLACK, COLOR_YELLOW, 0},
                         {0, 16, 220, 0},
                         {0, -1, -1, A_R}},
        [UI_C_ERROR] = {"error",
                        {0, COLOR_RED, -1, A_B},
                        {0, 196, -1, A_B},
                        {0, -1, -1, A_B}},
        [UI_C_MESSAGE] = {"message",
                          {0, -1, -1, 0},
                          {0, -1, -1, 0},
                          {0, -1, -1, 0}},
};

static const char *const color_names[] = {
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* A colour name: -1 for default, 0-255, or -2 if unknown. */
static int color_value(const char *w)
{
	if (strcasecmp(w, "default") == 0)
		return -1;
	for (int i = 0; i < 8; i++) {
		if (strcasecmp(w, color_names[i]) == 0)
			return i;
		if (strncasecmp(w, "bright", 6) == 0 &&
		    strcasecmp(w + 6, color_names[i]) == 0)
			return i + 8;
	}
	if (strncasecmp(w, "color", 5) == 0 && w[5] >= '0' && w[5] <= '9') {
		char *end;
		long n = strtol(w + 5, &end, 10);
		if (*end == '\0' && n >= 0 && n <= 255)
			return (int)n;
	}
	return -2;
}

static unsigned attr_value(const char *w)
{
	if (strcasecmp(w, "bold") == 0)
		return UI_CA_BOLD;
	if (strcasecmp(w, "underline") == 0)
		return UI_CA_UNDERLINE;
	if (strcasecmp(w, "reverse") == 0)
		return UI_CA_REVERSE;
	return 0;
}

static int parse_one(struct ui_color_spec *s, const struct config_entry *e,
                     const char *file, struct pt_error *err)
{
	char *copy = xstrdup(e->value), *save = NULL;
	int ncolors = 0, ret = 0;

	memset(s, 0, sizeof *s);
	s->set = true;
	s->fg = s->bg = -1;
	for (char *w = strtok_r(copy, " \t", &save); w != NULL && ret == 0;
	     w = strtok_r(NULL, " \t", &save)) {
		unsigned a = attr_value(w);
		int v = color_value(w);
		if (a != 0 && ncolors == 0) {
			s->attrs |= a;
		} else if (v != -2 && ncolors < 2) {
			*(ncolors++ == 0 ? &s->fg : &s->bg) = v;
		} else {
			ret = pt_error_set(
			        err, PT_E_CONFIG,
			        _("%s:%u: [color] %s: unknown colour "
			          "or attribute '%s'"),
			        file, e->line, e->key, w);
		}
	}
	free(copy);
	return ret;
}

int ui_color_parse(struct ui_colors *c, const struct config_entry *v, size_t n,
                   const char *file, bool no_color, struct pt_error *err)
{
	memset(c, 0, sizeof *c);
	c->no_color = no_color;
	for (size_t i = 0; i < n; i++) {
		int slot;
		for (slot = 0; slot < UI_C_COUNT; slot++)
			if (strcmp(v[i].key, defaults[slot].name) == 0)
				break;
		if (slot == UI_C_COUNT)
			return pt_error_set(
			        err, PT_E_CONFIG,
			        _("%s:%u: [color] %s: unknown item"), file,
			        v[i].line, v[i].key);
		if (parse_one(&c->spec[slot], &v[i], file, err) < 0)
			return -1;
	}
	return 0;
}

static int curses_attrs(unsigned a)
{
	int r = 0;

	if (a & UI_CA_BOLD)
		r |= A_BOLD;
	if (a & UI_CA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & UI_CA_REVERSE)
		r |= A_REVERSE;
	return r;
}

/* A colour the terminal has: bright ones fall back to their base. */
static int fit(int color)
{
	if (color < 0 || color < COLORS)
		return color;
	return color % 8;
}

void ui_color_start(struct ui_colors *c)
{
	bool color = !c->no_color && has_colors();

	if (color) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < UI_C_COUNT; i++) {
		const struct color_default *d = &defaults[i];
		struct ui_color_spec s = c->spec[i];
		if (!s.set)
			s = !color ? d->mono : COLORS >= 256 ? d->c256 : d->c8;
		if (!color || i + 1 >= COLOR_PAIRS) {
			/* Without colours the defaults' emphasis stays. */
			c->attr[i] = curses_attrs(
			        s.set ? s.attrs | d->mono.attrs : s.attrs);
			continue;
		}
		init_pair((short)(i + 1), (short)fit(s.fg), (short)fit(s.bg));
		c->attr[i] = (int)COLOR_PAIR(i + 1) | curses_attrs(s.attrs);
	}
}
