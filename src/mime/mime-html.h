/* mime-html.h: a small HTML-to-text converter for HTML-only mail.
 *
 * Not a browser: it strips tags, drops script/style/head content, turns
 * block elements into line breaks (<p> and headings into blank lines),
 * list items into "- " lines, links into "text <url>", images into their
 * alt text, decodes character references (numeric and the common named
 * ones) and collapses white space outside <pre>. Linear in the input.
 * Input and output are UTF-8; the output is not sanitized. Reentrant. */
#ifndef PETREL_MIME_HTML_H
#define PETREL_MIME_HTML_H

#include <stddef.h>

#include "common/buf.h"

/* Append the text of html[0..len) to out; it ends in LF unless empty. */
void mime_html_to_text(const char *html, size_t len, struct buf *out);
/* Decode one character reference at s ("&amp;", "&#233;", "&#x20AC;");
 * appends the character to out and returns the length used, or 0 when s
 * is not a reference ('&' is then literal). */
size_t mime_html_entity(const char *s, size_t len, struct buf *out);

#endif
