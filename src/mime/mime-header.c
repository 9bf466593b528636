/* mime-header.c: header block splitting and unfolding (RFC 5322 2.2). */
#include "mime/mime-header.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"

static bool mime_header_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* A field name is printable US-ASCII except ':' (RFC 5322 3.6.8); the
 * obsolete syntax allows white space before the colon (4.5.8). */
static bool mime_header_split(const char *line, size_t len, size_t *name_len_r,
                              size_t *value_off_r)
{
	const char *colon = memchr(line, ':', len);
	size_t n, i;

	if (colon == NULL)
		return false;
	n = (size_t)(colon - line);
	while (n > 0 && mime_header_is_wsp(line[n - 1]))
		n--;
	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] <= 32 ||
		    (unsigned char)line[i] >= 127)
			return false;
	*name_len_r = n;
	*value_off_r = (size_t)(colon - line) + 1;
	return true;
}

static void mime_headers_add(struct mime_headers *h, const char *name,
                             size_t name_len, const char *value,
                             size_t value_len)
{
	struct mime_header_field *f;

	if (h->count == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->fields = xreallocarray(h->fields, h->cap, sizeof(*f));
	}
	f = &h->fields[h->count++];
	f->name = name;
	f->name_len = name_len;
	f->value = value;
	f->value_len = value_len;
}

void mime_headers_parse(const char *raw, size_t len, struct mime_headers *h,
                        size_t *body_off_r)
{
	size_t pos = 0, eol, next, clen, name_len, voff;
	struct mime_header_field *cur = NULL;
	const char *nl;

	while (pos < len) {
		nl = memchr(raw + pos, '\n', len - pos);
		eol = nl != NULL ? (size_t)(nl - raw) : len;
		next = nl != NULL ? eol + 1 : len;
		clen = eol - pos;
		if (clen > 0 && raw[eol - 1] == '\r')
			clen--;
		if (clen == 0) {
			*body_off_r = next;
			return;
		}
		if (mime_header_is_wsp(raw[pos])) {
			/* A continuation extends the current field. */
			if (cur != NULL)
				cur->value_len =
				        pos + clen - (size_t)(cur->value - raw);
		} else if (pos == 0 && clen >= 5 &&
		           memcmp(raw, "From ", 5) == 0) {
			cur = NULL; /* mbox separator */
		} else if (mime_header_split(raw + pos, clen, &name_len,
		                             &voff)) {
			cur = NULL;
			if (h->count < MIME_MAX_FIELDS) {
				mime_headers_add(h, raw + pos, name_len,
				                 raw + pos + voff, clen - voff);
				cur = &h->fields[h->count - 1];
			}
		} else {
			break;
		}
		pos = next;
	}
	*body_off_r = pos;
}

const struct mime_header_field *mime_headers_find(const struct mime_headers *h,
                                                  const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < h->count; i++)
		if (h->fields[i].name_len == n &&
		    strncasecmp(h->fields[i].name, name, n) == 0)
			return &h->fields[i];
	return NULL;
}

void mime_header_unfold(const char *value, size_t len, struct buf *out)
{
	size_t start = out->len, i;

	for (i = 0; i < len; i++)
		if (value[i] != '\r' && value[i] != '\n')
			buf_addch(out, value[i]);
	/* trim: leading white space is shifted out, trailing cut off */
	i = start;
	while (i < out->len && mime_header_is_wsp(out->data[i]))
		i++;
	if (i > start) {
		memmove(out->data + start, out->data + i, out->len - i);
		out->len -= i - start;
	}
	while (out->len > start && mime_header_is_wsp(out->data[out->len - 1]))
		out->len--;
	if (out->data != NULL)
		out->data[out->len] = '\0';
}

bool mime_headers_get(const struct mime_headers *h, const char *name,
                      struct buf *out)
{
	const struct mime_header_field *f = mime_headers_find(h, name);

	if (f == NULL)
		return false;
	mime_header_unfold(f->value, f->value_len, out);
	return true;
}

char *mime_headers_get_str(const struct mime_headers *h, const char *name)
{
	struct buf b = BUF_INIT;

	if (!mime_headers_get(h, name, &b))
		return NULL;
	return buf_detach(&b);
}

void mime_headers_clear(struct mime_headers *h)
{
	free(h->fields);
	h->fields = NULL;
	h->count = h->cap = 0;
}
