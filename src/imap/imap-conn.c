/* imap-conn.c: the IMAP transport (see imap-conn.h): TCP with optional
 * TLS or STARTTLS, or a tunnel command; bounded, interruptible waits. */
#include "imap/imap-conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "imap/imap-trace.h"

#define CONN_READ_CHUNK 16384
#define CONN_REAP_GRACE_MS 500 /* before SIGTERM, and again before SIGKILL */
#define CONN_EOF_STATUS_MS 200 /* wait for a tunnel's exit status on EOF */

/* Results of the low-level read/write helpers besides a byte count. */
#define CONN_IO_AGAIN (-1) /* would block; *want says on what */
#define CONN_IO_ERROR (-2) /* failed, err set */

enum conn_wait_result { CONN_READY, CONN_TIMEDOUT, CONN_WOKEN, CONN_FAILED };

struct imap_conn {
	int fd;    /* input: the socket or the tunnel's stdout */
	int wfd;   /* output: the socket or the tunnel's stdin */
	int errfd; /* the tunnel's stderr when captured, else -1 */
	bool sock; /* fd is a socket */
	pid_t pid; /* tunnel child, or -1 */
	bool reaped;
	int child_status;
	SSL_CTX *ctx;
	SSL *ssl;
	bool tls_up; /* handshake done, no fatal TLS error since */
	char *name;  /* the server, for messages: host or "tunnel" */
	char *ca_file;
	int connect_timeout_ms, io_timeout_ms, idle_timeout_ms;
	struct buf rbuf;
	struct imap_trace *trace;
	FILE *trace_fp; /* owned when opened from trace_path */
	struct imap_conn_stats st;
	char cert_names[256]; /* the server certificate's names */
	char tls_info[96];
};

/* ------------------------------------------------------------ helpers */

