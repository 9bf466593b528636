/* imap-write.h: generators for strings in IMAP commands (RFC 3501 §4.3,
 * §9 astring/quoted/literal; RFC 7888 LITERAL+; RFC 7162 §4 line length).
 *
 * Each function appends to a caller-owned struct buf. Thread-safe. */
#ifndef PETREL_IMAP_WRITE_H
#define PETREL_IMAP_WRITE_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Longest string sent quoted; longer ones become literals so command
 * lines stay short (RFC 7162 §4, Q-76). */
#define IMAP_WRITE_QUOTED_MAX 1024

/* Flags for imap_write_astring_ex(). */
#define IMAP_WRITE_LITERAL_PLUS 1u /* "{n+}" (RFC 7888) instead of "{n}" */
#define IMAP_WRITE_UTF8 2u         /* 8-bit UTF-8 may be quoted (UTF8=ACCEPT) */

/* Append s as an astring: a bare atom when every byte is an ASTRING-CHAR
 * (and s is not empty or "NIL"), else a quoted string with \ and "
 * escaped, else (NUL, CR, LF, 8-bit, or longer than
 * IMAP_WRITE_QUOTED_MAX) a synchronizing literal "{n}\r\n" + data. */
void imap_write_astring(struct buf *b, const char *s);
/* The same for s[0..len) with flags. Returns true when a literal was
 * written: the literal header then ends len bytes before b->len, and a
 * synchronizing literal needs the server's "+" before its data. */
bool imap_write_astring_ex(struct buf *b, const char *s, size_t len,
                           unsigned flags);
/* Append s[0..len) as a quoted string; false (nothing appended) if it
 * holds NUL, CR or LF, which no quoted string can carry. */
bool imap_write_quoted(struct buf *b, const char *s, size_t len);

#endif
