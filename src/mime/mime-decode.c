/* mime-decode.c: base64, quoted-printable and format=flowed decoding. */
#include "mime/mime-decode.h"

#include <string.h>

static int mime_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-') /* '-': the URL-safe alphabet */
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Emit the complete bytes of a partial group of n characters. */
static void mime_b64_flush(unsigned long acc, int n, struct buf *out)
{
	char b[3];

	if (n < 2)
		return;
	acc <<= 6 * (4 - n);
	b[0] = (char)(acc >> 16);
	b[1] = (char)(acc >> 8);
	b[2] = (char)acc;
	buf_add(out, b, (size_t)n - 1);
}

void mime_base64_decode(const char *in, size_t len, struct buf *out)
{
	unsigned long acc = 0;
	int n = 0, v;
	size_t i;

	buf_reserve(out, len / 4 * 3 + 3);
	out->data[out->len] = '\0'; /* buf_reserve does not terminate */
	for (i = 0; i < len; i++) {
		if (in[i] == '=') {
			mime_b64_flush(acc, n, out);
			acc = 0, n = 0;
			continue;
		}
		v = mime_b64_value((unsigned char)in[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned long)v;
		if (++n == 4) {
			mime_b64_flush(acc, 4, out);
			acc = 0, n = 0;
		}
	}
	mime_b64_flush(acc, n, out);
}

static int mime_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode one line (its break and trailing white space removed). */
static void mime_qp_line(const char *in, size_t len, struct buf *out)
{
	size_t i = 0;
	int hi, lo;

	while (i < len) {
		hi = lo = -1;
		if (in[i] == '=' && i + 2 < len) {
			hi = mime_hex_value(in[i + 1]);
			lo = mime_hex_value(in[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			buf_addch(out, (char)(hi << 4 | lo));
			i += 3;
		} else {
			buf_addch(out, in[i++]);
		}
	}
}

void mime_qp_decode(const char *in, size_t len, struct buf *out)
{
	size_t pos = 0, eol, clen;
	const char *nl;
	bool cr, soft;

	buf_reserve(out, len);
	out->data[out->len] = '\0'; /* buf_reserve does not terminate */
	while (pos < len) {
		nl = memchr(in + pos, '\n', len - pos);
		eol = nl != NULL ? (size_t)(nl - in) : len;
		clen = eol - pos;
		cr = clen > 0 && in[eol - 1] == '\r';
		if (cr)
			clen--;
		while (clen > 0 && (in[pos + clen - 1] == ' ' ||
		                    in[pos + clen - 1] == '\t'))
			clen--;
		/* "=" at the end of a line is a soft line break (6.7 rule 5) */
		soft = clen > 0 && in[pos + clen - 1] == '=';
		mime_qp_line(in + pos, soft ? clen - 1 : clen, out);
		if (nl == NULL)
			break;
		if (!soft)
			buf_addstr(out, cr ? "\r\n" : "\n");
		pos = eol + 1;
	}
}

static void mime_flowed_emit(struct buf *para, int depth, struct buf *out)
{
	int i;

	for (i = 0; i < depth; i++)
		buf_addch(out, '>');
	if (depth > 0 && para->len > 0)
		buf_addch(out, ' ');
	buf_add(out, para->data, para->len);
	buf_addch(out, '\n');
	buf_reset(para);
}

void mime_flowed_decode(const char *in, size_t len, bool delsp, struct buf *out)
{
	struct buf para = BUF_INIT;
	size_t pos = 0, eol, n;
	const char *nl, *s;
	int depth, para_depth = -1;
	bool flowed;

	while (pos < len) {
		nl = memchr(in + pos, '\n', len - pos);
		eol = nl != NULL ? (size_t)(nl - in) : len;
		s = in + pos;
		n = eol - pos;
		pos = nl != NULL ? eol + 1 : len;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		for (depth = 0; n > 0 && *s == '>'; depth++)
			s++, n--;
		if (n > 0 && *s == ' ') /* space-stuffing (4.4) */
			s++, n--;
		/* the signature separator "-- " is never flowed (4.3) */
		flowed = n > 0 && s[n - 1] == ' ' &&
		         !(n == 3 && memcmp(s, "-- ", 3) == 0);
		/* a change of quote depth ends a paragraph (4.5) */
		if (para_depth >= 0 && depth != para_depth)
			mime_flowed_emit(&para, para_depth, out);
		para_depth = depth;
		buf_add(&para, s, flowed && delsp ? n - 1 : n);
		if (!flowed) {
			mime_flowed_emit(&para, depth, out);
			para_depth = -1;
		}
	}
	if (para_depth >= 0)
		mime_flowed_emit(&para, para_depth, out);
	buf_free(&para);
}
