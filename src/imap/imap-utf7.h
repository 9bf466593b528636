/* imap-utf7.h: modified UTF-7 mailbox names (RFC 3501 §5.1.3) to and
 * from UTF-8.
 *
 * Both functions append to out (a caller-owned struct buf) and leave
 * out unchanged on error. Pure functions, thread-safe. */
#ifndef PETREL_IMAP_UTF7_H
#define PETREL_IMAP_UTF7_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stddef.h>

#include "common/buf.h"
#include "common/error.h"

/* Decode in[0..len) (as sent by the server) to UTF-8. Rejects bytes
 * outside printable ASCII, unterminated or badly padded "&...-" runs,
 * and unpaired UTF-16 surrogates (PT_E_PROTO). */
int imap_utf7_decode(const char *in, size_t len, struct buf *out,
                     struct pt_error *err);
/* Encode UTF-8 in[0..len) for the wire. Rejects invalid UTF-8 and NUL
 * (PT_E_DATA). */
int imap_utf7_encode(const char *in, size_t len, struct buf *out,
                     struct pt_error *err);

#endif