static int64_t conn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conn_remaining(int64_t deadline)
{
	int64_t left = deadline - conn_now_ms();

	if (left < 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static int64_t conn_deadline(int ms)
{
	return conn_now_ms() + ms;
}

static void conn_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int conn_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* SIGPIPE must not kill petrel. Sockets use MSG_NOSIGNAL; around pipe and
 * TLS writes, SIGPIPE is blocked in this thread and a SIGPIPE raised by the
 * write is consumed before the mask is restored. */
struct conn_sigpipe {
	sigset_t old;
	bool was_pending;
};

static void conn_sigpipe_block(struct conn_sigpipe *g)
{
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pend);
	sigpending(&pend);
	g->was_pending = sigismember(&pend, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void conn_sigpipe_restore(struct conn_sigpipe *g)
{
	const struct timespec zero = {0, 0};
	int saved = errno;
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pend);
	if (!g->was_pending && sigpending(&pend) == 0 &&
	    sigismember(&pend, SIGPIPE) == 1) {
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
	errno = saved;
}

/* Move a tunnel's stderr into the trace (or drop it without a trace). */
static void conn_drain_stderr(struct imap_conn *c)
{
	char tmp[4096];
	ssize_t n;

	while (c->errfd >= 0) {
		n = read(c->errfd, tmp, sizeof tmp);
		if (n > 0) {
			if (c->trace != NULL)
				imap_trace_bytes(c->trace, IMAP_TRACE_STDERR,
				                 tmp, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			conn_close_fd(&c->errfd);
		return;
	}
}

/* Wait until fd is ready for events, the deadline passes, or wake_fd is
 * readable (checked first). A captured tunnel stderr is drained meanwhile.
 * With nowait, poll once without sleeping and report CONN_READY unless
 * woken (TLS has buffered bytes to hand out). */
static enum conn_wait_result conn_wait(struct imap_conn *c, int fd,
                                       short events, int64_t deadline,
                                       int wake_fd, bool nowait)
{
	for (;;) {
		struct pollfd pfd[3] = {{fd, events, 0}};
		nfds_t n = 1;
		int wi = -1, ei = -1, r;

		if (wake_fd >= 0) {
			wi = (int)n;
			pfd[n++] = (struct pollfd){wake_fd, POLLIN, 0};
		}
		if (c->errfd >= 0) {
			ei = (int)n;
			pfd[n++] = (struct pollfd){c->errfd, POLLIN, 0};
		}
		r = poll(pfd, n, nowait ? 0 : conn_remaining(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return CONN_FAILED;
		if (wi >= 0 && pfd[wi].revents != 0)
			return CONN_WOKEN;
		if (ei >= 0 && pfd[ei].revents != 0)
			conn_drain_stderr(c);
		if (pfd[0].revents != 0 || nowait)
			return CONN_READY;
		if (conn_remaining(deadline) == 0)
			return CONN_TIMEDOUT;
	}
}

/* The text of the last TLS error, for messages. */
static const char *conn_ssl_reason(int ssl_error)
{
	unsigned long e = ERR_peek_last_error();
	const char *s;

	if (e != 0) {
		s = ERR_reason_error_string(e);
		return s != NULL ? s : "unknown TLS error";
	}
	if (ssl_error == SSL_ERROR_SYSCALL && errno != 0)
		return strerror(errno);
	return _("connection closed by server");
}

/* ------------------------------------------------------------ raw I/O */

static ssize_t conn_ssl_read(struct imap_conn *c, char *p, size_t n,
                             short *want, struct pt_error *err)
{
	struct conn_sigpipe g;
	size_t got = 0;
	int r, e;

	ERR_clear_error();
	errno = 0;
	conn_sigpipe_block(&g);
	r = SSL_read_ex(c->ssl, p, n, &got);
	e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, r);
	conn_sigpipe_restore(&g);
	switch (e) {
	case SSL_ERROR_NONE:
		return (ssize_t)got;
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		return CONN_IO_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		return CONN_IO_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	}
	c->tls_up = false; /* fatal: no close_notify any more */
	/* A close without close_notify is reported by OpenSSL 3 as an
	 * error; for IMAP it is an ordinary end of connection. */
	if ((e == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0) ||
	    ERR_GET_REASON(ERR_peek_error()) ==
	            SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return 0;
	pt_error_set(err, e == SSL_ERROR_SSL ? PT_E_TLS : PT_E_CONN,
	             _("%s: TLS read failed: %s"), c->name, conn_ssl_reason(e));
	return CONN_IO_ERROR;
}

/* Read up to n bytes: > 0, 0 at EOF, CONN_IO_AGAIN or CONN_IO_ERROR. */
static ssize_t conn_read_some(struct imap_conn *c, char *p, size_t n,
                              short *want, struct pt_error *err)
{
	ssize_t r;

	if (c->ssl != NULL)
		return conn_ssl_read(c, p, n, want, err);
	for (;;) {
		r = read(c->fd, p, n);
		if (r >= 0) {
			c->st.wire_in += (uint64_t)r;
			return r;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*want = POLLIN;
			return CONN_IO_AGAIN;
		}
		pt_error_set(err, PT_E_CONN, _("%s: read failed: %s"), c->name,
		             strerror(errno));
		return CONN_IO_ERROR;
	}
}

static ssize_t conn_ssl_write(struct imap_conn *c, const char *p, size_t n,
                              short *want, struct pt_error *err)
{
	struct conn_sigpipe g;
	size_t done = 0;
	int r, e;

	ERR_clear_error();
	errno = 0;
	conn_sigpipe_block(&g);
	r = SSL_write_ex(c->ssl, p, n, &done);
	e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, r);
	conn_sigpipe_restore(&g);
	if (e == SSL_ERROR_NONE)
		return (ssize_t)done;
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return CONN_IO_AGAIN;
	}
	c->tls_up = false;
	pt_error_set(err, e == SSL_ERROR_SSL ? PT_E_TLS : PT_E_CONN,
	             _("%s: connection lost while writing: %s"), c->name,
	             conn_ssl_reason(e));
	return CONN_IO_ERROR;
}

/* Write up to n bytes: > 0, CONN_IO_AGAIN or CONN_IO_ERROR. */
static ssize_t conn_write_some(struct imap_conn *c, const char *p, size_t n,
                               short *want, struct pt_error *err)
{
	struct conn_sigpipe g;
	ssize_t r;

	if (c->ssl != NULL)
		return conn_ssl_write(c, p, n, want, err);
	do {
		if (c->sock) {
			r = send(c->wfd, p, n, MSG_NOSIGNAL);
		} else {
			conn_sigpipe_block(&g);
			r = write(c->wfd, p, n);
			conn_sigpipe_restore(&g);
		}
	} while (r < 0 && errno == EINTR);
	if (r >= 0) {
		c->st.wire_out += (uint64_t)r;
		return r;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*want = POLLOUT;
		return CONN_IO_AGAIN;
	}
	pt_error_set(err, PT_E_CONN, _("%s: connection lost while writing: %s"),
	             c->name, strerror(errno));
	return CONN_IO_ERROR;
}

/* ------------------------------------------------------------ tunnel */

/* Collect the tunnel's exit status, waiting up to ms (-1: forever). */
static bool conn_wait_child(struct imap_conn *c, int ms)
{
	const struct timespec tick = {0, 5 * 1000 * 1000};
	int64_t deadline = conn_deadline(ms < 0 ? 0 : ms);
	pid_t r;

	while (!c->reaped) {
		r = waitpid(c->pid, &c->child_status, ms < 0 ? 0 : WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0) {
			/* ECHILD: reaped elsewhere (SIGCHLD ignored). */
			if (r < 0)
				c->child_status = -1;
			c->reaped = true;
			break;
		}
		if (conn_remaining(deadline) == 0)
			return false;
		nanosleep(&tick, NULL);
	}
	return true;
}

/* Reap the child: a grace period to exit on EOF, then SIGTERM, SIGKILL. */
static void conn_reap(struct imap_conn *c)
{
	if (c->pid <= 0 || conn_wait_child(c, CONN_REAP_GRACE_MS))
		return;
	kill(c->pid, SIGTERM);
	if (conn_wait_child(c, CONN_REAP_GRACE_MS))
		return;
	kill(c->pid, SIGKILL);
	conn_wait_child(c, -1);
}

static void conn_spawn_attr(posix_spawnattr_t *at)
{
	static const int sigs[] = {SIGPIPE, SIGINT,  SIGQUIT, SIGHUP,
	                           SIGTERM, SIGCHLD, SIGALRM, SIGUSR1,
	                           SIGUSR2, SIGWINCH};
	sigset_t none, def;
	size_t i;

	sigemptyset(&none);
	sigemptyset(&def);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&def, sigs[i]);
	posix_spawnattr_init(at);
	posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGMASK |
	                                     POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &def);
}

/* Run the tunnel command; pipes are CLOEXEC so the child inherits only
 * its stdin, stdout and (as configured) stderr. */
static int conn_spawn(struct imap_conn *c, const struct imap_conn_params *p,
                      int in[2], int out[2], int errp[2])
{
	char *argv[] = {"sh", "-c", (char *)p->tunnel, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	if (p->tunnel_stderr == IMAP_TUNNEL_STDERR_FD)
		posix_spawn_file_actions_adddup2(&fa, p->tunnel_stderr_fd,
		                                 STDERR_FILENO);
	else if (p->tunnel_stderr == IMAP_TUNNEL_STDERR_TRACE)
		posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
	conn_spawn_attr(&at);
	rc = posix_spawn(&c->pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		c->pid = -1;
	return rc;
}

static int conn_tunnel_open(struct imap_conn *c,
                            const struct imap_conn_params *p,
                            struct pt_error *err)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
	int rc = 0;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    (p->tunnel_stderr == IMAP_TUNNEL_STDERR_TRACE &&
	     pipe2(errp, O_CLOEXEC) < 0))
		rc = errno;
	if (rc == 0)
		rc = conn_spawn(c, p, in, out, errp);
	conn_close_fd(&in[0]);
	conn_close_fd(&out[1]);
	conn_close_fd(&errp[1]);
	c->wfd = in[1];
	c->fd = out[0];
	c->errfd = errp[0];
	if (rc == 0 &&
	    (conn_set_nonblock(c->fd) < 0 || conn_set_nonblock(c->wfd) < 0 ||
	     (c->errfd >= 0 && conn_set_nonblock(c->errfd) < 0)))
		rc = errno;
	if (rc != 0)
		return pt_error_set(err, PT_E_CONN,
		                    _("cannot run the tunnel command: %s"),
		                    strerror(rc));
	if (c->trace != NULL)
		imap_trace_note(c->trace, "tunnel command started (pid %ld)",
		                (long)c->pid);
	return 0;
}

/* The end of the stream: say why, with the tunnel's exit status. */
static int conn_eof_error(struct imap_conn *c, struct pt_error *err)
{
	int st;

	if (c->pid <= 0)
		return pt_error_set(err, PT_E_CONN,
		                    _("%s: connection closed by server"),
		                    c->name);
	if (!conn_wait_child(c, CONN_EOF_STATUS_MS) || c->child_status < 0)
		return pt_error_set(err, PT_E_CONN,
		                    _("tunnel command closed the connection"));
	st = c->child_status;
	if (WIFEXITED(st))
		return pt_error_set(
		        err, PT_E_CONN,
		        _("tunnel command closed the connection: exit status %d"),
		        WEXITSTATUS(st));
	return pt_error_set(err, PT_E_CONN,
	                    _("tunnel command closed the connection: killed by "
	                      "signal %d"),
	                    WTERMSIG(st));
}

/* ------------------------------------------------------------ TCP */

static void conn_tcp_options(int fd)
{
	int one = 1;

	/* Commands are written whole; Nagle would only delay them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
#ifdef TCP_KEEPIDLE
	{
		int idle = 60, intvl = 20, cnt = 4;

		setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
		           sizeof intvl);
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	}
#endif
}

/* Finish a non-blocking connect: 0, an errno value, or -1 on a timeout
 * and IMAP_CONN_INTERRUPTED when woken. */
static int conn_tcp_finish(struct imap_conn *c, int fd, int64_t deadline,
                           int wake_fd)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	switch (conn_wait(c, fd, POLLOUT, deadline, wake_fd, false)) {
	case CONN_READY:
		break;
	case CONN_WOKEN:
		return IMAP_CONN_INTERRUPTED;
	case CONN_TIMEDOUT:
		return -1;
	case CONN_FAILED:
		return errno;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return errno;
	return soerr;
}

/* Try one address. Returns 0, -1 (err set), IMAP_CONN_INTERRUPTED. */
static int conn_tcp_try(struct imap_conn *c, const struct addrinfo *ai,
                        int64_t deadline, int wake_fd, struct pt_error *err)
{
	char addr[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
	int fd, rc = 0;

	getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, port,
	            sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0)
		rc = errno;
	else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		rc = errno == EINPROGRESS
		             ? conn_tcp_finish(c, fd, deadline, wake_fd)
		             : errno;
	if (rc == 0) {
		conn_tcp_options(fd);
		c->fd = c->wfd = fd;
		if (c->trace != NULL)
			imap_trace_note(c->trace,
			                "connected to %s (%s) port %s", c->name,
			                addr, port);
		return 0;
	}
	conn_close_fd(&fd);
	if (rc == IMAP_CONN_INTERRUPTED) {
		pt_error_set(err, PT_E_CONN, _("%s: connection interrupted"),
		             c->name);
		return rc;
	}
	return pt_error_set(err, PT_E_CONN,
	                    _("cannot connect to %s (%s) port %s: %s"), c->name,
	                    addr, port, rc < 0 ? _("timed out") : strerror(rc));
}

static int conn_tcp_open(struct imap_conn *c, const struct imap_conn_params *p,
                         int64_t deadline, int wake_fd, struct pt_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%u",
	         p->port != 0 ? p->port
	                      : (p->tls == IMAP_TLS_IMPLICIT ? 993u : 143u));
	rc = getaddrinfo(p->host, port, &hints, &res);
	if (rc != 0)
		return pt_error_set(
		        err, PT_E_CONN, _("cannot resolve %s: %s"), p->host,
		        rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	rc = -1;
	for (ai = res; ai != NULL && rc == -1; ai = ai->ai_next) {
		rc = conn_tcp_try(c, ai, deadline, wake_fd, err);
		if (conn_remaining(deadline) == 0)
			break;
	}
	freeaddrinfo(res);
	return rc;
}

/* ------------------------------------------------------------ TLS */

static void conn_add_name(struct buf *b, const unsigned char *s, int n)
{
	int i;

	if (b->len > 0)
		buf_addstr(b, ", ");
	for (i = 0; i < n; i++)
		buf_addch(b, s[i] > 0x20 && s[i] < 0x7f ? (char)s[i] : '?');
}

static void conn_add_ip(struct buf *b, const ASN1_OCTET_STRING *ip)
{
	char s[INET6_ADDRSTRLEN] = "?";
	int n = ASN1_STRING_length(ip);

	if (n == 4 || n == 16)
		inet_ntop(n == 4 ? AF_INET : AF_INET6,
		          ASN1_STRING_get0_data(ip), s, sizeof s);
	conn_add_name(b, (const unsigned char *)s, (int)strlen(s));
}

/* The names a certificate is for: its subjectAltNames, else its CN. */
static void conn_cert_names(X509 *x, char *out, size_t size)
{
	GENERAL_NAMES *gens =
	        X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	X509_NAME *subj = X509_get_subject_name(x);
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS)
			conn_add_name(&b, ASN1_STRING_get0_data(g->d.dNSName),
			              ASN1_STRING_length(g->d.dNSName));
		else if (g->type == GEN_IPADD)
			conn_add_ip(&b, g->d.iPAddress);
	}
	GENERAL_NAMES_free(gens);
	i = subj != NULL ? X509_NAME_get_index_by_NID(subj, NID_commonName, -1)
	                 : -1;
	if (b.len == 0 && i >= 0) {
		ASN1_STRING *cn =
		        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));

		conn_add_name(&b, ASN1_STRING_get0_data(cn),
		              ASN1_STRING_length(cn));
	}
	snprintf(out, size, "%s", b.len > 0 ? buf_str(&b) : "no name");
	buf_free(&b);
}

