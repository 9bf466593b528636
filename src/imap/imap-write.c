/* imap-write.c: atom / quoted / literal string generation for commands. */
#include "imap/imap-write.h"

#include <string.h>
#include <strings.h>

/* ASTRING-CHAR = ATOM-CHAR / "]" (RFC 3501 §9): no CTL, SP, 8-bit,
 * "(", ")", "{", "%", "*", '"' or "\". */
static bool imap_write_astring_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("(){%*\"\\", c) == NULL;
}

static bool imap_write_is_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (len == 3 && strncasecmp(s, "NIL", 3) == 0))
		return false;
	for (i = 0; i < len; i++) {
		if (!imap_write_astring_char((unsigned char)s[i]))
			return false;
	}
	return true;
}

static bool imap_write_quotable(const char *s, size_t len, unsigned flags)
{
	size_t i;

	if (len > IMAP_WRITE_QUOTED_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c == '\r' || c == '\n')
			return false;
		if (c >= 0x80 && !(flags & IMAP_WRITE_UTF8))
			return false;
	}
	return true;
}

bool imap_write_quoted(struct buf *b, const char *s, size_t len)
{
	size_t i;

	if (memchr(s, '\0', len) || memchr(s, '\r', len) ||
	    memchr(s, '\n', len))
		return false;
	buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addch(b, '\\');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
	return true;
}

bool imap_write_astring_ex(struct buf *b, const char *s, size_t len,
                           unsigned flags)
{
	if (imap_write_is_atom(s, len)) {
		buf_add(b, s, len);
		return false;
	}
	if (imap_write_quotable(s, len, flags)) {
		imap_write_quoted(b, s, len);
		return false;
	}
	buf_printf(b, "{%zu%s}\r\n", len,
	           (flags & IMAP_WRITE_LITERAL_PLUS) ? "+" : "");
	buf_add(b, s, len);
	return true;
}

void imap_write_astring(struct buf *b, const char *s)
{
	imap_write_astring_ex(b, s, strlen(s), 0);
}
