/* test-mime-tree.c: header splitting, the MIME part tree and its limits,
 * HTML conversion and index text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xmalloc.h"
#include "mime/mime-header.h"
#include "mime/mime-html.h"
#include "mime/mime-render.h"
#include "mime/mime-tree.h"

static void test_mime_header_split(void **state)
{
	const char *raw = "From sender Mon Jan  1 00:00:00 2024\n"
	                  "Subject: a\r\n\tfolded\r\n  line\r\n"
	                  "X-Obs : obsolete colon\r\n"
	                  "to: b@x\r\n"
	                  "\r\nbody";
	struct mime_headers h = MIME_HEADERS_INIT;
	size_t off;
	char *v;

	mime_headers_parse(raw, strlen(raw), &h, &off);
	assert_int_equal(h.count, 3);
	assert_string_equal(raw + off, "body");
	v = mime_headers_get_str(&h, "SUBJECT");
	assert_string_equal(v, "a\tfolded  line");
	free(v);
	v = mime_headers_get_str(&h, "x-obs");
	assert_string_equal(v, "obsolete colon");
	free(v);
	v = mime_headers_get_str(&h, "To");
	assert_string_equal(v, "b@x");
	free(v);
	assert_null(mime_headers_get_str(&h, "Cc"));
	mime_headers_clear(&h);
	/* no blank line: everything is header */
	mime_headers_parse("A: 1\nB: 2", 9, &h, &off);
	assert_int_equal(h.count, 2);
	assert_int_equal(off, 9);
	mime_headers_clear(&h);
	/* a line that is not a field starts the body */
	mime_headers_parse("A: 1\nnot a header\nB: 2\n", 22, &h, &off);
	assert_int_equal(h.count, 1);
	assert_int_equal(off, 5);
	mime_headers_clear(&h);
}

static void test_mime_tree_structure(void **state)
{
	const char *raw =
	        "Content-Type: multipart/mixed; boundary=a\n\n"
	        "--a\nContent-Type: text/plain; charset=koi8-r\n"
	        "Content-Transfer-Encoding: quoted-printable\n\n=F0=D2\n"
	        "--a\nContent-Type: message/rfc822\n\n"
	        "Subject: inner\nContent-Type: multipart/alternative; "
	        "boundary=b\n\n--b\n\nplain\n--b--\n"
	        "--a--\n";
	struct mime_message *msg;
	struct mime_part *p, *inner;
	struct pt_error err;
	struct buf b = BUF_INIT;

	assert_int_equal(mime_parse(raw, strlen(raw), &msg, &err), 0);
	assert_int_equal(msg->nparts, 5);
	p = msg->root->children;
	assert_true(mime_part_is(p, "text", "plain"));
	assert_int_equal(p->cte, MIME_CTE_QP);
	assert_int_equal(p->headers.count, 0); /* not a message root */
	mime_part_text(p, &b);
	assert_string_equal(buf_str(&b), "Пр");
	p = p->next;
	assert_true(mime_part_is(p, "message", "rfc822"));
	inner = p->children;
	assert_true(mime_part_is(inner, "multipart", "alternative"));
	assert_int_equal(inner->depth, 2);
	assert_non_null(mime_headers_find(&inner->headers, "Subject"));
	assert_true(mime_part_is(inner->children, "text", "plain"));
	assert_int_equal(inner->children->body_len, 5);
	assert_null(p->next);
	mime_message_free(&msg);
	assert_null(msg);
	buf_free(&b);
}

