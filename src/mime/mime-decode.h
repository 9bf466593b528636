/* mime-decode.h: content transfer decoding (RFC 2045 6.7, 6.8) and
 * format=flowed unwrapping (RFC 3676).
 *
 * The decoders are tolerant: they never fail, never read past len, and
 * make the most of damaged input. They append to out and keep no state. */
#ifndef PETREL_MIME_DECODE_H
#define PETREL_MIME_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Base64: characters outside the alphabet (white space, garbage) are
 * skipped; '=' ends a 4-character group early, so concatenated encodings
 * and missing or extra padding decode as well as they can. */
void mime_base64_decode(const char *in, size_t len, struct buf *out);
/* Quoted-printable: =XX (either case), soft line breaks ("=" before the
 * line break, trailing white space allowed), white space at the end of a
 * line removed (transport padding, RFC 2045 6.7 rule 3); a malformed escape
 * is kept literally. Line breaks are kept as they are. */
void mime_qp_decode(const char *in, size_t len, struct buf *out);
/* RFC 3676 format=flowed: join flowed lines (ending in a space) with the
 * next line of the same quote depth, undo space-stuffing, and with delsp
 * remove the trailing space of flowed lines. Input and output are UTF-8
 * (or any ASCII-compatible text) with LF or CRLF line breaks; output lines
 * end in LF, quoted lines start with one '>' per level and a space. */
void mime_flowed_decode(const char *in, size_t len, bool delsp,
                        struct buf *out);

#endif