/* Verification stays OpenSSL's; this only remembers the leaf's names so
 * that a mismatch can say what the certificate is for. */
static int conn_verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
	        xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct imap_conn *c = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(xs);

	if (c != NULL && cert != NULL &&
	    X509_STORE_CTX_get_error_depth(xs) == 0)
		conn_cert_names(cert, c->cert_names, sizeof c->cert_names);
	return ok;
}

static bool conn_is_ip_literal(const char *host)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	       inet_pton(AF_INET6, host, tmp) == 1;
}

/* Expected identity: a DNS name (with SNI) or an IP address. */
static int conn_tls_set_host(struct imap_conn *c, const char *host)
{
	if (conn_is_ip_literal(host))
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		                                     host) == 1
		               ? 0
		               : -1;
	SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (SSL_set_tlsext_host_name(c->ssl, host) != 1 ||
	    SSL_set1_host(c->ssl, host) != 1)
		return -1;
	return 0;
}

/* Add the certificates of a PEM file as trust anchors. A file without
 * any certificate is an error, not an empty addition. */
static int conn_ctx_add_ca_file(SSL_CTX *ctx, const char *ca_file,
                                struct pt_error *err)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509_INFO) *infos = NULL;
	BIO *bio = BIO_new_file(ca_file, "r");
	int i, n = 0;

	if (bio != NULL)
		infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
	for (i = 0; infos != NULL && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if (xi->x509 != NULL && X509_STORE_add_cert(store, xi->x509))
			n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	if (n > 0) {
		ERR_clear_error();
		return 0;
	}
	return pt_error_set(
	        err, PT_E_CONFIG, _("ca_file %s: cannot load certificates: %s"),
	        ca_file,
	        ERR_peek_last_error() != 0 ? conn_ssl_reason(SSL_ERROR_SSL)
	                                   : _("no certificate found"));
}

