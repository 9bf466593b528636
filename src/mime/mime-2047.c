/* mime-2047.c: RFC 2047 encoded-word decoding, lenient. */
#include "mime/mime-2047.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "mime/charset.h"
#include "mime/mime-decode.h"

/* Longest encoded word looked at: RFC 2047 allows 75 characters, some
 * mailers write longer ones; the bound keeps scanning linear. */
#define MIME_2047_MAX_WORD 4096
#define MIME_2047_MAX_CHARSET 64

struct mime_2047_word {
	char charset[MIME_2047_MAX_CHARSET + 1];
	char enc;         /* 'B' or 'Q' */
	const char *text; /* encoded text */
	size_t text_len;
	size_t len; /* of the whole word */
};

static bool mime_2047_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse "=?charset[*lang]?enc?text?=" at s. On failure, *skip_r says how
 * far no encoded word can start: when the text runs into white space or
 * the end without "?=", every "=?" before that point fails the same way,
 * which keeps the search linear. */
static bool mime_2047_parse(const char *s, size_t len, struct mime_2047_word *w,
                            size_t *skip_r)
{
	size_t max = len < MIME_2047_MAX_WORD ? len : MIME_2047_MAX_WORD;
	size_t i = 2, cs_len, j;

	*skip_r = 1;
	while (i < max && i < MIME_2047_MAX_CHARSET + 2 && s[i] != '?' &&
	       (unsigned char)s[i] > 32 && (unsigned char)s[i] < 127)
		i++;
	cs_len = i - 2;
	if (cs_len == 0 || i + 3 > max || s[i] != '?' || s[i + 2] != '?')
		return false;
	w->enc = (char)(s[i + 1] & ~0x20);
	if (w->enc != 'B' && w->enc != 'Q')
		return false;
	for (j = i + 3; j + 1 < max; j++) {
		if (s[j] == '?' && s[j + 1] == '=')
			break;
		if (mime_2047_is_space(s[j]))
			break;
	}
	if (j + 1 >= max || s[j] != '?') {
		*skip_r = j;
		return false;
	}
	memcpy(w->charset, s + 2, cs_len);
	w->charset[cs_len] = '\0';
	/* RFC 2231 section 5: charset*language */
	w->charset[strcspn(w->charset, "*")] = '\0';
	w->text = s + i + 3;
	w->text_len = j - (i + 3);
	w->len = j + 2;
	return true;
}

static int mime_2047_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c & ~0x20);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The Q encoding (4.2): '_' is a space, =XX a byte, a bad escape stays. */
static void mime_2047_q(const char *s, size_t len, struct buf *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '_') {
			buf_addch(out, ' ');
			continue;
		}
		if (s[i] == '=' && i + 2 < len) {
			hi = mime_2047_hex(s[i + 1]);
			lo = mime_2047_hex(s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				buf_addch(out, (char)(hi << 4 | lo));
				i += 2;
				continue;
			}
		}
		buf_addch(out, s[i]);
	}
}

/* The next encoded word at or after from, or NULL. */
static const char *mime_2047_next(const char *in, size_t len, size_t from,
                                  struct mime_2047_word *w)
{
	const char *p;
	size_t skip;

	while (from + 1 < len) {
		p = memmem(in + from, len - from, "=?", 2);
		if (p == NULL)
			return NULL;
		if (mime_2047_parse(p, len - (size_t)(p - in), w, &skip))
			return p;
		from = (size_t)(p - in) + skip;
	}
	return NULL;
}

static bool mime_2047_all_space(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!mime_2047_is_space(s[i]))
			return false;
	return true;
}

struct mime_2047_pending {
	struct buf bytes; /* decoded, not yet converted */
	char charset[MIME_2047_MAX_CHARSET + 1];
};

static void mime_2047_flush(struct mime_2047_pending *p, struct buf *out)
{
	if (p->bytes.len > 0)
		charset_to_utf8(p->charset, p->bytes.data, p->bytes.len, out);
	buf_reset(&p->bytes);
}

void mime_2047_decode(const char *in, size_t len, struct buf *out)
{
	struct mime_2047_pending pend = {BUF_INIT, ""};
	struct mime_2047_word w;
	size_t pos = 0, seg;
	const char *p;
	bool after_word = false;

	while (pos < len) {
		p = mime_2047_next(in, len, pos, &w);
		seg = (p != NULL ? (size_t)(p - in) : len) - pos;
		/* White space between two encoded words disappears (6.2). */
		if (seg > 0 && !(after_word && p != NULL &&
		                 mime_2047_all_space(in + pos, seg))) {
			mime_2047_flush(&pend, out);
			charset_raw_to_utf8(in + pos, seg, out);
		}
		if (p == NULL)
			break;
		if (strcasecmp(pend.charset, w.charset) != 0) {
			mime_2047_flush(&pend, out);
			memcpy(pend.charset, w.charset, sizeof(w.charset));
		}
		if (w.enc == 'B')
			mime_base64_decode(w.text, w.text_len, &pend.bytes);
		else
			mime_2047_q(w.text, w.text_len, &pend.bytes);
		after_word = true;
		pos = (size_t)(p - in) + w.len;
	}
	mime_2047_flush(&pend, out);
	buf_free(&pend.bytes);
}

char *mime_2047_decode_str(const char *in)
{
	struct buf b = BUF_INIT;

	mime_2047_decode(in, strlen(in), &b);
	return buf_detach(&b);
}
