/* wake.c: a wake-up descriptor between threads (eventfd or pipe). */
#include "common/wake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "common/xmalloc.h"

struct wake {
	int rfd; /* polled side */
	int wfd; /* written side; equal to rfd for an eventfd */
};

struct wake *wake_new(void)
{
	struct wake *w = xcalloc(1, sizeof *w);
	int fds[2];

#ifdef __linux__
	w->rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->rfd >= 0) {
		w->wfd = w->rfd;
		return w;
	}
#endif
	if (pipe(fds) == -1) {
		free(w);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	}
	w->rfd = fds[0];
	w->wfd = fds[1];
	return w;
}

void wake_free(struct wake *w)
{
	if (w == NULL)
		return;
	close(w->rfd);
	if (w->wfd != w->rfd)
		close(w->wfd);
	free(w);
}

int wake_fd(const struct wake *w)
{
	return w->rfd;
}

void wake_notify(struct wake *w)
{
	uint64_t one = 1;
	int saved = errno;
	ssize_t n;

	/* A full pipe or a saturated counter already means "awake". */
	if (w->wfd == w->rfd)
		n = write(w->wfd, &one, sizeof one);
	else
		n = write(w->wfd, "", 1);
	(void)n;
	errno = saved;
}

int wake_drain(struct wake *w)
{
	char tmp[64];
	int any = 0;

	while (read(w->rfd, tmp, sizeof tmp) > 0)
		any = 1;
	return any;
}