/* A new client context: TLS >= 1.2, peer verification against the system
 * store and ca_file. */
static SSL_CTX *conn_ctx_new(const char *ca_file, struct pt_error *err)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		pt_error_set(err, PT_E_TLS, _("TLS: cannot initialise: %s"),
		             conn_ssl_reason(SSL_ERROR_SSL));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, conn_verify_cb);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* A missing system store is not fatal: ca_file may be enough, and
	 * verification fails clearly otherwise. */
	SSL_CTX_set_default_verify_paths(ctx);
	ERR_clear_error();
	if (ca_file != NULL && conn_ctx_add_ca_file(ctx, ca_file, err) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Loading the system trust store takes about 20 ms, more than a loopback
 * handshake, so the configured context is shared by connections with the
 * same ca_file (an SSL_CTX may be shared between threads once set up). It
 * is rebuilt when ca_file changes on disk or after CONN_CTX_MAX_AGE_MS,
 * so a long-running petrel sees updates of the system store. */
#define CONN_CTX_MAX_AGE_MS (3600 * 1000)

static struct {
	pthread_mutex_t lock;
	SSL_CTX *ctx;
	char *ca_file;
	struct stat st;
	int64_t loaded_ms;
} conn_ctx_cache = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, {0}, 0};

static bool conn_ctx_fresh(const char *ca_file, const struct stat *st)
{
	const struct stat *old = &conn_ctx_cache.st;

	if (conn_ctx_cache.ctx == NULL ||
	    conn_now_ms() - conn_ctx_cache.loaded_ms > CONN_CTX_MAX_AGE_MS ||
	    (ca_file == NULL) != (conn_ctx_cache.ca_file == NULL))
		return false;
	if (ca_file == NULL)
		return true;
	return strcmp(ca_file, conn_ctx_cache.ca_file) == 0 &&
	       st->st_dev == old->st_dev && st->st_ino == old->st_ino &&
	       st->st_size == old->st_size &&
	       st->st_mtim.tv_sec == old->st_mtim.tv_sec &&
	       st->st_mtim.tv_nsec == old->st_mtim.tv_nsec;
}

