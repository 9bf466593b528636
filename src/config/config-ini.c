/* config-ini.c: the line layer of the configuration file. It cuts the
 * file into lines, refuses what is not UTF-8 text, strips comments and
 * splits "[section]" and "key = value" lines, handling double quotes. It
 * knows nothing of keys or sections: config.c gives them meaning. */
#include "config/config-private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

int config_error_at(struct pt_error *err, const char *file, unsigned line,
                    const char *fmt, ...)
{
	char problem[sizeof err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof problem, fmt, ap);
	va_end(ap);
	if (line == 0)
		return pt_error_set(err, PT_E_CONFIG, "%s: %s", file, problem);
	return pt_error_set(err, PT_E_CONFIG, "%s:%u: %s", file, line, problem);
}

void config_ini_init(struct config_ini *ini, const char *file, const char *data,
                     size_t len)
{
	memset(ini, 0, sizeof *ini);
	ini->file = file;
	ini->data = data;
	ini->len = len;
}

static bool ini_space(char c)
{
	return c == ' ' || c == '\t';
}

static void ini_trim(const char **s, size_t *len)
{
	while (*len > 0 && ini_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ini_space((*s)[*len - 1]))
		(*len)--;
}

/* The length of the UTF-8 sequence at s, or 0 if it is invalid (overlong
 * forms, surrogates and code points past U+10FFFF included). */
static size_t ini_utf8_len(const unsigned char *s, size_t len)
{
	unsigned cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Text is UTF-8 without control characters other than TAB: values end up
 * in messages and on the terminal. */
static int ini_check_text(const struct config_ini *ini, const char *s,
                          size_t len, struct pt_error *err)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] == 0)
			return config_error_at(err, ini->file, ini->line,
			                       _("NUL byte: the file must be "
			                         "UTF-8 text"));
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			return config_error_at(err, ini->file, ini->line,
			                       _("control character 0x%02x"),
			                       u[i]);
		n = ini_utf8_len(u + i, len - i);
		if (n == 0)
			return config_error_at(err, ini->file, ini->line,
			                       _("not valid UTF-8 text"));
		i += n;
	}
	return 0;
}

/* The next physical line, without its LF or CRLF. Returns 1, or 0 at the
 * end of the data, or -1. */
static int ini_take_line(struct config_ini *ini, const char **s_r,
                         size_t *len_r, struct pt_error *err)
{
	const char *s = ini->data + ini->pos, *nl;
	size_t avail = ini->len - ini->pos, len;

	if (avail == 0)
		return 0;
	ini->line++;
	nl = memchr(s, '\n', avail);
	len = nl != NULL ? (size_t)(nl - s) : avail;
	ini->pos += nl != NULL ? len + 1 : len;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > CONFIG_MAX_LINE)
		return config_error_at(err, ini->file, ini->line,
		                       _("line longer than %d bytes"),
		                       CONFIG_MAX_LINE);
	/* A byte order mark is not part of the first line. */
	if (ini->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (ini_check_text(ini, s, len, err) < 0)
		return -1;
	*s_r = s;
	*len_r = len;
	return 1;
}

/* The index of the quote closing the one at s[open], or len if there is
 * none. Inside quotes a backslash protects the next character. */
static size_t ini_quote_end(const char *s, size_t len, size_t open)
{
	size_t i;

	for (i = open + 1; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '"')
			return i;
	}
	return len;
}

/* Where the comment starts ('#' at the start or after white space,
 * outside quotes), or len. Returns -1 on an unterminated quote. */
static int ini_comment(const char *s, size_t len, size_t *end_r)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '"') {
			i = ini_quote_end(s, len, i);
			if (i == len)
				return -1;
		} else if (s[i] == '#' && (i == 0 || ini_space(s[i - 1]))) {
			break;
		}
	}
	*end_r = i;
	return 0;
}

/* The first '=' outside quotes, or len. */
static size_t ini_equals(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != '='; i++) {
		if (s[i] == '"')
			i = ini_quote_end(s, len, i);
	}
	return i;
}

/* Whether s is one quoted string: a quote at each end, the same pair. */
static bool ini_quoted(const char *s, size_t len)
{
	return len >= 2 && s[0] == '"' && ini_quote_end(s, len, 0) == len - 1;
}

/* A copy of s without its quotes; \" and \\ are escapes, and any other
 * backslash is kept, as in a shell's double quotes. Written into a buffer
 * of its final size so no stray copy of a password is left behind. */
