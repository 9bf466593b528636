/* test-mime-corpus.c: renders every tests/data/mime/NAME.eml and compares
 * the result with NAME.expected, byte for byte (the `show` format of
 * INTERFACE.md). Adding a case means adding those two files.
 *
 * With PETREL_CORPUS_WRITE=1 the .expected files are (re)written instead;
 * review them before committing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "mime/mime-render.h"

static bool corpus_read(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char tmp[8192];
	size_t n;

	if (f == NULL)
		return false;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(out, tmp, n);
	fclose(f);
	return true;
}

static int corpus_one(const char *dir, const char *name)
{
	struct buf eml = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	struct mime_rendered r;
	struct pt_error err;
	char *path;
	int failed = 0;
	FILE *f;

	path = xasprintf("%s/%s.eml", dir, name);
	assert_true(corpus_read(path, &eml));
	free(path);
	assert_int_equal(mime_render(buf_str(&eml), eml.len, &r, &err), 0);
	mime_rendered_format(&r, &got);
	path = xasprintf("%s/%s.expected", dir, name);
	if (getenv("PETREL_CORPUS_WRITE") != NULL) {
		f = fopen(path, "wb");
		assert_non_null(f);
		fwrite(got.data, 1, got.len, f);
		fclose(f);
	} else if (!corpus_read(path, &want)) {
		print_error("%s: missing\n", path);
		failed = 1;
	} else if (want.len != got.len ||
	           memcmp(buf_str(&want), buf_str(&got), got.len) != 0) {
		print_error("%s differs; got:\n%s\n", path, buf_str(&got));
		failed = 1;
	}
	free(path);
	mime_rendered_free(&r);
	buf_free(&eml);
	buf_free(&want);
	buf_free(&got);
	return failed;
}

static void test_mime_corpus_all(void **state)
{
	const char *src = getenv("PETREL_SRCDIR");
	struct dirent *de;
	char *dir;
	DIR *d;
	int cases = 0, failed = 0;
	size_t n;

	if (src == NULL)
		src = "..";
	dir = xasprintf("%s/tests/data/mime", src);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 4 || strcmp(de->d_name + n - 4, ".eml") != 0)
			continue;
		de->d_name[n - 4] = '\0';
		failed += corpus_one(dir, de->d_name);
		cases++;
	}
	closedir(d);
	free(dir);
	print_message("%d corpus cases, %d failed\n", cases, failed);
	assert_true(cases >= 20);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_mime_corpus_all),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