/* A reference to the shared context (the caller frees it). */
static SSL_CTX *conn_ctx_get(const char *ca_file, struct pt_error *err)
{
	struct stat st;
	SSL_CTX *ctx = NULL;

	memset(&st, 0, sizeof st);
	if (ca_file != NULL && stat(ca_file, &st) < 0) {
		pt_error_set(err, PT_E_CONFIG,
		             _("ca_file %s: cannot load certificates: %s"),
		             ca_file, strerror(errno));
		return NULL;
	}
	pthread_mutex_lock(&conn_ctx_cache.lock);
	if (conn_ctx_fresh(ca_file, &st)) {
		ctx = conn_ctx_cache.ctx;
	} else if ((ctx = conn_ctx_new(ca_file, err)) != NULL) {
		SSL_CTX_free(conn_ctx_cache.ctx);
		free(conn_ctx_cache.ca_file);
		conn_ctx_cache.ctx = ctx;
		conn_ctx_cache.ca_file =
		        ca_file != NULL ? xstrdup(ca_file) : NULL;
		conn_ctx_cache.st = st;
		conn_ctx_cache.loaded_ms = conn_now_ms();
	}
	/* The cache keeps its reference; this one is the caller's. */
	if (ctx != NULL && SSL_CTX_up_ref(ctx) != 1) {
		pt_error_set(err, PT_E_INTERNAL, "SSL_CTX_up_ref failed");
		ctx = NULL;
	}
	pthread_mutex_unlock(&conn_ctx_cache.lock);
	return ctx;
}

void imap_conn_tls_cache_clear(void)
{
	pthread_mutex_lock(&conn_ctx_cache.lock);
	SSL_CTX_free(conn_ctx_cache.ctx);
	free(conn_ctx_cache.ca_file);
	conn_ctx_cache.ctx = NULL;
	conn_ctx_cache.ca_file = NULL;
	pthread_mutex_unlock(&conn_ctx_cache.lock);
}

