/* charset.h: converting message text from any charset label to UTF-8.
 *
 * Labels follow the WHATWG Encoding Standard mapping (INTERFACE.md):
 * ISO-8859-1, latin1 and US-ASCII decode as windows-1252, GB2312 and GBK as
 * GB18030, x-sjis and friends as Shift_JIS (windows-31J), and so on. Labels
 * are matched case-insensitively, ignoring white space, quotes, '-', '_'
 * and '.'. Conversion never stops at a bad byte: each invalid sequence
 * becomes U+FFFD and decoding goes on. An unknown label keeps ASCII bytes
 * and turns every other byte into U+FFFD.
 *
 * UTF-8 and windows-1252 are decoded here; everything else goes through
 * iconv(3) (glibc or GNU libiconv). iconv descriptors are cached in a small
 * mutex-protected table, so the functions are safe to call from several
 * threads. The output is valid UTF-8 but not sanitized (see text.h). */
#ifndef PETREL_CHARSET_H
#define PETREL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Append in[0..len), in the charset named by label, to out as UTF-8.
 * label may be NULL or empty: then the raw rule of charset_raw_to_utf8()
 * applies. Returns 0, or -1 when the label is unknown (the text is still
 * appended, with non-ASCII bytes as U+FFFD). */
int charset_to_utf8(const char *label, const char *in, size_t len,
                    struct buf *out);
/* Raw 8-bit bytes with no declared charset (headers, unlabelled bodies):
 * UTF-8 when the bytes are valid UTF-8, else windows-1252. */
void charset_raw_to_utf8(const char *in, size_t len, struct buf *out);
/* The canonical name petrel uses for a label ("UTF-8", "windows-1252",
 * "GB18030", ...), or NULL when the label is unknown. Static storage. */
const char *charset_canonical(const char *label);
/* Close the cached iconv descriptors (for leak checkers; optional). */
void charset_cache_clear(void);

#endif
