/* config-password.c: an account's password, from the configuration or
 * from password_command. The command runs under /bin/sh -c with its
 * standard input from /dev/null (it must not eat the interface's keys)
 * and its standard error passed through; its output is read with a size
 * limit and a deadline, and every buffer that held it is wiped. */
#include "config/config-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

/* The state of one run of the command. */
struct config_pwrun {
	pid_t pid;
	int fd;
	struct timespec deadline;
	int timeout_ms;
	char *out; /* CONFIG_PASSWORD_MAX + 1 bytes */
	size_t len;
	bool timed_out; /* killed at the deadline while waiting */
};

static long pw_ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static int pw_spawn_attr(posix_spawnattr_t *attr)
{
	sigset_t none, dfl;

	/* The caller may be a thread with signals blocked or ignored; the
	 * command gets a clean slate. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGQUIT);
	sigaddset(&dfl, SIGCHLD);
	if (posix_spawnattr_init(attr) != 0)
		return -1;
	if (posix_spawnattr_setsigmask(attr, &none) != 0 ||
	    posix_spawnattr_setsigdefault(attr, &dfl) != 0 ||
	    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
	                                           POSIX_SPAWN_SETSIGDEF) !=
	            0) {
		posix_spawnattr_destroy(attr);
		return -1;
	}
	return 0;
}

static int pw_spawn(struct config_pwrun *r, const char *command,
                    struct pt_error *err)
{
	char *argv[] = {"sh", "-c", (char *)command, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return pt_error_set(
		        err, PT_E_AUTH,
		        _("password_command: cannot make a pipe: %s"),
		        strerror(errno));
	rc = pw_spawn_attr(&attr);
	if (rc == 0 && posix_spawn_file_actions_init(&fa) == 0) {
		/* dup2 first: the pipe may have landed on descriptor 0. */
		posix_spawn_file_actions_adddup2(&fa, p[1], 1);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
		                                 0);
		rc = posix_spawn(&r->pid, "/bin/sh", &fa, &attr, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&attr);
	} else {
		rc = rc == 0 ? ENOMEM : rc;
	}
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return pt_error_set(
		        err, PT_E_AUTH,
		        _("password_command: cannot run /bin/sh: %s"),
		        strerror(rc));
	}
	r->fd = p[0];
	return 0;
}

static int pw_timed_out(const struct config_pwrun *r, struct pt_error *err)
{
	return pt_error_set(err, PT_E_AUTH,
	                    _("password_command failed (timed out after %d s)"),
	                    (r->timeout_ms + 999) / 1000);
}

/* Read the command's output to its end. */
static int pw_read(struct config_pwrun *r, struct pt_error *err)
{
	struct pollfd pfd = {r->fd, POLLIN, 0};
	long left;
	ssize_t n;

	for (;;) {
		left = pw_ms_left(&r->deadline);
		if (left <= 0)
			return pw_timed_out(r, err);
		if (poll(&pfd, 1, (int)left) <= 0)
			continue; /* EINTR, or the deadline: checked above */
		n = read(r->fd, r->out + r->len,
		         CONFIG_PASSWORD_MAX + 1 - r->len);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return pt_error_set(err, PT_E_AUTH,
			                    _("password_command: read: %s"),
			                    strerror(errno));
		r->len += n > 0 ? (size_t)n : 0;
		if (r->len > CONFIG_PASSWORD_MAX)
			return pt_error_set(
			        err, PT_E_AUTH,
			        _("password_command failed (more than "
			          "%d bytes of output)"),
			        CONFIG_PASSWORD_MAX);
	}
}

/* Reap the command, killing it if it outlives the deadline (it may close
 * its output and go on running). Returns the wait status, or -1. */
static int pw_wait(struct config_pwrun *r, bool kill_now, struct pt_error *err)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	int status;
	pid_t got;

	if (kill_now)
		kill(r->pid, SIGKILL);
	for (;;) {
		got = waitpid(r->pid, &status, kill_now ? 0 : WNOHANG);
		if (got == r->pid)
			return status;
		if (got < 0 && errno != EINTR)
			return pt_error_set(err, PT_E_AUTH,
			                    _("password_command: wait: %s"),
			                    strerror(errno));
		if (got == 0 && pw_ms_left(&r->deadline) <= 0) {
			kill(r->pid, SIGKILL);
			kill_now = true;
			r->timed_out = true;
			pw_timed_out(r, err);
		} else if (got == 0) {
			nanosleep(&tick, NULL);
		}
	}
}

/* Judge the exit status and the output, then hand out the password. */
static int pw_result(struct config_pwrun *r, int status, char **pw_r,
                     struct pt_error *err)
{
	if (WIFSIGNALED(status))
		return pt_error_set(err, PT_E_AUTH,
		                    _("password_command failed (killed by "
		                      "signal %d)"),
		                    WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return pt_error_set(
		        err, PT_E_AUTH, _("password_command failed (exit %d)"),
		        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	while (r->len > 0 &&
	       (r->out[r->len - 1] == '\n' || r->out[r->len - 1] == '\r'))
		r->len--;
	if (r->len == 0)
		return pt_error_set(err, PT_E_AUTH,
		                    _("password_command failed (exit 0, no "
		                      "output)"));
	if (memchr(r->out, '\0', r->len) != NULL)
		return pt_error_set(err, PT_E_AUTH,
		                    _("password_command failed (a NUL byte in "
		                      "its output)"));
	*pw_r = xstrndup(r->out, r->len);
	return 0;
}

int config_run_password_command(const char *command, int timeout_ms,
                                char **pw_r, struct pt_error *err)
{
	struct config_pwrun r = {0};
	int rc, status;

	*pw_r = NULL;
	r.timeout_ms = timeout_ms;
	clock_gettime(CLOCK_MONOTONIC, &r.deadline);
	r.deadline.tv_sec += timeout_ms / 1000;
	r.deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (r.deadline.tv_nsec >= 1000000000) {
		r.deadline.tv_sec++;
		r.deadline.tv_nsec -= 1000000000;
	}
	if (pw_spawn(&r, command, err) < 0)
		return -1;
	r.out = xmalloc(CONFIG_PASSWORD_MAX + 1);
	rc = pw_read(&r, err);
	close(r.fd);
	/* After a read error, keep its message rather than the wait's. */
	status = pw_wait(&r, rc < 0, rc < 0 ? NULL : err);
	if (rc == 0 && status >= 0 && !r.timed_out)
		rc = pw_result(&r, status, pw_r, err);
	else if (rc == 0)
		rc = -1; /* pw_wait() said why */
	explicit_bzero(r.out, CONFIG_PASSWORD_MAX + 1);
	free(r.out);
	return rc;
}

int config_account_password(const struct account_conf *acct, char **pw_r,
                            struct pt_error *err)
{
	char msg[sizeof err->msg];
	unsigned line = acct->key_line[CONFIG_KEY_PASSWORD_COMMAND];

	*pw_r = NULL;
	if (acct->password != NULL) {
		*pw_r = xstrdup(acct->password);
		return 0;
	}
	if (acct->password_command == NULL)
		return config_error_at(err, acct->file, acct->line,
		                       _("[account %s] has neither 'password' "
		                         "nor 'password_command'"),
		                       acct->name);
	if (config_run_password_command(acct->password_command,
	                                CONFIG_PASSWORD_TIMEOUT_MS, pw_r,
	                                err) == 0)
		return 0;
	if (err != NULL) {
		memcpy(msg, err->msg, sizeof msg);
		pt_error_set(err, PT_E_AUTH, "%s:%u: %s", acct->file, line,
		             msg);
	}
	return -1;
}
