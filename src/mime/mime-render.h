/* mime-render.h: what `show` prints, the text `search` indexes, and the
 * one-line header forms `ls` prints (INTERFACE.md).
 *
 * The rendered form of a message is:
 *
 *     Date: 2024-03-01T09:15:00Z
 *     From: Name <addr>
 *     To: Name <addr>, addr
 *     Cc: addr                      (only when there is a Cc)
 *     Subject: decoded subject
 *                                   (blank line)
 *     body text...
 *                                   (blank line, if there is a body and
 *     [1] NAME (TYPE, SIZE)          there are attachments)
 *
 * Date is the Date header in UTC; when it is missing or invalid the line
 * shows the (sanitized) raw value, and the caller may put INTERNALDATE in
 * struct mime_rendered's date field and format again. SIZE is the decoded
 * size as "N bytes" ("1 byte"). NAME is the attachment's decoded file name,
 * or "part-N" (N: its number in the list) when it has none.
 *
 * Body choice: text/plain is preferred in multipart/alternative; HTML is
 * converted to text (built-in converter, or an external hook); every other
 * leaf that is not body text is an attachment, message/rfc822 included
 * (its own parts are not listed). Everything in the output has been
 * through text_sanitize(): no control characters but TAB and LF.
 *
 * Ownership: struct mime_rendered owns all its strings and the parsed
 * message its attachments point into; release it with mime_rendered_free().
 * Reentrant. */
#ifndef PETREL_MIME_RENDER_H
#define PETREL_MIME_RENDER_H

#include <stddef.h>
#include <time.h>

#include "common/buf.h"
#include "common/error.h"
#include "mime/mime-tree.h"

struct mime_attachment {
	const struct mime_part *part; /* borrowed from mime_rendered.msg */
	unsigned number;              /* 1-based, as printed */
	char *name;                   /* sanitized display name */
	char *type;                   /* "type/subtype" */
	size_t size;                  /* decoded size in bytes */
};

struct mime_rendered {
	struct mime_message *msg;
	char *date;     /* "YYYY-MM-DDTHH:MM:SSZ", NULL when missing/invalid */
	time_t date_t;  /* meaningful when date != NULL */
	char *date_raw; /* the raw Date value, sanitized; "" when absent */
	char *from;     /* sanitized one-line strings, "" when absent */
	char *to;
	char *cc;
	char *subject;
	char *body; /* sanitized text; ends in LF unless empty */
	struct mime_attachment *attachments;
	size_t nattachments;
};

struct mime_render_opts {
	/* Optional external HTML-to-text converter (e.g. a configured
	 * command): gets UTF-8 HTML, appends UTF-8 text to out and returns 0,
	 * or returns a negative value to use the built-in converter. */
	int (*html_to_text)(const char *html, size_t len, struct buf *out,
	                    void *arg);
	void *html_arg;
};

/* Parse and render raw[0..len). On failure (a limit of mime-tree.h) -1 and
 * err is set; *out is then empty. */
int mime_render(const char *raw, size_t len, struct mime_rendered *out,
                struct pt_error *err);
/* Same with options (opts may be NULL). */
int mime_render_with(const char *raw, size_t len,
                     const struct mime_render_opts *opts,
                     struct mime_rendered *out, struct pt_error *err);
/* Append the `show` text described above. */
void mime_rendered_format(const struct mime_rendered *r, struct buf *out);
void mime_rendered_free(struct mime_rendered *r);

/* The plain text to index for full-text search: the body text as chosen
 * above (HTML without tags), plus the body text of attached messages,
 * sanitized. Returns 0, or -1 with err set past a limit. */
int mime_text_for_index(const char *raw, size_t len, struct buf *out,
                        struct pt_error *err);

/* One-line header forms for `ls`/`search` and the index view, all
 * sanitized (TEXT_ONELINE). The value is a raw header value (folded or
 * not). */
/* Subject: RFC 2047-decoded. */
void mime_render_subject(const char *value, size_t len, struct buf *out);
/* The first address of a From value: "Name <addr>", or "addr". */
void mime_render_from(const char *value, size_t len, struct buf *out);
/* Every address, separated by ", ". */
void mime_render_addresses(const char *value, size_t len, struct buf *out);

#endif