static int conn_tls_setup(struct imap_conn *c, const char *host,
                          struct pt_error *err)
{
	c->ctx = conn_ctx_get(c->ca_file, err);
	if (c->ctx == NULL)
		return -1;
	ERR_clear_error();
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    conn_tls_set_host(c, host) < 0)
		return pt_error_set(err, PT_E_TLS, _("TLS: cannot set up: %s"),
		                    conn_ssl_reason(SSL_ERROR_SSL));
	SSL_set_app_data(c->ssl, c);
	SSL_set_connect_state(c->ssl);
	return 0;
}

static int conn_tls_fail(struct imap_conn *c, const char *host, int e,
                         struct pt_error *err)
{
	long vr = SSL_get_verify_result(c->ssl);

	if (vr == X509_V_ERR_HOSTNAME_MISMATCH ||
	    vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
		return pt_error_set(err, PT_E_TLS,
		                    _("TLS: host name mismatch for %s: "
		                      "certificate is for %s"),
		                    host, c->cert_names);
	if (vr != X509_V_OK)
		return pt_error_set(
		        err, PT_E_TLS,
		        _("TLS: certificate verify failed for %s: %s"), host,
		        X509_verify_cert_error_string(vr));
	return pt_error_set(err, PT_E_TLS,
	                    _("TLS: handshake with %s failed: %s"), host,
	                    conn_ssl_reason(e));
}

static int conn_tls_step(struct imap_conn *c, int *e_r)
{
	struct conn_sigpipe g;
	int r;

	ERR_clear_error();
	errno = 0;
	conn_sigpipe_block(&g);
	r = SSL_do_handshake(c->ssl);
	*e_r = r == 1 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, r);
	conn_sigpipe_restore(&g);
	return r;
}

static int conn_tls_handshake(struct imap_conn *c, const char *host,
                              int64_t deadline, int wake_fd,
                              struct pt_error *err)
{
	int64_t t0 = conn_now_ms();
	int e;

	if (conn_tls_setup(c, host, err) < 0)
		return -1;
	while (conn_tls_step(c, &e) != 1) {
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return conn_tls_fail(c, host, e, err);
		switch (conn_wait(c, c->fd,
		                  e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
		                  deadline, wake_fd, false)) {
		case CONN_READY:
			break;
		case CONN_WOKEN:
			pt_error_set(err, PT_E_CONN,
			             _("%s: connection interrupted"), host);
			return IMAP_CONN_INTERRUPTED;
		case CONN_TIMEDOUT:
			return pt_error_set(
			        err, PT_E_CONN,
			        _("TLS: handshake with %s timed out"), host);
		case CONN_FAILED:
			return pt_error_set(err, PT_E_CONN, "poll: %s",
			                    strerror(errno));
		}
	}
	c->tls_up = true;
	snprintf(c->tls_info, sizeof c->tls_info, "%s %s",
	         SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
	if (c->trace != NULL)
		imap_trace_note(c->trace, "TLS handshake done in %lld ms: %s",
		                (long long)(conn_now_ms() - t0), c->tls_info);
	return 0;
}

/* ------------------------------------------------------------ public */

static int conn_check_params(const struct imap_conn_params *p,
                             struct pt_error *err)
{
	if ((p->host == NULL) == (p->tunnel == NULL))
		return pt_error_set(err, PT_E_CONFIG,
		                    _("exactly one of host and tunnel must be "
		                      "set"));
	if (p->host != NULL && p->host[0] == '\0')
		return pt_error_set(err, PT_E_CONFIG, _("empty host name"));
	if (p->port > 65535)
		return pt_error_set(err, PT_E_CONFIG, _("invalid port %u"),
		                    p->port);
	return 0;
}

static int conn_open_trace(struct imap_conn *c,
                           const struct imap_conn_params *p,
                           struct pt_error *err)
{
	FILE *fp = p->trace;
	int fd;

	if (fp == NULL && p->trace_path != NULL) {
		fd = open(p->trace_path,
		          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		fp = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (fp == NULL) {
			if (fd >= 0)
				close(fd);
			return pt_error_set(err, PT_E_USAGE,
			                    _("cannot open trace file %s: %s"),
			                    p->trace_path, strerror(errno));
		}
		c->trace_fp = fp;
	}
	if (fp != NULL)
		c->trace = imap_trace_new(fp);
	return 0;
}

static int conn_default(int v, int def)
{
	return v > 0 ? v : def;
}

static struct imap_conn *conn_new(const struct imap_conn_params *p)
{
	struct imap_conn *c = xcalloc(1, sizeof *c);