static void test_mime_tree_tolerance(void **state)
{
	struct mime_message *msg;
	struct pt_error err;
	const char *raw;

	/* multipart without boundary parameter: text */
	raw = "Content-Type: multipart/mixed\n\nhello";
	assert_int_equal(mime_parse(raw, strlen(raw), &msg, &err), 0);
	assert_true(mime_part_is(msg->root, "text", "plain"));
	mime_message_free(&msg);
	/* boundary never used: text */
	raw = "Content-Type: multipart/mixed; boundary=zz\n\nhello";
	assert_int_equal(mime_parse(raw, strlen(raw), &msg, &err), 0);
	assert_true(mime_part_is(msg->root, "text", "plain"));
	mime_message_free(&msg);
	/* garbage content type, unknown encoding */
	raw = "Content-Type: garbage\nContent-Transfer-Encoding: x-uue\n\nhi";
	assert_int_equal(mime_parse(raw, strlen(raw), &msg, &err), 0);
	assert_true(mime_part_is(msg->root, "text", "plain"));
	assert_int_equal(msg->root->cte, MIME_CTE_OTHER);
	mime_message_free(&msg);
	/* base64-encoded message/rfc822 */
	raw = "Content-Type: message/rfc822\nContent-Transfer-Encoding: "
	      "base64\n\nU3ViamVjdDogeAoKYm9keQo=\n";
	assert_int_equal(mime_parse(raw, strlen(raw), &msg, &err), 0);
	assert_non_null(msg->root->children);
	assert_int_equal(msg->root->children->body_len, 5);
	mime_message_free(&msg);
	/* empty input */
	assert_int_equal(mime_parse("", 0, &msg, &err), 0);
	mime_message_free(&msg);
}

/* depth levels of nested multiparts */
static char *nested(int depth, size_t *len_r)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < depth; i++)
		buf_printf(
		        &b,
		        "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n",
		        i, i);
	buf_addstr(&b, "\nleaf\n");
	*len_r = b.len;
	return buf_detach(&b);
}

static void test_mime_tree_depth_limit(void **state)
{
	struct mime_message *msg;
	struct pt_error err;
	size_t len;
	char *raw;

	raw = nested(MIME_MAX_DEPTH, &len);
	assert_int_equal(mime_parse(raw, len, &msg, &err), 0);
	mime_message_free(&msg);
	free(raw);
	raw = nested(MIME_MAX_DEPTH + 1, &len);
	assert_int_equal(mime_parse(raw, len, &msg, &err), -1);
	assert_int_equal(err.code, PT_E_MSG);
	assert_non_null(strstr(err.msg, "nested"));
	assert_null(msg);
	free(raw);
	/* nested message/rfc822 counts too */
	{
		struct buf b = BUF_INIT;
		int i;

		for (i = 0; i < 300; i++)
			buf_addstr(&b, "Content-Type: message/rfc822\n\n");
		assert_int_equal(mime_parse(b.data, b.len, &msg, &err), -1);
		buf_free(&b);
	}
}

static void test_mime_tree_parts_limit(void **state)
{
	struct mime_message *msg;
	struct pt_error err;
	struct buf b = BUF_INIT;
	int i;

	buf_addstr(&b, "Content-Type: multipart/mixed; boundary=x\n\n");
	for (i = 0; i < MIME_MAX_PARTS - 1; i++)
		buf_addstr(&b, "--x\n\np\n");
	buf_addstr(&b, "--x--\n");
	assert_int_equal(mime_parse(b.data, b.len, &msg, &err), 0);
	assert_int_equal(msg->nparts, MIME_MAX_PARTS);
	mime_message_free(&msg);
	buf_reset(&b);
	buf_addstr(&b, "Content-Type: multipart/mixed; boundary=x\n\n");
	for (i = 0; i < MIME_MAX_PARTS; i++)
		buf_addstr(&b, "--x\n\np\n");
	assert_int_equal(mime_parse(b.data, b.len, &msg, &err), -1);
	assert_non_null(strstr(err.msg, "parts"));
	buf_free(&b);
}

static void test_mime_tree_size_limit(void **state)
{
	struct mime_message *msg;
	struct pt_error err;
	char *big = xcalloc(MIME_MAX_MESSAGE + 1, 1);

	assert_int_equal(mime_parse(big, MIME_MAX_MESSAGE + 1, &msg, &err), -1);
	assert_int_equal(err.code, PT_E_MSG);
	free(big);
}

static void test_mime_tree_no_quadratic(void **state)
{
	/* 100 nested levels around 4 MB of delimiter-like lines */
	struct mime_message *msg;
	struct pt_error err;
	struct buf b = BUF_INIT;
	clock_t t0 = clock();
	size_t i;
	int d;

	for (d = 0; d < 100; d++)
		buf_printf(
		        &b,
		        "Content-Type: multipart/mixed; boundary=q%d\n\n--q%d\n",
		        d, d);
	buf_addch(&b, '\n');
	for (i = 0; i < 4 * 1024 * 1024 / 8; i++)
		buf_addstr(&b, "--q9xx\n");
	assert_int_equal(mime_parse(b.data, b.len, &msg, &err), 0);
	mime_message_free(&msg);
	buf_free(&b);
	/* generous: linear work takes well under a second */
	assert_true((clock() - t0) / CLOCKS_PER_SEC < 20);
}

