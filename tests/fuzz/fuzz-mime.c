/* fuzz-mime.c: libFuzzer target for the MIME library: parse, render,
 * format, index text and safe file names of an arbitrary message, then
 * free everything. The output must always be sanitized. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/text.h"
#include "mime/mime-render.h"
#include "mime/mime-save.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_mime_check(const struct buf *b)
{
	size_t i;

	/* no control characters but TAB and LF, valid UTF-8 */
	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			abort();
	}
	if (!text_utf8_valid(buf_str(b), b->len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_rendered r;
	struct pt_error err;
	struct buf out = BUF_INIT;
	size_t i;

	if (mime_render((const char *)data, size, &r, &err) == 0) {
		mime_rendered_format(&r, &out);
		fuzz_mime_check(&out);
		for (i = 0; i < r.nattachments; i++) {
			buf_reset(&out);
			mime_safe_filename(r.attachments[i].name, &out);
			if (out.len == 0 ||
			    memchr(out.data, '/', out.len) != NULL ||
			    out.data[0] == '.')
				abort();
		}
		mime_rendered_free(&r);
	}
	buf_reset(&out);
	mime_text_for_index((const char *)data, size, &out, &err);
	fuzz_mime_check(&out);
	buf_free(&out);
	return 0;
}