	c->fd = c->wfd = c->errfd = -1;
	c->pid = -1;
	c->sock = p->tunnel == NULL;
	c->name = xstrdup(p->host != NULL ? p->host : "tunnel");
	c->ca_file = p->ca_file != NULL ? xstrdup(p->ca_file) : NULL;
	c->connect_timeout_ms = conn_default(p->connect_timeout_ms,
	                                     IMAP_CONN_CONNECT_TIMEOUT_MS);
	c->io_timeout_ms =
	        conn_default(p->io_timeout_ms, IMAP_CONN_IO_TIMEOUT_MS);
	c->idle_timeout_ms =
	        conn_default(p->idle_timeout_ms, IMAP_CONN_IDLE_TIMEOUT_MS);
	return c;
}

int imap_conn_open(const struct imap_conn_params *p, int wake_fd,
                   struct imap_conn **conn_r, struct pt_error *err)
{
	struct imap_conn *c;
	int64_t deadline;
	int r;

	*conn_r = NULL;
	if (conn_check_params(p, err) < 0)
		return -1;
	c = conn_new(p);
	deadline = conn_deadline(c->connect_timeout_ms);
	r = conn_open_trace(c, p, err);
	if (r == 0 && p->tunnel != NULL)
		r = conn_tunnel_open(c, p, err);
	else if (r == 0)
		r = conn_tcp_open(c, p, deadline, wake_fd, err);
	if (r == 0 && p->tunnel == NULL && p->tls == IMAP_TLS_IMPLICIT)
		r = conn_tls_handshake(c, p->host, deadline, wake_fd, err);
	if (r < 0) {
		if (c->trace != NULL)
			imap_trace_note(c->trace, "%s",
			                err != NULL ? err->msg : "failed");
		imap_conn_close(&c);
		return r;
	}
	*conn_r = c;
	return 0;
}

void imap_conn_close(struct imap_conn **connp)
{
	struct imap_conn *c = *connp;
	struct conn_sigpipe g;

	if (c == NULL)
		return;
	if (c->tls_up) {
		/* One non-blocking close_notify; the server will not wait. */
		conn_sigpipe_block(&g);
		SSL_shutdown(c->ssl);
		conn_sigpipe_restore(&g);
	}
	SSL_free(c->ssl);
	ERR_clear_error();
	SSL_CTX_free(c->ctx);
	if (c->wfd != c->fd)
		conn_close_fd(&c->wfd);
	conn_close_fd(&c->fd);
	conn_reap(c);
	conn_drain_stderr(c);
	conn_close_fd(&c->errfd);
	if (c->trace != NULL)
		imap_trace_note(c->trace, "connection to %s closed", c->name);
	imap_trace_free(&c->trace);
	if (c->trace_fp != NULL)
		fclose(c->trace_fp);
	buf_free(&c->rbuf);
	free(c->name);
	free(c->ca_file);
	free(c);
	*connp = NULL;
}

/* Discard what the server sent before the handshake (RFC 3501 section
 * 6.2.1): the buffer, and whatever already sits in the socket. */
static void conn_discard_plain(struct imap_conn *c)
{
	char tmp[4096];
	size_t n = c->rbuf.len;
	ssize_t r;

	while ((r = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT)) > 0 ||
	       (r < 0 && errno == EINTR)) {
		if (r <= 0)
			continue;
		n += (size_t)r;
		c->st.wire_in += (uint64_t)r;
		if (c->trace != NULL)
			imap_trace_bytes(c->trace, IMAP_TRACE_SERVER, tmp,
			                 (size_t)r);
	}
	if (c->trace != NULL)
		imap_trace_discard(c->trace, n);
	buf_reset(&c->rbuf);
}

int imap_conn_starttls(struct imap_conn *c, const char *host,
                       struct pt_error *err)
{
	if (c->ssl != NULL || !c->sock)
		return pt_error_set(err, PT_E_INTERNAL,
		                    _("STARTTLS needs a plain TCP connection"));
	conn_discard_plain(c);
	return conn_tls_handshake(c, host, conn_deadline(c->connect_timeout_ms),
	                          -1, err);
}

/* Read into the buffer: one read, then what TLS already holds. */
static ssize_t conn_read_into_buf(struct imap_conn *c, short *want,
                                  struct pt_error *err)
{
	size_t start = c->rbuf.len, room;
	ssize_t r = 0;

	do {
		room = IMAP_CONN_RBUF_MAX - c->rbuf.len;
		if (room == 0)
			break;
		if (room > CONN_READ_CHUNK)
			room = CONN_READ_CHUNK;
		buf_reserve(&c->rbuf, room);
		r = conn_read_some(c, c->rbuf.data + c->rbuf.len, room, want,
		                   err);
		if (r <= 0)
			break;
		c->rbuf.len += (size_t)r;
		c->rbuf.data[c->rbuf.len] = '\0';
	} while (c->ssl != NULL && SSL_pending(c->ssl) > 0);
	if (c->rbuf.len == start)
		return r;
	/* A later error will show again on the next call. */
	c->st.bytes_in += c->rbuf.len - start;
	if (c->trace != NULL)
		imap_trace_bytes(c->trace, IMAP_TRACE_SERVER,
		                 c->rbuf.data + start, c->rbuf.len - start);
	return (ssize_t)(c->rbuf.len - start);
}

static int conn_fill_timeout(const struct imap_conn *c, int timeout_ms)
{
	if (timeout_ms == IMAP_CONN_WAIT_IDLE)
		return c->idle_timeout_ms;
	if (timeout_ms < 0)
		return c->io_timeout_ms;
	return timeout_ms;
}

int imap_conn_fill(struct imap_conn *c, int timeout_ms, int wake_fd,
                   struct pt_error *err)
{
	int ms = conn_fill_timeout(c, timeout_ms);
	int64_t deadline = conn_deadline(ms);
	short want = POLLIN;
	bool blocked = false;
	ssize_t n;

