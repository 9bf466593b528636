/* text.c: terminal safety (sanitizing) and UTF-8 helpers.
 *
 * A terminal acts on ESC sequences, 8-bit CSI (U+009B) and other control
 * characters, and bidi controls reorder what follows them on the line; a
 * message must be able to do none of that, so everything printed goes
 * through text_sanitize(). */
#include "common/text.h"

#include <string.h>
#include <wchar.h>

#include "common/xmalloc.h"

size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp_r)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp, min;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp_r = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2, cp = p[0] & 0x1F, min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3, cp = p[0] & 0x0F, min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4, cp = p[0] & 0x07, min = 0x10000;
	} else {
		*cp_r = TEXT_REPLACEMENT;
		return 1;
	}
	if (len < n)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*cp_r = cp;
	return n;
bad:
	*cp_r = TEXT_REPLACEMENT;
	return 1;
}

void text_utf8_encode(uint32_t cp, struct buf *out)
{
	char b[4];

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = TEXT_REPLACEMENT;
	if (cp < 0x80) {
		buf_addch(out, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, b, 4);
	}
}

bool text_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = text_utf8_decode(s + i, len - i, &cp);
		if (cp == TEXT_REPLACEMENT && n == 1)
			return false;
		i += n;
	}
	return true;
}

static bool text_is_bidi(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
	       cp == 0x061C;
}

static bool text_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/* What one input character becomes: a character to keep, white space (a
 * separator in one-line mode), or nothing. */
enum text_class { TEXT_KEEP, TEXT_SPACE, TEXT_DROP };

static enum text_class text_classify(uint32_t *cp, unsigned flags)
{
	bool oneline = (flags & TEXT_ONELINE) != 0;

	if (text_is_bidi(*cp))
		return TEXT_DROP;
	if (*cp == '\r' || *cp == 0x2028 || *cp == 0x2029)
		*cp = '\n';
	if (*cp == '\n' || *cp == '\t') {
		if (oneline)
			return TEXT_SPACE;
		if (flags & TEXT_NOTABLF)
			*cp = ' ';
		return TEXT_KEEP;
	}
	if (text_is_control(*cp))
		return oneline ? TEXT_SPACE : TEXT_DROP;
	if (*cp == ' ' && oneline)
		return TEXT_SPACE;
	return TEXT_KEEP;
}

void text_sanitize(const char *in, size_t len, struct buf *out, unsigned flags)
{
	size_t i = 0, n, start = out->len;
	bool pending_space = false;
	uint32_t cp;

	buf_reserve(out, len);
	out->data[out->len] = '\0'; /* buf_reserve does not terminate */
	while (i < len) {
		n = text_utf8_decode(in + i, len - i, &cp);
		/* CR LF is one line break. */
		if (cp == '\r' && i + 1 < len && in[i + 1] == '\n') {
			i++;
			continue;
		}
		i += n;
		switch (text_classify(&cp, flags)) {
		case TEXT_DROP:
			continue;
		case TEXT_SPACE:
			pending_space = out->len > start;
			continue;
		case TEXT_KEEP:
			break;
		}
		if (pending_space)
			buf_addch(out, ' ');
		pending_space = false;
		text_utf8_encode(cp, out);
	}
}

char *text_sanitize_str(const char *in, unsigned flags)
{
	struct buf b = BUF_INIT;

	text_sanitize(in, strlen(in), &b, flags);
	return buf_detach(&b);
}

static int text_cp_width(uint32_t cp)
{
	int w;

	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7F ? 1 : 0;
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w;
	return text_is_control(cp) ? 0 : 1;
}

int text_width(const char *utf8)
{
	size_t len = strlen(utf8), i = 0;
	uint32_t cp;
	int w = 0;

	while (i < len) {
		i += text_utf8_decode(utf8 + i, len - i, &cp);
		w += text_cp_width(cp);
	}
	return w;
}

int text_truncate(const char *utf8, int cols, struct buf *out)
{
	size_t len = strlen(utf8), i = 0, n;
	uint32_t cp;
	int used = 0, w;

	while (i < len) {
		n = text_utf8_decode(utf8 + i, len - i, &cp);
		w = text_cp_width(cp);
		/* A zero-width character stays with the base before it, and
		 * goes when that base did not fit (we stop there). */
		if (used + w > cols)
			break;
		if (cp == TEXT_REPLACEMENT)
			text_utf8_encode(cp, out);
		else
			buf_add(out, utf8 + i, n);
		used += w;
		i += n;
	}
	return used;
}