static char *html(const char *in)
{
	struct buf b = BUF_INIT;

	mime_html_to_text(in, strlen(in), &b);
	return buf_detach(&b);
}

#define HTML(in, want)                           \
	do {                                     \
		char *got_ = html(in);           \
		assert_string_equal(got_, want); \
		free(got_);                      \
	} while (0)

static void test_mime_html(void **state)
{
	HTML("<p>a</p><p>b</p>", "a\n\nb\n");
	HTML("a<br>b<br/><br>c", "a\nb\n\nc\n");
	HTML("<SCRIPT>x</script>y<style a=1>z</STYLE>", "y\n");
	HTML("  lots   of \n\n space  ", "lots of space\n");
	HTML("<pre>  keep\n  this</pre>", "  keep\n  this\n");
	HTML("<ul><li>one<li>two</ul>", "- one\n- two\n");
	HTML("<a href='http://x/?a=1&amp;b'>link</a>",
	     "link <http://x/?a=1&b>\n");
	HTML("<a href=\"#top\">top</a>", "top\n");
	HTML("&#65;&#x42;&#0;&#128;&#1114112;&eacute;&nope;",
	     "AB\xef\xbf\xbd\xe2\x82\xac\xef\xbf\xbd\xc3\xa9&nope;\n");
	HTML("1 < 2 and <3", "1 < 2 and <3\n");
	HTML("<!-- unterminated", "");
	HTML("<img src=x alt=\"[logo]\">", "[logo]\n");
	HTML("", "");
	/* A link before any text (found by fuzz-mime). */
	HTML("<a href=\"http://x/\"></a>", "<http://x/>\n");
}

static void test_mime_html_linear(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	int i;

	for (i = 0; i < 200000; i++)
		buf_addstr(&in, "<a <script");
	mime_html_to_text(in.data, in.len, &out);
	buf_free(&in);
	buf_free(&out);
}

static int upper_hook(const char *h, size_t len, struct buf *out, void *arg)
{
	(*(int *)arg)++;
	buf_addstr(out, "HOOKED\n");
	return 0;
}

static void test_mime_render_hook_and_index(void **state)
{
	const char *raw =
	        "Subject: s\nContent-Type: multipart/mixed; boundary=m\n\n"
	        "--m\nContent-Type: text/html\n\n<b>Bold</b> &amp; x\n"
	        "--m\nContent-Type: message/rfc822\n\nSubject: in\n\n"
	        "inner text\n--m\nContent-Type: image/gif\n\nGIF\n--m--\n";
	struct mime_render_opts opts = {upper_hook, NULL};
	struct mime_rendered r;
	struct pt_error err;
	struct buf b = BUF_INIT;
	int calls = 0;

	opts.html_arg = &calls;
	assert_int_equal(mime_render_with(raw, strlen(raw), &opts, &r, &err),
	                 0);
	assert_int_equal(calls, 1);
	assert_string_equal(r.body, "HOOKED\n");
	assert_int_equal(r.nattachments, 2);
	assert_null(r.date);
	assert_string_equal(r.from, "");
	mime_rendered_free(&r);
	assert_int_equal(mime_text_for_index(raw, strlen(raw), &b, &err), 0);
	assert_string_equal(buf_str(&b), "Bold & x\n\ninner text\n");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_header_split),
	        cmocka_unit_test(test_mime_tree_structure),
	        cmocka_unit_test(test_mime_tree_tolerance),
	        cmocka_unit_test(test_mime_tree_depth_limit),
	        cmocka_unit_test(test_mime_tree_parts_limit),
	        cmocka_unit_test(test_mime_tree_size_limit),
	        cmocka_unit_test(test_mime_tree_no_quadratic),
	        cmocka_unit_test(test_mime_html),
	        cmocka_unit_test(test_mime_html_linear),
	        cmocka_unit_test(test_mime_render_hook_and_index),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
