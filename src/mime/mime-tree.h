/* mime-tree.h: parsing a whole message into its MIME parts (RFC 2045,
 * RFC 2046), with nested multiparts and message/rfc822.
 *
 * Limits (INTERFACE.md): MIME_MAX_MESSAGE bytes, MIME_MAX_PARTS parts,
 * MIME_MAX_DEPTH levels of nesting; past one, mime_parse() fails with a
 * PT_E_MSG error that says which. Parsing is linear in the message size
 * times the nesting depth.
 *
 * Tolerated: a missing final boundary (the last part runs to the end of
 * its parent), missing or malformed Content-Type (text/plain), unknown
 * transfer encodings (taken as binary), a multipart without boundary or
 * without any delimiter line (shown as text/plain), base64 or
 * quoted-printable encoded message/rfc822 parts.
 *
 * Ownership: struct mime_message owns a copy of the raw message and every
 * part; parts and their bodies stay valid until mime_message_free(). The
 * functions are reentrant; one message must not be used by two threads at
 * once. */
#ifndef PETREL_MIME_TREE_H
#define PETREL_MIME_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/error.h"
#include "mime/mime-header.h"
#include "mime/mime-param.h"

#define MIME_MAX_MESSAGE (50u * 1024u * 1024u)
#define MIME_MAX_PARTS 10000
#define MIME_MAX_DEPTH 100

enum mime_cte {
	MIME_CTE_7BIT,
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_OTHER, /* unknown: passed through as binary */
};

struct mime_part {
	char *type;    /* lower case, e.g. "text"; never NULL */
	char *subtype; /* lower case, e.g. "plain"; never NULL */
	struct mime_param_list params; /* Content-Type parameters */
	char *disposition;             /* lower case, NULL when absent */
	struct mime_param_list disp_params;
	enum mime_cte cte;
	/* Header fields, kept only for message roots (the top level and the
	 * content of message/rfc822 parts); empty for other parts. */
	struct mime_headers headers;
	const char *body; /* still transfer-encoded; not NUL-terminated */
	size_t body_len;
	struct mime_part *parent;
	struct mime_part *children; /* first child */
	struct mime_part *next;     /* next sibling */
	unsigned depth;             /* 0 for the top level */
	unsigned id;                /* 1-based, in document order */
	struct buf owned;           /* storage for a decoded message/rfc822 */
};

struct mime_message {
	char *raw;
	size_t len;
	struct mime_part *root;
	size_t nparts;
};

/* Parse raw[0..len) (copied). On success *msg_r is the new message; on
 * failure (a limit) -1 and err says why (PT_E_MSG). */
int mime_parse(const char *raw, size_t len, struct mime_message **msg_r,
               struct pt_error *err);
/* Free a message and set *msg to NULL (NULL is fine). */
void mime_message_free(struct mime_message **msg);

/* True if the part is type/subtype; subtype NULL matches any. */
bool mime_part_is(const struct mime_part *part, const char *type,
                  const char *subtype);
/* The file name: Content-Disposition filename, else Content-Type name,
 * else NULL. Decoded UTF-8, not sanitized. Borrowed from the part. */
const char *mime_part_filename(const struct mime_part *part);
/* Append the body with the transfer encoding undone. */
void mime_part_decode(const struct mime_part *part, struct buf *out);
/* Append the body as UTF-8 text: transfer-decoded, converted from its
 * charset (none: UTF-8 if valid, else windows-1252), and for text/plain
 * format=flowed unwrapped (RFC 3676). Not sanitized. */
void mime_part_text(const struct mime_part *part, struct buf *out);

#endif
