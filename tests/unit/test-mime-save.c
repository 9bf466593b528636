/* test-mime-save.c: attachment file names and saving inside a directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "mime/mime-save.h"

static char *safe(const char *name)
{
	struct buf b = BUF_INIT;

	mime_safe_filename(name, &b);
	return buf_detach(&b);
}

#define SAFE(in, want)                           \
	do {                                     \
		char *got_ = safe(in);           \
		assert_string_equal(got_, want); \
		free(got_);                      \
	} while (0)

static void test_mime_safe_filename(void **state)
{
	SAFE("report.pdf", "report.pdf");
	SAFE("../../etc/passwd", "passwd");
	SAFE("..\\..\\windows\\system.ini", "system.ini");
	SAFE(".bashrc", "bashrc");
	SAFE("...", "attachment");
	SAFE("..", "attachment");
	SAFE("dir/", "attachment");
	SAFE("", "attachment");
	SAFE(NULL, "attachment");
	SAFE("a\x1b[31mb\tc\nd.txt", "a [31mb c d.txt");
	SAFE("invoice\xe2\x80\xaegpj.exe", "invoicegpj.exe");
	SAFE("caf\xe9.txt", "caf\xef\xbf\xbd.txt");
	SAFE(" spaced name. ", "spaced name");
	SAFE("\xe6\x97\xa5\xe6\x9c\xac.txt", "\xe6\x97\xa5\xe6\x9c\xac.txt");
}

static void test_mime_safe_filename_length(void **state)
{
	char name[600], *got;
	int i;

	/* 3-byte characters: the cut never splits one; the extension stays */
	for (i = 0; i < 180; i++)
		memcpy(name + i * 3, "\xe6\x97\xa5", 3);
	strcpy(name + 540, ".txt");
	got = safe(name);
	assert_true(strlen(got) <= MIME_MAX_FILENAME);
	assert_true(strlen(got) > MIME_MAX_FILENAME - 4);
	assert_string_equal(got + strlen(got) - 4, ".txt");
	assert_int_equal((strlen(got) - 4) % 3, 0);
	free(got);
}

struct save_fixture {
	char dir[64];
	struct mime_rendered r;
};

static int save_setup(void **state)
{
	struct save_fixture *f = xcalloc(1, sizeof(*f));
	const char *raw = "Content-Type: multipart/mixed; boundary=s\n\n"
	                  "--s\nContent-Type: application/octet-stream\n"
	                  "Content-Disposition: attachment; "
	                  "filename=\"../../evil.txt\"\n"
	                  "Content-Transfer-Encoding: base64\n\naGVsbG8=\n"
	                  "--s\nContent-Type: image/png\n\nPNG\n--s--\n";
	struct pt_error err;

	strcpy(f->dir, "/tmp/petrel-save.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(mime_render(raw, strlen(raw), &f->r, &err), 0);
	assert_int_equal(f->r.nattachments, 2);
	*state = f;
	return 0;
}

static int save_teardown(void **state)
{
	struct save_fixture *f = *state;
	char *cmd = xasprintf("rm -rf '%s'", f->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	mime_rendered_free(&f->r);
	free(f);
	return 0;
}

static void read_file(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void test_mime_save_attachment(void **state)
{
	struct save_fixture *f = *state;
	struct pt_error err;
	char *path, *want, content[64];
	struct stat st;
	int i;

	/* the name is reduced to the directory's own file */
	for (i = 0; i < 3; i++) {
		assert_int_equal(mime_save_attachment(&f->r.attachments[0],
		                                      f->dir, &path, &err),
		                 0);
		want = i == 0 ? xasprintf("%s/evil.txt", f->dir)
		              : xasprintf("%s/evil-%d.txt", f->dir, i);
		assert_string_equal(path, want);
		read_file(path, content, sizeof(content));
		assert_string_equal(content, "hello");
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 077, 0);
		free(want);
		free(path);
	}
	/* no name: part-N, no extension */
	assert_int_equal(
	        mime_save_attachment(&f->r.attachments[1], f->dir, &path, &err),
	        0);
	want = xasprintf("%s/part-2", f->dir);
	assert_string_equal(path, want);
	free(want);
	free(path);
}

static void test_mime_save_no_clobber(void **state)
{
	struct save_fixture *f = *state;
	struct pt_error err;
	char *victim = xasprintf("%s/victim", f->dir);
	char *link = xasprintf("%s/evil.txt", f->dir), *path, content[64];
	FILE *fp = fopen(victim, "w");

	/* a symlink in the way is neither followed nor replaced */
	fputs("precious", fp);
	fclose(fp);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(
	        mime_save_attachment(&f->r.attachments[0], f->dir, &path, &err),
	        0);
	assert_non_null(strstr(path, "/evil-1.txt"));
	read_file(victim, content, sizeof(content));
	assert_string_equal(content, "precious");
	free(path);
	free(victim);
	free(link);
}

static void test_mime_save_bad_dir(void **state)
{
	struct save_fixture *f = *state;
	struct pt_error err;
	char *path = (char *)"x";

	assert_int_equal(mime_save_attachment(&f->r.attachments[0],
	                                      "/nonexistent/petrel", &path,
	                                      &err),
	                 -1);
	assert_int_equal(err.code, PT_E_DATA);
	assert_null(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_safe_filename),
	        cmocka_unit_test(test_mime_safe_filename_length),
	        cmocka_unit_test_setup_teardown(test_mime_save_attachment,
	                                        save_setup, save_teardown),
	        cmocka_unit_test_setup_teardown(test_mime_save_no_clobber,
	                                        save_setup, save_teardown),
	        cmocka_unit_test_setup_teardown(test_mime_save_bad_dir,
	                                        save_setup, save_teardown),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
