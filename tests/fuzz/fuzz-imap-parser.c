/* fuzz-imap-parser.c: libFuzzer target for the streaming IMAP response
 * parser. The first byte picks the limits, the next bytes the sizes of
 * the pieces the rest is fed in; every response is drained and touched,
 * LIST names go through the modified UTF-7 decoder, sets are copied. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "imap/imap-parser.h"
#include "imap/imap-seqset.h"
#include "imap/imap-utf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fuzz_touch(const struct imap_response *r)
{
	struct imap_seqset copy = IMAP_SEQSET_INIT;
	struct buf b = BUF_INIT;
	struct pt_error err;
	size_t sum = r->warning != NULL ? strlen(r->warning) : 0, i;

	if (r->text != NULL)
		sum += strlen(r->text);
	if (r->code.kind == IMAP_CODE_MODIFIED && !r->code.malformed)
		imap_seqset_copy(&copy, &r->code.u.modified);
	switch (r->type) {
	case IMAP_RT_LIST:
	case IMAP_RT_LSUB:
		imap_utf7_decode(r->u.list.mailbox, r->u.list.mailbox_len, &b,
		                 &err);
		break;
	case IMAP_RT_VANISHED:
		imap_seqset_copy(&copy, &r->u.vanished.uids);
		imap_seqset_print(&copy, &b);
		break;
	case IMAP_RT_FETCH:
		for (i = 0; i < r->u.fetch.nsections; i++)
			sum += r->u.fetch.sections[i].len;
		for (i = 0; i < r->u.fetch.flags.n; i++)
			sum += strlen(r->u.fetch.flags.v[i]);
		break;
	default:
		break;
	}
	sum += b.len + (size_t)imap_seqset_count(&copy);
	imap_seqset_clear(&copy);
	buf_free(&b);
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits lim;
	struct imap_parser *p;
	const struct imap_response *resp;
	struct pt_error err;
	uint8_t sizes[4] = {0, 0, 0, 0};
	size_t off, k = 0;
	volatile size_t sink = 0;

	if (size < 5)
		return 0;
	imap_parser_limits_default(&lim);
	if (data[0] & 1) {
		/* Small limits reach the skipping paths. */
		lim.max_line = 16 + data[0];
		lim.max_literal = data[0] / 2u;
		lim.max_response = 64 + 2u * data[0];
		lim.max_depth = 1 + data[0] % 16;
	}
	memcpy(sizes, data + 1, 4);
	data += 5;
	size -= 5;
	p = imap_parser_new(&lim);
	for (off = 0; off < size;) {
		size_t n = sizes[k++ % 4];

		if (n == 0 || n > size - off)
			n = size - off;
		imap_parser_feed(p, data + off, n);
		off += n;
		for (;;) {
			int ret = imap_parser_next(p, &resp, &err);

			if (ret == 0)
				sink += fuzz_touch(resp);
			else if (ret == -2 || imap_parser_broken(p))
				break;
		}
	}
	imap_parser_eof(p, &err);
	imap_parser_free(&p);
	(void)sink;
	return 0;
}
