/* mime-save.c: safe attachment file names and saving. */
#include "mime/mime-save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/text.h"
#include "common/xmalloc.h"

/* Cut s to at most max bytes without splitting a UTF-8 character. */
static size_t mime_save_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* The extension's offset (at the last '.'), or len when there is none. */
static size_t mime_save_ext(const char *s, size_t len)
{
	size_t i = len;

	while (i > 1 && s[i - 1] != '.')
		i--;
	return i > 1 && len - (i - 1) <= 32 ? i - 1 : len;
}

void mime_safe_filename(const char *name, struct buf *out)
{
	struct buf b = BUF_INIT;
	const char *s, *slash;
	size_t len, ext, stem;

	text_sanitize(name != NULL ? name : "", name != NULL ? strlen(name) : 0,
	              &b, TEXT_ONELINE);
	s = buf_str(&b);
	if ((slash = strrchr(s, '/')) != NULL)
		s = slash + 1;
	if ((slash = strrchr(s, '\\')) != NULL)
		s = slash + 1;
	while (*s == '.' || *s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '.'))
		len--;
	if (len == 0) {
		buf_addstr(out, "attachment");
	} else if (len <= MIME_MAX_FILENAME) {
		buf_add(out, s, len);
	} else {
		ext = mime_save_ext(s, len);
		stem = mime_save_cut(s, ext, MIME_MAX_FILENAME - (len - ext));
		buf_add(out, s, stem);
		buf_add(out, s + ext, len - ext);
	}
	buf_free(&b);
}

/* name, or "stem-N.ext" for the Nth retry. */
static void mime_save_candidate(const char *name, unsigned n, struct buf *out)
{
	size_t len = strlen(name), ext = mime_save_ext(name, len);

	buf_reset(out);
	if (n == 0) {
		buf_addstr(out, name);
		return;
	}
	buf_add(out, name, ext);
	buf_printf(out, "-%u", n);
	buf_add(out, name + ext, len - ext);
}

static int mime_save_write(int fd, const struct buf *data)
{
	size_t off = 0;
	ssize_t n;

	while (off < data->len) {
		n = write(fd, data->data + off, data->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Create the file: the name, then name-1, name-2, ... */
static int mime_save_create(int dirfd, const char *name, struct buf *cand)
{
	unsigned n;
	int fd;

	for (n = 0; n <= MIME_MAX_SUFFIX; n++) {
		mime_save_candidate(name, n, cand);
		fd = openat(dirfd, cand->data,
		            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		                    O_CLOEXEC,
		            0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

int mime_save_attachment(const struct mime_attachment *att, const char *dir,
                         char **path_r, struct pt_error *err)
{
	struct buf name = BUF_INIT, cand = BUF_INIT, data = BUF_INIT;
	int dirfd, fd, rc = -1;

	*path_r = NULL;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return pt_error_set(err, PT_E_DATA,
		                    _("cannot open directory %s: %s"), dir,
		                    strerror(errno));
	mime_safe_filename(att->name, &name);
	fd = mime_save_create(dirfd, name.data, &cand);
	if (fd < 0) {
		pt_error_set(err, PT_E_DATA, _("cannot create %s/%s: %s"), dir,
		             buf_str(&cand), strerror(errno));
		goto out;
	}
	mime_part_decode(att->part, &data);
	rc = mime_save_write(fd, &data);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0) {
		pt_error_set(err, PT_E_DATA, _("cannot write %s/%s: %s"), dir,
		             cand.data, strerror(errno));
		unlinkat(dirfd, cand.data, 0);
		goto out;
	}
	*path_r = xasprintf("%s%s%s", dir,
	                    dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? ""
	                                                                  : "/",
	                    cand.data);
	rc = 0;
out:
	close(dirfd);
	buf_free(&name);
	buf_free(&cand);
	buf_free(&data);
	return rc;
}
