/* mime-header.h: splitting a header block into fields (RFC 5322 section
 * 2.2, with the obsolete syntax of section 4.5 tolerated).
 *
 * Fields borrow the block they were parsed from: the raw text must outlive
 * the struct mime_headers. Values are kept folded and are unfolded on
 * request. Not thread-safe per object; no global state. */
#ifndef PETREL_MIME_HEADER_H
#define PETREL_MIME_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Fields past this many in one block are ignored (real mail has a few
 * dozen; this keeps memory proportional to what is useful). */
#define MIME_MAX_FIELDS 10000

struct mime_header_field {
	const char *name; /* not NUL-terminated */
	size_t name_len;
	const char *value; /* raw, folded, without the final line break */
	size_t value_len;
};

struct mime_headers {
	struct mime_header_field *fields;
	size_t count;
	size_t cap;
};

#define MIME_HEADERS_INIT  \
	{                  \
		NULL, 0, 0 \
	}

/* Parse the header block at the start of raw[0..len). Lines end in CRLF or
 * LF. A leading mbox "From " line is skipped. The block ends at the first
 * empty line, or at the first line that is neither a field nor a
 * continuation (that line then starts the body). *body_off_r receives the
 * offset of the body (len when there is none). */
void mime_headers_parse(const char *raw, size_t len, struct mime_headers *h,
                        size_t *body_off_r);
/* The first field with this name (case-insensitive), or NULL. */
const struct mime_header_field *mime_headers_find(const struct mime_headers *h,
                                                  const char *name);
/* Append the unfolded value of the first field named name to out; returns
 * false (out untouched) when there is no such field. */
bool mime_headers_get(const struct mime_headers *h, const char *name,
                      struct buf *out);
/* The unfolded value as a new string (caller frees), or NULL. */
char *mime_headers_get_str(const struct mime_headers *h, const char *name);
/* Unfold a raw value: drop CR and LF, trim white space at both ends. */
void mime_header_unfold(const char *value, size_t len, struct buf *out);
/* Release the field array (the raw text is not touched). */
void mime_headers_clear(struct mime_headers *h);

#endif
