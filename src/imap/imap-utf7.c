/* imap-utf7.c: modified UTF-7 (RFC 3501 §5.1.3): "&" starts a run of
 * modified base64 (',' for '/', no padding) over UTF-16BE, "-" ends it,
 * "&-" is a literal "&". */
#include "imap/imap-utf7.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/i18n.h"

static const char imap_utf7_b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int imap_utf7_value(char c)
{
	const char *p = c != '\0' ? strchr(imap_utf7_b64, c) : NULL;

	return p != NULL ? (int)(p - imap_utf7_b64) : -1;
}

static void imap_utf7_put_utf8(struct buf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(out, b, n);
}

/* Decode the base64 run in[0..len) (between '&' and '-'). */
static int imap_utf7_run(const char *in, size_t len, struct buf *out)
{
	uint32_t bits = 0, hi = 0;
	unsigned nbits = 0;
	size_t i;

	if (len == 0)
		return -1; /* "&-" is handled by the caller */
	for (i = 0; i < len; i++) {
		int v = imap_utf7_value(in[i]);
		uint32_t u;

		if (v < 0)
			return -1;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		u = (bits >> nbits) & 0xffff;
		if (hi != 0) {
			if (u < 0xdc00 || u > 0xdfff)
				return -1;
			imap_utf7_put_utf8(out, 0x10000 +
			                                ((hi - 0xd800) << 10) +
			                                (u - 0xdc00));
			hi = 0;
		} else if (u >= 0xd800 && u <= 0xdbff) {
			hi = u;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			return -1;
		} else {
			imap_utf7_put_utf8(out, u);
		}
	}
	/* Leftover bits must be padding zeros, shorter than one unit. */
	if (hi != 0 || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return -1;
	return 0;
}

int imap_utf7_decode(const char *in, size_t len, struct buf *out,
                     struct pt_error *err)
{
	size_t i = 0, start = out->len;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		const char *dash;

		if (c < 0x20 || c > 0x7e)
			goto bad;
		if (c != '&') {
			buf_addch(out, (char)c);
			i++;
			continue;
		}
		dash = memchr(in + i + 1, '-', len - i - 1);
		if (dash == NULL)
			goto bad;
		if (dash == in + i + 1)
			buf_addch(out, '&');
		else if (imap_utf7_run(in + i + 1, (size_t)(dash - in - i - 1),
		                       out) < 0)
			goto bad;
		i = (size_t)(dash - in) + 1;
	}
	return 0;
bad:
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return pt_error_set(err, PT_E_PROTO,
	                    _("mailbox name is not valid modified UTF-7 "
	                      "(byte %zu)"),
	                    i);
}

/* Next code point of UTF-8 s[*i..len); -1 if invalid. */
static int32_t imap_utf7_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	size_t n, k;
	uint32_t cp, min;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (len - *i <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += n + 1;
	return (int32_t)cp;
}

static void imap_utf7_flush(struct buf *out, uint32_t *bits, unsigned *nbits)
{
	while (*nbits >= 6) {
		*nbits -= 6;
		buf_addch(out, imap_utf7_b64[(*bits >> *nbits) & 0x3f]);
	}
}

int imap_utf7_encode(const char *in, size_t len, struct buf *out,
                     struct pt_error *err)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, start = out->len;
	uint32_t bits = 0;
	unsigned nbits = 0;
	bool run = false;

	while (i < len) {
		int32_t cp = imap_utf7_next(s, len, &i);

		if (cp <= 0) {
			out->len = start;
			if (out->data != NULL)
				out->data[start] = '\0';
			return pt_error_set(
			        err, PT_E_DATA,
			        _("mailbox name is not valid UTF-8"));
		}
		if (cp >= 0x20 && cp <= 0x7e) {
			if (run) {
				if (nbits > 0)
					buf_addch(
					        out,
					        imap_utf7_b64[(bits
					                       << (6 - nbits)) &
					                      0x3f]);
				buf_addch(out, '-');
				run = false;
				nbits = 0;
			}
			buf_addstr(out,
			           cp == '&' ? "&-" : (char[]){(char)cp, 0});
			continue;
		}
		if (!run) {
			buf_addch(out, '&');
			run = true;
			bits = nbits = 0;
		}
		if (cp >= 0x10000) {
			uint32_t v = (uint32_t)cp - 0x10000;

			bits = (bits << 16) | (0xd800 + (v >> 10));
			nbits += 16;
			imap_utf7_flush(out, &bits, &nbits);
			cp = (int32_t)(0xdc00 + (v & 0x3ff));
		}
		bits = (bits << 16) | (uint32_t)cp;
		nbits += 16;
		imap_utf7_flush(out, &bits, &nbits);
	}
	if (run) {
		if (nbits > 0)
			buf_addch(out,
			          imap_utf7_b64[(bits << (6 - nbits)) & 0x3f]);
		buf_addch(out, '-');
	}
	return 0;
}
