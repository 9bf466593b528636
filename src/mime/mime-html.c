/* mime-html.c: HTML to readable plain text. */
#include "mime/mime-html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/text.h"
#include "common/xmalloc.h"
#include "mime/charset.h"

#define MIME_HTML_MAX_NAME 32

static const struct {
	const char *name;
	uint32_t cp;
} mime_html_entities[] = {
        {"amp", '&'},       {"lt", '<'},       {"gt", '>'},
        {"quot", '"'},      {"apos", '\''},    {"nbsp", ' '},
        {"copy", 0xA9},     {"reg", 0xAE},     {"trade", 0x2122},
        {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
        {"lsquo", 0x2018},  {"rsquo", 0x2019}, {"ldquo", 0x201C},
        {"rdquo", 0x201D},  {"sbquo", 0x201A}, {"bdquo", 0x201E},
        {"laquo", 0xAB},    {"raquo", 0xBB},   {"euro", 0x20AC},
        {"pound", 0xA3},    {"yen", 0xA5},     {"cent", 0xA2},
        {"sect", 0xA7},     {"deg", 0xB0},     {"plusmn", 0xB1},
        {"times", 0xD7},    {"divide", 0xF7},  {"middot", 0xB7},
        {"bull", 0x2022},   {"para", 0xB6},    {"shy", 0xAD},
        {"iexcl", 0xA1},    {"iquest", 0xBF},  {"auml", 0xE4},
        {"ouml", 0xF6},     {"uuml", 0xFC},    {"Auml", 0xC4},
        {"Ouml", 0xD6},     {"Uuml", 0xDC},    {"szlig", 0xDF},
        {"eacute", 0xE9},   {"egrave", 0xE8},  {"ecirc", 0xEA},
        {"Eacute", 0xC9},   {"agrave", 0xE0},  {"aacute", 0xE1},
        {"acirc", 0xE2},    {"ccedil", 0xE7},  {"ntilde", 0xF1},
        {"oacute", 0xF3},   {"ograve", 0xF2},  {"ocirc", 0xF4},
        {"iacute", 0xED},   {"uacute", 0xFA},  {"oslash", 0xF8},
        {"aring", 0xE5},    {"aelig", 0xE6},   {"thinsp", 0x2009},
        {"ensp", 0x2002},   {"emsp", 0x2003},  {"zwnj", 0x200C},
        {"zwj", 0x200D},    {"larr", 0x2190},  {"rarr", 0x2192},
        {"uarr", 0x2191},   {"darr", 0x2193},  {"hearts", 0x2665},
};

static bool mime_html_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* "&#NNN;" / "&#xHHHH;" (the ';' may be missing). */
static size_t mime_html_numeric(const char *s, size_t len, struct buf *out)
{
	size_t i = 2;
	uint32_t cp = 0;
	bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
	int digits = 0, v;
	char byte;

	if (hex)
		i++;
	for (; i < len; i++, digits++) {
		char c = (char)(s[i] | 0x20);

		if (s[i] >= '0' && s[i] <= '9')
			v = s[i] - '0';
		else if (hex && c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			break;
		if (cp <= 0x10FFFF)
			cp = cp * (hex ? 16 : 10) + (uint32_t)v;
	}
	if (digits == 0)
		return 0;
	if (i < len && s[i] == ';')
		i++;
	/* HTML maps 0x80-0x9F to windows-1252 and 0 to U+FFFD */
	if (cp >= 0x80 && cp <= 0x9F) {
		byte = (char)cp;
		charset_to_utf8("windows-1252", &byte, 1, out);
	} else {
		text_utf8_encode(cp == 0 ? TEXT_REPLACEMENT : cp, out);
	}
	return i;
}

size_t mime_html_entity(const char *s, size_t len, struct buf *out)
{
	size_t i = 1, n, k;

	if (len < 3 || s[0] != '&')
		return 0;
	if (s[1] == '#')
		return mime_html_numeric(s, len, out);
	while (i < len && i <= MIME_HTML_MAX_NAME && mime_html_alnum(s[i]))
		i++;
	n = i - 1;
	for (k = 0;
	     k < sizeof(mime_html_entities) / sizeof(mime_html_entities[0]);
	     k++) {
		if (strlen(mime_html_entities[k].name) != n ||
		    memcmp(s + 1, mime_html_entities[k].name, n) != 0)
			continue;
		text_utf8_encode(mime_html_entities[k].cp, out);
		return i < len && s[i] == ';' ? i + 1 : i;
	}
	return 0;
}

struct mime_html {
	struct buf *out;
	size_t start;  /* out->len when conversion began */
	bool space;    /* white space seen since the last text */
	int newlines;  /* line breaks at the end of the output */
	int pre;       /* inside <pre> */
	int lists;     /* <ul>/<ol> depth */
	bool row_cell; /* a table cell already started on this row */
	char *href;    /* the open <a>'s link */
	size_t link_start;
};

static void mime_html_text(struct mime_html *h, const char *s, size_t n)
{
	if (h->space && h->newlines == 0 && h->out->len > h->start)
		buf_addch(h->out, ' ');
	h->space = false;
	h->newlines = 0;
	buf_add(h->out, s, n);
}

static void mime_html_break(struct mime_html *h, int n)
{
	h->space = false;
	if (h->out->len == h->start)
		return;
	while (h->newlines < n) {
		buf_addch(h->out, '\n');
		h->newlines++;
	}
}

static void mime_html_white(struct mime_html *h, char c)
{
	if (h->pre == 0) {
		h->space = true;
	} else if (c == '\n') {
		buf_addch(h->out, '\n');
		h->newlines++;
	} else if (c != '\r') {
		mime_html_text(h, &c, 1);
	}
}

/* The value of attribute name in attrs[0..len), entities decoded. */
static char *mime_html_attr(const char *a, size_t len, const char *name)
{
	size_t i = 0, ns, nl = strlen(name), vs, ve;
	struct buf v = BUF_INIT;
	char q;

	while (i < len) {
		while (i < len && (strchr(" \t\r\n/", a[i]) != NULL))
			i++;
		for (ns = i; i < len && strchr(" \t\r\n=/", a[i]) == NULL; i++)
			;
		vs = ve = i;
		if (i < len && a[i] == '=') {
			q = ++i < len ? a[i] : '\0';
			if (q == '"' || q == '\'') {
				vs = ++i;
				while (i < len && a[i] != q)
					i++;
				ve = i++;
			} else {
				for (vs = i;
				     i < len && strchr(" \t\r\n", a[i]) == NULL;
				     i++)
					;
				ve = i;
			}
		}
		if (i - ns == 0 && ve == vs && i >= len)
			break;
		if (vs >= ns + nl && strncasecmp(a + ns, name, nl) == 0 &&
		    (ns + nl == len ||
		     strchr(" \t\r\n=", a[ns + nl]) != NULL)) {
			size_t k = vs, n;

			while (k < ve) {
				n = a[k] == '&' ? mime_html_entity(a + k,
				                                   ve - k, &v)
				                : 0;
				if (n == 0)
					buf_addch(&v, a[k++]);
				else
					k += n;
			}
			return buf_detach(&v);
		}
	}
	return NULL;
}

static void mime_html_link_end(struct mime_html *h)
{
	/* Nothing written yet (a link first in the document): no buffer. */
	const char *text =
	        h->out->data != NULL ? h->out->data + h->link_start : "";
	size_t tlen = h->out->len - h->link_start, hl;
	const char *href = h->href;

	while (tlen > 0 && (*text == ' ' || *text == '\n'))
		text++, tlen--;
	hl = strlen(href);
	if (strncasecmp(href, "mailto:", 7) == 0 && hl - 7 == tlen &&
	    memcmp(href + 7, text, tlen) == 0)
		return;
	if (hl == 0 || href[0] == '#' ||
	    strncasecmp(href, "javascript:", 11) == 0 ||
	    (hl == tlen && memcmp(href, text, tlen) == 0))
		return;
	if (h->out->len > 0)
		mime_html_text(h, " <", 2);
	else
		mime_html_text(h, "<", 1);
	buf_addstr(h->out, href);
	buf_addch(h->out, '>');
}

static bool mime_html_in(const char *name, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(name, *set) == 0)
			return true;
	return false;
}

static const char *const mime_html_para[] = {
        "p",  "h1",    "h2",  "h3", "h4", "h5",         "h6", "ul",
        "ol", "table", "pre", "dl", "hr", "blockquote", NULL,
};
static const char *const mime_html_block[] = {
        "div",    "tr",     "dd",     "dt",       "section",    "article",
        "header", "footer", "nav",    "aside",    "address",    "form",
        "figure", "main",   "center", "fieldset", "caption",    "tbody",
        "thead",  "tfoot",  "body",   "html",     "figcaption", NULL,
};

static void mime_html_tag(struct mime_html *h, const char *name, bool close,
                          const char *attrs, size_t alen)
{
	char *alt;

	if (strcmp(name, "pre") == 0)
		h->pre += close ? (h->pre > 0 ? -1 : 0) : 1;
	if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0)
		h->lists += close ? (h->lists > 0 ? -1 : 0) : 1;
	if (strcmp(name, "br") == 0) {
		buf_addch(h->out, '\n');
		h->newlines++;
		h->space = false;
	} else if (mime_html_in(name, mime_html_para)) {
		mime_html_break(h, (strcmp(name, "ul") == 0 ||
		                    strcmp(name, "ol") == 0) &&
		                                   h->lists > (close ? 0 : 1)
		                           ? 1
		                           : 2);
		h->row_cell = false;
	} else if (mime_html_in(name, mime_html_block)) {
		mime_html_break(h, 1);
		h->row_cell = false;
	} else if (strcmp(name, "li") == 0 && !close) {
		int i;

		mime_html_break(h, 1);
		for (i = 1; i < h->lists; i++)
			mime_html_text(h, "  ", 2);
		mime_html_text(h, "- ", 2);
		h->space = false;
	} else if ((strcmp(name, "td") == 0 || strcmp(name, "th") == 0) &&
	           !close) {
		h->space = h->row_cell;
		h->row_cell = true;
	} else if (strcmp(name, "a") == 0 && close && h->href != NULL) {
		mime_html_link_end(h);
		free(h->href);
		h->href = NULL;
	} else if (strcmp(name, "a") == 0 && !close) {
		free(h->href);
		h->href = mime_html_attr(attrs, alen, "href");
		if (h->href != NULL && h->space && h->out->len > h->start)
			mime_html_text(h, "", 0);
		h->link_start = h->out->len;
	} else if (strcmp(name, "img") == 0 &&
	           (alt = mime_html_attr(attrs, alen, "alt")) != NULL) {
		if (alt[0] != '\0')
			mime_html_text(h, alt, strlen(alt));
		free(alt);
	}
}

