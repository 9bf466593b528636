/* text.h: terminal safety and UTF-8 helpers.
 *
 * Every string that comes from a server or a message passes through
 * text_sanitize() before it is printed or drawn: the result is valid UTF-8
 * without anything a terminal would interpret (INTERFACE.md, "Text safety
 * and charsets").
 *
 * All functions are reentrant and keep no state. text_width() and
 * text_truncate() use wcwidth(3), so they need LC_CTYPE set to a UTF-8
 * locale (setlocale(LC_ALL, "") in main, "C.UTF-8" in tests); in the "C"
 * locale every non-ASCII character counts as one column. */
#ifndef PETREL_TEXT_H
#define PETREL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define TEXT_REPLACEMENT 0xFFFDu

/* text_sanitize() flags. */
/* TAB and LF become a space (one-line fields without collapsing). */
#define TEXT_NOTABLF 0x1u
/* Each run of white space or control characters becomes one space, and
 * both ends are trimmed (FROM/SUBJECT in INTERFACE.md). Implies
 * TEXT_NOTABLF. */
#define TEXT_ONELINE 0x2u

/* Decode one UTF-8 sequence at s (len > 0 bytes available). Stores the
 * code point in *cp_r and returns the number of bytes used (>= 1). An
 * invalid, overlong, surrogate or truncated sequence yields
 * TEXT_REPLACEMENT and consumes one byte. */
size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp_r);
/* Append the UTF-8 encoding of cp (invalid code points: U+FFFD). */
void text_utf8_encode(uint32_t cp, struct buf *out);
/* True if the len bytes at s are valid UTF-8. */
bool text_utf8_valid(const char *s, size_t len);

/* Append a terminal-safe copy of in[0..len) to out: invalid bytes become
 * U+FFFD; CR LF and a lone CR become LF; other C0 controls, DEL, C1
 * controls (U+0080-U+009F, which includes 8-bit CSI) and ESC are dropped;
 * bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) are
 * removed; U+2028/U+2029 become LF. flags: TEXT_NOTABLF, TEXT_ONELINE
 * (where dropped controls count as white space). */
void text_sanitize(const char *in, size_t len, struct buf *out, unsigned flags);
/* Convenience: a newly allocated sanitized copy of a C string (the caller
 * frees it). */
char *text_sanitize_str(const char *in, unsigned flags);

/* Display width in terminal columns of a UTF-8 string: wide (East Asian)
 * characters count 2, combining and zero-width characters 0. Invalid bytes
 * count as one column (they are drawn as U+FFFD). */
int text_width(const char *utf8);
/* Append to out the longest prefix of utf8 that fits in cols columns,
 * never splitting a character or a base character from its combining
 * marks. Returns the width of what was appended. */
int text_truncate(const char *utf8, int cols, struct buf *out);

#endif