static char *ini_unquote(const char *s, size_t len)
{
	char *out = xmalloc(len), *o = out;
	size_t i;

	for (i = 1; i + 1 < len; i++) {
		if (s[i] == '\\' && i + 2 < len &&
		    (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static char *ini_value(const char *s, size_t len)
{
	return ini_quoted(s, len) ? ini_unquote(s, len) : xstrndup(s, len);
}

static int ini_section(struct config_ini *ini, const char *s, size_t len,
                       struct config_ini_line *out, struct pt_error *err)
{
	const char *in;
	size_t n, w = 0;

	if (len < 2 || s[len - 1] != ']')
		return config_error_at(err, ini->file, ini->line,
		                       _("malformed section header (expected "
		                         "[account NAME], [bind] or [color])"));
	in = s + 1;
	n = len - 2;
	ini_trim(&in, &n);
	while (w < n && !ini_space(in[w]))
		w++;
	if (w == 0)
		return config_error_at(err, ini->file, ini->line,
		                       _("empty section header"));
	out->kind = CONFIG_INI_SECTION;
	out->type = xstrndup(in, w);
	in += w;
	n -= w;
	ini_trim(&in, &n);
	out->name = n > 0 ? xstrndup(in, n) : NULL;
	return 1;
}

static int ini_pair(struct config_ini *ini, const char *s, size_t len,
                    struct config_ini_line *out, struct pt_error *err)
{
	size_t eq = ini_equals(s, len), klen = eq, vlen;
	const char *k = s, *v;

	if (eq == len)
		return config_error_at(err, ini->file, ini->line,
		                       _("expected 'key = value' or a "
		                         "[section] header"));
	ini_trim(&k, &klen);
	if (klen == 0)
		return config_error_at(err, ini->file, ini->line,
		                       _("no key before '='"));
	v = s + eq + 1;
	vlen = len - eq - 1;
	ini_trim(&v, &vlen);
	out->kind = CONFIG_INI_PAIR;
	out->key = ini_value(k, klen);
	out->value = ini_value(v, vlen);
	out->raw = xstrndup(v, vlen);
	return 1;
}

int config_ini_next(struct config_ini *ini, struct config_ini_line *out,
                    struct pt_error *err)
{
	const char *s;
	size_t len;
	int rc;

	memset(out, 0, sizeof *out);
	while ((rc = ini_take_line(ini, &s, &len, err)) > 0) {
		out->line = ini->line;
		if (ini_comment(s, len, &len) < 0)
			return config_error_at(err, ini->file, ini->line,
			                       _("unterminated quote"));
		ini_trim(&s, &len);
		if (len == 0)
			continue;
		if (s[0] == '[')
			return ini_section(ini, s, len, out, err);
		return ini_pair(ini, s, len, out, err);
	}
	return rc;
}

static void ini_wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void config_ini_line_clear(struct config_ini_line *l)
{
	free(l->type);
	free(l->name);
	free(l->key);
	ini_wipe_free(l->value);
	ini_wipe_free(l->raw);
	memset(l, 0, sizeof *l);
}

void config_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* One word of a list at raw[*pos]: a quoted string, or a run of
 * characters other than white space and quotes. */
static char *ini_word(const char *raw, size_t len, size_t *pos,
                      const struct config_where *w, struct pt_error *err)
{
	size_t start = *pos, end;

	if (raw[start] == '"') {
		end = ini_quote_end(raw, len, start);
		if (end == len || (end + 1 < len && !ini_space(raw[end + 1]))) {
			config_error_at(err, w->file, w->line,
			                _("a quoted word must end with its "
			                  "quote"));
			return NULL;
		}
		*pos = end + 1;
		return ini_unquote(raw + start, end + 1 - start);
	}
	for (end = start; end < len && !ini_space(raw[end]); end++) {
		if (raw[end] == '"') {
			config_error_at(
			        err, w->file, w->line,
			        _("quote inside a word (quote the whole "
			          "word)"));
			return NULL;
		}
	}
	*pos = end;
	return xstrndup(raw + start, end - start);
}

char **config_ini_split(const char *raw, size_t *n_r,
                        const struct config_where *w, struct pt_error *err)
{
	size_t len = strlen(raw), pos = 0, n = 0;
	char **v = xcalloc(1, sizeof *v);
	char *word;

	for (;;) {
		while (pos < len && ini_space(raw[pos]))
			pos++;
		if (pos == len)
			break;
		word = ini_word(raw, len, &pos, w, err);
		if (word == NULL || word[0] == '\0') {
			if (word != NULL)
				config_error_at(err, w->file, w->line,
				                _("empty word in a list"));
			free(word);
			config_strv_free(v);
			return NULL;
		}
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = word;
		v[n] = NULL;
	}
	*n_r = n;
	return v;
}