/* Elements whose content is not text. */
static const char *const mime_html_skip[] = {
        "script", "style", "head", "title", "template", NULL,
};

/* Offset just past "</name...>" at or after i, or len. */
static size_t mime_html_skip_to_end(const char *s, size_t len, size_t i,
                                    const char *name)
{
	size_t nl = strlen(name);
	const char *p, *gt;

	while (i < len && (p = memchr(s + i, '<', len - i)) != NULL) {
		i = (size_t)(p - s) + 1;
		if (i + 1 + nl <= len && s[i] == '/' &&
		    strncasecmp(s + i + 1, name, nl) == 0) {
			gt = memchr(s + i, '>', len - i);
			return gt != NULL ? (size_t)(gt - s) + 1 : len;
		}
	}
	return len;
}

/* Handle markup at s[i] == '<'. Returns the offset after it, or i when
 * the '<' is literal text. */
static size_t mime_html_markup(struct mime_html *h, const char *s, size_t len,
                               size_t i)
{
	char name[MIME_HTML_MAX_NAME + 1];
	size_t j = i + 1, n = 0;
	const char *gt, *end;
	bool close = j < len && s[j] == '/';

	if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
		end = memmem(s + i + 4, len - i - 4, "-->", 3);
		return end != NULL ? (size_t)(end - s) + 3 : len;
	}
	j += close;
	if (j < len && (s[j] == '!' || s[j] == '?') && !close) {
		gt = memchr(s + j, '>', len - j);
		return gt != NULL ? (size_t)(gt - s) + 1 : len;
	}
	if (j >= len || !((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z'))
		return i;
	gt = memchr(s + j, '>', len - j);
	if (gt == NULL)
		return i;
	while (j < len && mime_html_alnum(s[j])) {
		if (n < MIME_HTML_MAX_NAME)
			name[n++] = (char)(s[j] | 0x20);
		j++;
	}
	name[n] = '\0';
	mime_html_tag(h, name, close, s + j, (size_t)(gt - s) - j);
	if (!close && mime_html_in(name, mime_html_skip))
		return mime_html_skip_to_end(s, len, (size_t)(gt - s) + 1,
		                             name);
	return (size_t)(gt - s) + 1;
}

void mime_html_to_text(const char *s, size_t len, struct buf *out)
{
	struct mime_html h;
	size_t i = 0, next, run;
	bool tags = true; /* false once a '<' had no '>' after it */

	memset(&h, 0, sizeof(h));
	h.out = out;
	h.start = out->len;
	while (i < len) {
		if (s[i] == '<' && tags) {
			next = mime_html_markup(&h, s, len, i);
			if (next != i) {
				i = next;
				continue;
			}
			tags = memchr(s + i, '>', len - i) != NULL;
		}
		if (s[i] == '&') {
			struct buf e = BUF_INIT;

			next = mime_html_entity(s + i, len - i, &e);
			if (next > 0)
				mime_html_text(&h, e.data, e.len);
			buf_free(&e);
			if (next > 0) {
				i += next;
				continue;
			}
		}
		if (strchr(" \t\r\n\f", s[i]) != NULL && s[i] != '\0') {
			mime_html_white(&h, s[i++]);
			continue;
		}
		for (run = 1;
		     i + run < len && strchr("<& \t\r\n\f", s[i + run]) == NULL;
		     run++)
			;
		mime_html_text(&h, s + i, run);
		i += run;
	}
	free(h.href);
	while (out->len > h.start &&
	       strchr(" \n", out->data[out->len - 1]) != NULL)
		out->len--;
	if (out->len > h.start)
		buf_addch(out, '\n');
	else if (out->data != NULL)
		out->data[out->len] = '\0';
}
