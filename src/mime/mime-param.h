/* mime-param.h: structured MIME header values with parameters
 * (Content-Type, Content-Disposition): RFC 2045 5.1 quoting and RFC 2231
 * parameter value continuations, charsets, languages and %-encoding.
 *
 * Tolerant of real mail: unquoted values with spaces, unterminated quoted
 * strings, RFC 2047 encoded words in plain values (a common violation),
 * raw 8-bit bytes (UTF-8 when valid, else windows-1252), out-of-order or
 * missing continuation sections. Values come out as UTF-8, not sanitized.
 * Reentrant. */
#ifndef PETREL_MIME_PARAM_H
#define PETREL_MIME_PARAM_H

#include <stddef.h>

/* Parameters past this many in one header are ignored, as are
 * continuation sections numbered this high or higher. */
#define MIME_MAX_PARAMS 200
#define MIME_MAX_SECTIONS 1000

struct mime_param {
	char *name;  /* lower case */
	char *value; /* decoded UTF-8 */
};

struct mime_param_list {
	struct mime_param *v;
	size_t count;
};

/* Parse an unfolded value "token; name=value; ...". *token_r receives the
 * leading token in lower case with white space and comments removed ("" if
 * none; caller frees); params receives the parameters, one per name (the
 * RFC 2231 form wins over a plain one; otherwise the first wins). */
void mime_param_parse(const char *value, size_t len, char **token_r,
                      struct mime_param_list *params);
/* The value of a parameter (name in lower case), or NULL. Borrowed. */
const char *mime_param_get(const struct mime_param_list *params,
                           const char *name);
void mime_param_list_free(struct mime_param_list *params);

#endif