	if (c->rbuf.len >= IMAP_CONN_RBUF_MAX)
		return pt_error_set(err, PT_E_PROTO,
		                    _("%s: server response larger than %zu MB"),
		                    c->name, IMAP_CONN_RBUF_MAX >> 20);
	for (;;) {
		/* TLS may hold bytes poll() cannot see; after a read that
		 * would block (a partial record), poll for real. */
		bool nowait = !blocked && imap_conn_pending(c);

		switch (conn_wait(c, c->fd, want, deadline, wake_fd, nowait)) {
		case CONN_READY:
			break;
		case CONN_WOKEN:
			return IMAP_CONN_WOKEN;
		case CONN_TIMEDOUT:
			pt_error_set(err, PT_E_CONN,
			             _("%s: no response within %d.%03d s"),
			             c->name, ms / 1000, ms % 1000);
			return IMAP_CONN_TIMEOUT;
		case CONN_FAILED:
			return pt_error_set(err, PT_E_CONN, "poll: %s",
			                    strerror(errno));
		}
		n = conn_read_into_buf(c, &want, err);
		if (n > 0)
			return n > INT_MAX ? INT_MAX : (int)n;
		if (n == 0)
			return conn_eof_error(c, err);
		if (n == CONN_IO_ERROR)
			return -1;
		blocked = true;
	}
}

struct buf *imap_conn_buf(struct imap_conn *c)
{
	return &c->rbuf;
}

void imap_conn_consume(struct imap_conn *c, size_t n)
{
	buf_consume(&c->rbuf, n);
}

static int conn_write_all(struct imap_conn *c, const char *p, size_t len,
                          struct pt_error *err)
{
	int64_t deadline = conn_deadline(c->io_timeout_ms);
	short want = POLLOUT;
	ssize_t n;

	while (len > 0) {
		n = conn_write_some(c, p, len, &want, err);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			c->st.bytes_out += (uint64_t)n;
			continue;
		}
		if (n == CONN_IO_ERROR)
			return -1;
		switch (conn_wait(c, want == POLLIN ? c->fd : c->wfd, want,
		                  deadline, -1, false)) {
		case CONN_READY:
		case CONN_WOKEN:
			break;
		case CONN_TIMEDOUT:
			return pt_error_set(err, PT_E_CONN,
			                    _("%s: write timed out"), c->name);
		case CONN_FAILED:
			return pt_error_set(err, PT_E_CONN, "poll: %s",
			                    strerror(errno));
		}
	}
	return 0;
}

int imap_conn_write(struct imap_conn *c, const void *data, size_t len,
                    struct pt_error *err)
{
	if (c->trace != NULL)
		imap_trace_bytes(c->trace, IMAP_TRACE_CLIENT, data, len);
	return conn_write_all(c, data, len, err);
}

int imap_conn_write_secret(struct imap_conn *c, const void *data, size_t len,
                           struct pt_error *err)
{
	if (c->trace != NULL)
		imap_trace_secret(c->trace, data, len);
	return conn_write_all(c, data, len, err);
}

int imap_conn_printf(struct imap_conn *c, struct pt_error *err, const char *fmt,
                     ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	r = imap_conn_write(c, s, strlen(s), err);
	free(s);
	return r;
}

int imap_conn_fd(const struct imap_conn *c)
{
	return c->fd;
}

bool imap_conn_pending(const struct imap_conn *c)
{
	return c->ssl != NULL && SSL_has_pending(c->ssl);
}

bool imap_conn_is_tls(const struct imap_conn *c)
{
	return c->ssl != NULL;
}

const char *imap_conn_tls_info(const struct imap_conn *c)
{
	return c->tls_info;
}

pid_t imap_conn_tunnel_pid(const struct imap_conn *c)
{
	return c->pid;
}

void imap_conn_stats(const struct imap_conn *c, struct imap_conn_stats *st_r)
{
	*st_r = c->st;
	if (c->ssl != NULL) {
		st_r->wire_in += BIO_number_read(SSL_get_rbio(c->ssl));
		st_r->wire_out += BIO_number_written(SSL_get_wbio(c->ssl));
	}
}

struct imap_trace *imap_conn_trace(struct imap_conn *c)
{
	return c->trace;
}
