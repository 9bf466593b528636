/* mime-2047.h: decoding RFC 2047 encoded words in header text.
 *
 * Tolerates the breakage found in real mail: encoded words glued to
 * surrounding text or to each other, encoded words inside quoted strings
 * (the caller unquotes first), a multibyte character split across adjacent
 * words of one charset (bytes are joined before conversion), lowercase
 * q/b, bad base64 padding, RFC 2231 language suffixes (=?utf-8*en?Q?..?=)
 * and unknown charsets (charset.h rules). Text outside encoded words is
 * raw: UTF-8 when valid, else windows-1252.
 *
 * Output is UTF-8 but not sanitized (common/text.h). Reentrant. */
#ifndef PETREL_MIME_2047_H
#define PETREL_MIME_2047_H

#include <stddef.h>

#include "common/buf.h"

/* Decode an unfolded header value (unstructured text or a phrase) and
 * append it to out. White space between two adjacent encoded words is
 * dropped (RFC 2047 section 6.2); all other text is kept as it is. */
void mime_2047_decode(const char *in, size_t len, struct buf *out);
/* Same for a C string; returns a new string (caller frees). */
char *mime_2047_decode_str(const char *in);

#endif
