/* test-imap-conn.c: the IMAP transport and its protocol trace, against
 * real peers on 127.0.0.1 only: `openssl s_server`, forked mini-servers and
 * tunnel commands. Certificates are made with the openssl command in a
 * temporary directory at test time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <openssl/ssl.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/wake.h"
#include "common/xmalloc.h"
#include "imap/imap-conn.h"
#include "imap/imap-trace.h"

static char tmpdir[] = "/tmp/petrel-conn-XXXXXX";

static char *tpath(const char *name)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return rc;
}

/* A CA, and leaf certificates signed by it or by an untrusted CA. */
static int make_leaf(const char *name, const char *ca, const char *san)
{
	return sh("cd %s && openssl req -new -newkey ec -pkeyopt "
	          "ec_paramgen_curve:P-256 -nodes -keyout %s.key -out %s.csr "
	          "-subj /CN=%s >/dev/null 2>&1 && "
	          "printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\n"
	          "extendedKeyUsage=serverAuth\\n' >%s.ext && "
	          "openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key "
	          "-CAcreateserial -days 2 -out %s.pem -extfile %s.ext "
	          ">/dev/null 2>&1",
	          tmpdir, name, name, name, san, name, name, ca, ca, name,
	          name);
}

static int make_ca(const char *name)
{
	return sh("cd %s && openssl req -x509 -newkey ec -pkeyopt "
	          "ec_paramgen_curve:P-256 -nodes -keyout %s.key -out %s.pem "
	          "-days 2 -subj '/CN=Petrel test %s' >/dev/null 2>&1",
	          tmpdir, name, name, name);
}

static int group_setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (make_ca("ca") != 0 || make_ca("badca") != 0 ||
	    make_leaf("srv", "ca", "DNS:localhost,IP:127.0.0.1") != 0 ||
	    make_leaf("other", "ca", "DNS:other.example") != 0 ||
	    make_leaf("bad", "badca", "DNS:localhost") != 0)
		return -1;
	/* A SIGPIPE must be handled by the transport, not by luck. */
	signal(SIGPIPE, SIG_DFL);
	return 0;
}

static int group_teardown(void **state)
{
	sh("rm -rf %s", tmpdir);
	imap_conn_tls_cache_clear();
	return 0;
}

/* ------------------------------------------------------------ peers */

struct peer {
	pid_t pid;
	unsigned port;
	FILE *out; /* s_server's stdout, kept open so it never gets SIGPIPE */
};

/* openssl s_server on a free port, echoing lines reversed (-rev). */
static void peer_s_server(struct peer *s, const char *leaf, const char *chain,
                          int naccept)
{
	char line[512], n[16], cert[PATH_MAX], key[PATH_MAX];
	int p[2];

	snprintf(cert, sizeof cert, "%s/%s.pem", tmpdir, leaf);
	snprintf(key, sizeof key, "%s/%s.key", tmpdir, leaf);
	snprintf(n, sizeof n, "%d", naccept);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		const char *argv[16] = {
		        "openssl",  "s_server", "-accept", "127.0.0.1:0",
		        "-cert",    cert,       "-key",    key,
		        "-naccept", n,          "-rev",    NULL};

		if (chain != NULL) {
			argv[11] = "-cert_chain";
			argv[12] = tpath(chain);
		}
		dup2(p[1], 1);
		close(2); /* its per-connection chatter */
		open("/dev/null", O_WRONLY);
		close(0);
		open("/dev/null", O_RDONLY);
		execvp("openssl", (char **)argv);
		_exit(127);
	}
	close(p[1]);
	s->out = fdopen(p[0], "r");
	s->port = 0;
	while (s->port == 0 && fgets(line, sizeof line, s->out) != NULL) {
		char *colon = strrchr(line, ':');

		if (strncmp(line, "ACCEPT ", 7) == 0 && colon != NULL)
			s->port = (unsigned)atoi(colon + 1);
	}
	assert_true(s->port > 0);
}

static void peer_stop(struct peer *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	if (s->out != NULL)
		fclose(s->out);
}

/* A listening socket on 127.0.0.1 that never accepts: connect succeeds
 * through the backlog, and nothing is ever sent. */
static int silent_listener(unsigned *port_r)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port_r = ntohs(a.sin_port);
	return fd;
}

/* Read until the buffer holds needle (or fail). */
static void fill_until(struct imap_conn *c, const char *needle)
{
	struct pt_error err = {0};
	int r;

	while (strstr(buf_str(imap_conn_buf(c)), needle) == NULL) {
		r = imap_conn_fill(c, 5000, -1, &err);
		if (r <= 0)
			fail_msg("waiting for '%s': %d %s", needle, r, err.msg);
	}
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(&b, tmp, n);
	fclose(fp);
	return buf_detach(&b);
}

static struct imap_conn_params tls_params(unsigned port)
{
	struct imap_conn_params p = {0};

	p.host = "localhost";
	p.port = port;
	p.tls = IMAP_TLS_IMPLICIT;
	p.ca_file = tpath("ca.pem");
	p.connect_timeout_ms = 5000;
	return p;
}

/* ------------------------------------------------------------ TLS */

static void test_imap_conn_tls_implicit_ok(void **state)
{
	struct imap_conn_params p;
	struct imap_conn_stats st;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct peer s;
	int64_t t0;

	peer_s_server(&s, "srv", NULL, 1);
	p = tls_params(s.port);
	t0 = now_us();
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	print_message("implicit TLS connect+handshake on loopback: %.2f ms "
	              "(%s)\n",
	              (now_us() - t0) / 1000.0, imap_conn_tls_info(c));
	assert_true(imap_conn_is_tls(c));
	assert_non_null(strstr(imap_conn_tls_info(c), "TLSv1."));
	assert_int_equal(imap_conn_write(c, "a1 NOOP\n", 8, &err), 0);
	fill_until(c, "POON 1a\n");
	imap_conn_stats(c, &st);
	assert_int_equal(st.bytes_out, 8);
	assert_true(st.bytes_in >= 8);
	assert_true(st.wire_in > st.bytes_in && st.wire_out > st.bytes_out);
	imap_conn_consume(c, imap_conn_buf(c)->len);
	assert_int_equal(imap_conn_buf(c)->len, 0);
	imap_conn_close(&c);
	assert_null(c);
	peer_stop(&s);
}

/* An IP literal is checked against the certificate's IP addresses and no
 * SNI is sent; the certificate has IP:127.0.0.1. */
static void test_imap_conn_tls_ip_literal(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct peer s;

	peer_s_server(&s, "srv", NULL, 1);
	p = tls_params(s.port);
	p.host = "127.0.0.1";
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	imap_conn_close(&c);
	peer_stop(&s);
}

static void test_imap_conn_tls_untrusted_ca(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct peer s;

	peer_s_server(&s, "bad", "badca.pem", 1);
	p = tls_params(s.port);
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_null(c);
	assert_int_equal(err.code, PT_E_TLS);
	print_message("untrusted CA: %s\n", err.msg);
	assert_non_null(strstr(err.msg,
	                       "TLS: certificate verify failed for localhost: "
	                       "self-signed certificate in certificate chain"));
	assert_null(strchr(err.msg, '\n'));
	peer_stop(&s);
}

/* Without ca_file, the test CA is not trusted: verification cannot be
 * skipped by leaving the trust anchor out. */
static void test_imap_conn_tls_system_store_only(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct peer s;

	peer_s_server(&s, "srv", NULL, 1);
	p = tls_params(s.port);
	p.ca_file = NULL;
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_TLS);
	assert_non_null(strstr(err.msg, "certificate verify failed"));
	peer_stop(&s);
}

static void test_imap_conn_tls_wrong_host(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct peer s;

	peer_s_server(&s, "other", NULL, 1);
	p = tls_params(s.port);
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_TLS);
	print_message("wrong host: %s\n", err.msg);
	assert_string_equal(err.msg, "TLS: host name mismatch for localhost: "
	                             "certificate is for other.example");
	peer_stop(&s);
}

static void test_imap_conn_tls_bad_ca_file(void **state)
{
	struct imap_conn_params p = tls_params(1);
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	unsigned port;
	int lfd = silent_listener(&port);

	p.port = port;
	p.ca_file = tpath("no-such-file.pem");
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_non_null(strstr(err.msg, "no-such-file.pem"));
	assert_int_equal(sh("echo garbage >%s", tpath("garbage.pem")), 0);
	p.ca_file = tpath("garbage.pem");
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_non_null(strstr(err.msg, "cannot load certificates"));
	close(lfd);
}

/* The TLS context is shared, but a ca_file replaced on disk is read
 * again: trust follows the file, not what was cached. */
static void test_imap_conn_tls_ca_file_reloaded(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct peer s;

	assert_int_equal(sh("cp %s %s", tpath("ca.pem"), tpath("ca2.pem")), 0);
	peer_s_server(&s, "srv", NULL, 2);
	p = tls_params(s.port);
	p.ca_file = tpath("ca2.pem");
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	imap_conn_close(&c);
	assert_int_equal(sh("cp %s %s.new && mv %s.new %s", tpath("badca.pem"),
	                    tpath("ca2.pem"), tpath("ca2.pem"),
	                    tpath("ca2.pem")),
	                 0);
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_TLS);
	peer_stop(&s);
}

/* Several handshakes, for the report: median time of connect+handshake. */
static void test_imap_conn_tls_handshake_timing(void **state)
{
	enum { N = 9 };
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	int64_t t[N], tmp;
	struct peer s;
	int i, j;

	peer_s_server(&s, "srv", NULL, N);
	p = tls_params(s.port);
	for (i = 0; i < N; i++) {
		t[i] = now_us();
		assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
		t[i] = now_us() - t[i];
		imap_conn_close(&c);
	}
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			if (t[j] < t[i]) {
				tmp = t[i];
				t[i] = t[j];
				t[j] = tmp;
			}
	print_message("TLS handshakes on loopback (%d): min %.2f ms, median "
	              "%.2f ms, max %.2f ms\n",
	              N, t[0] / 1000.0, t[N / 2] / 1000.0, t[N - 1] / 1000.0);
	assert_true(t[N / 2] < 2000000);
	peer_stop(&s);
}

/* The peer vanishes; writing must fail with PT_E_CONN, not kill us with
 * SIGPIPE (OpenSSL writes to the socket with plain write()). */
static void test_imap_conn_tls_peer_gone_no_sigpipe(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	char block[16384];
	sigset_t pend;
	struct peer s;
	int i, r = 0;

	peer_s_server(&s, "srv", NULL, 1);
	p = tls_params(s.port);
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	kill(s.pid, SIGKILL);
	waitpid(s.pid, NULL, 0);
	/* closed without close_notify (or reset, if the peer had unread
	 * bytes): an ordinary loss of connection, not a TLS failure */
	assert_int_equal(imap_conn_fill(c, 2000, -1, &err), -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_true(strcmp(err.msg, "localhost: connection closed by server") ==
	                    0 ||
	            strstr(err.msg, "reset") != NULL);
	memset(block, 'x', sizeof block);
	for (i = 0; i < 100 && r == 0; i++)
		r = imap_conn_write(c, block, sizeof block, &err);
	assert_int_equal(r, -1);
	assert_int_equal(err.code, PT_E_CONN);
	sigpending(&pend);
	assert_false(sigismember(&pend, SIGPIPE));
	imap_conn_close(&c);
	s.pid = -1;
	fclose(s.out);
}

/* ------------------------------------------------------------ TCP */

static void test_imap_conn_refused(void **state)
{
	struct imap_conn_params p = {0};
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	unsigned port;
	int lfd = silent_listener(&port);
	int64_t t0;

	close(lfd); /* nobody listens there now */
	p.host = "127.0.0.1";
	p.port = port;
	p.tls = IMAP_TLS_NONE;
	t0 = now_us();
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_true(now_us() - t0 < 1000000);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "refused"));
	assert_non_null(strstr(err.msg, "127.0.0.1"));
}

static void test_imap_conn_resolve_fails(void **state)
{
	struct imap_conn_params p = {0};
	struct imap_conn *c = NULL;
	struct pt_error err = {0};

	p.host = "no-such-host.invalid"; /* RFC 6761: never resolves */
	p.tls = IMAP_TLS_NONE;
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "cannot resolve no-such-host.invalid"));
}

static void test_imap_conn_params_checked(void **state)
{
	struct imap_conn_params p = {0};
	struct imap_conn *c = NULL;
	struct pt_error err = {0};

	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CONFIG);
	p.host = "localhost";
	p.tunnel = "cat";
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_null(c);
}

/* A server that accepts the connection and never says anything. */
static void test_imap_conn_read_timeout(void **state)
{
	struct imap_conn_params p = {0};
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	unsigned port;
	int lfd = silent_listener(&port);
	int64_t t0;

	p.host = "127.0.0.1";
	p.port = port;
	p.tls = IMAP_TLS_NONE;
	p.io_timeout_ms = 200;
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	t0 = now_us();
	assert_int_equal(imap_conn_fill(c, IMAP_CONN_WAIT_IO, -1, &err),
	                 IMAP_CONN_TIMEOUT);
	assert_true(now_us() - t0 >= 190000);
	assert_true(now_us() - t0 < 2000000);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "no response within 0.200 s"));
	imap_conn_close(&c);
	close(lfd);
}

static void test_imap_conn_handshake_timeout(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	unsigned port;
	int lfd = silent_listener(&port);
	int64_t t0 = now_us();

	p = tls_params(port);
	p.connect_timeout_ms = 300;
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), -1);
	assert_true(now_us() - t0 < 2000000);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "timed out"));
	close(lfd);
}

/* The wake-up descriptor ends a long wait at once, the connection stays
 * usable, and the descriptor is left for the caller to drain. */
static void test_imap_conn_wake_interrupts_wait(void **state)
{
	struct imap_conn_params p = {0};
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct wake *w = wake_new();
	unsigned port;
	int lfd = silent_listener(&port);
	int64_t t0;
	pid_t kid;

	p.host = "127.0.0.1";
	p.port = port;
	p.tls = IMAP_TLS_NONE;
	assert_int_equal(imap_conn_open(&p, wake_fd(w), &c, &err), 0);
	kid = fork();
	if (kid == 0) {
		usleep(150000);
		wake_notify(w);
		_exit(0);
	}
	t0 = now_us();
	assert_int_equal(
	        imap_conn_fill(c, IMAP_CONN_WAIT_IDLE, wake_fd(w), &err),
	        IMAP_CONN_WOKEN);
	assert_true(now_us() - t0 >= 100000);
	assert_true(now_us() - t0 < 3000000);
	waitpid(kid, NULL, 0);
	assert_int_equal(wake_drain(w), 1);
	assert_int_equal(imap_conn_fill(c, 50, wake_fd(w), &err),
	                 IMAP_CONN_TIMEOUT);
	imap_conn_close(&c);
	close(lfd);
	wake_free(w);
}

/* A pending wake-up interrupts the TLS handshake wait. */
static void test_imap_conn_wake_interrupts_open(void **state)
{
	struct imap_conn_params p;
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct wake *w = wake_new();
	unsigned port;
	int lfd = silent_listener(&port);

	p = tls_params(port);
	wake_notify(w);
	assert_int_equal(imap_conn_open(&p, wake_fd(w), &c, &err),
	                 IMAP_CONN_INTERRUPTED);
	assert_null(c);
	assert_int_equal(err.code, PT_E_CONN);
	close(lfd);
	wake_free(w);
}

/* ------------------------------------------------------------ STARTTLS */

static void mini_send(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	(void)n;
}

static void mini_read_line(int fd)
{
	char ch = 0;

	while (ch != '\n' && read(fd, &ch, 1) == 1)
		;
}

/* The forked STARTTLS peer: greeting, STARTTLS reply followed by injected
 * bytes in the same segment, then TLS and one line over it. */
static void mini_starttls_peer(int lfd)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int fd = accept(lfd, NULL, NULL);
	char line[256];
	SSL *ssl;

	SSL_CTX_use_certificate_chain_file(ctx, tpath("srv.pem"));
	SSL_CTX_use_PrivateKey_file(ctx, tpath("srv.key"), SSL_FILETYPE_PEM);
	mini_send(fd, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
	mini_read_line(fd);
	mini_send(fd, "a1 OK Begin TLS now\r\n* 1 EXISTS INJECTED\r\n");
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		_exit(1);
	SSL_write(ssl, "* OK over TLS\r\n", 15);
	SSL_read(ssl, line, sizeof line);
	SSL_shutdown(ssl);
	_exit(0);
}

static void test_imap_conn_starttls_discards(void **state)
{
	struct imap_conn_params p = {0};
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	unsigned port;
	int lfd = silent_listener(&port), status;
	pid_t kid = fork();
	char *log;

	if (kid == 0)
		mini_starttls_peer(lfd);
	p.host = "localhost";
	p.port = port;
	p.tls = IMAP_TLS_STARTTLS;
	p.ca_file = tpath("ca.pem");
	p.trace_path = tpath("starttls.log");
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	assert_false(imap_conn_is_tls(c));
	fill_until(c, "ready\r\n");
	imap_conn_consume(c, imap_conn_buf(c)->len);
	assert_int_equal(imap_conn_printf(c, &err, "a1 STARTTLS\r\n"), 0);
	fill_until(c, "a1 OK");
	assert_int_equal(imap_conn_starttls(c, "localhost", &err), 0);
	assert_true(imap_conn_is_tls(c));
	assert_int_equal(imap_conn_buf(c)->len, 0);
	fill_until(c, "\r\n");
	/* RFC 3501 6.2.1: the injected line must not survive the upgrade. */
	assert_string_equal(buf_str(imap_conn_buf(c)), "* OK over TLS\r\n");
	assert_int_equal(imap_conn_write(c, "a2 NOOP\r\n", 9, &err), 0);
	assert_int_equal(imap_conn_starttls(c, "localhost", &err), -1);
	assert_int_equal(err.code, PT_E_INTERNAL);
	imap_conn_close(&c);
	waitpid(kid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(lfd);
	log = slurp(tpath("starttls.log"));
	assert_non_null(strstr(log, "-- discarding "));
	assert_non_null(strstr(log, "-- TLS handshake done"));
	free(log);
}

/* ------------------------------------------------------------ tunnel */

static struct imap_conn_params tunnel_params(const char *cmd)
{
	struct imap_conn_params p = {0};

	p.tunnel = cmd;
	p.io_timeout_ms = 5000;
	return p;
}

static void assert_reaped(pid_t pid)
{
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_imap_conn_tunnel_both_ways(void **state)
{
	struct imap_conn_params p =
	        tunnel_params("printf '* PREAUTH hi\\r\\n'; exec cat");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	pid_t pid;

	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	pid = imap_conn_tunnel_pid(c);
	assert_false(imap_conn_is_tls(c));
	assert_string_equal(imap_conn_tls_info(c), "");
	fill_until(c, "* PREAUTH hi\r\n");
	imap_conn_consume(c, 14);
	assert_int_equal(imap_conn_write(c, "a1 NOOP\r\n", 9, &err), 0);
	fill_until(c, "a1 NOOP\r\n");
	imap_conn_close(&c);
	assert_reaped(pid);
}

static void test_imap_conn_tunnel_eof(void **state)
{
	struct imap_conn_params p = tunnel_params("printf '* BYE bye\\r\\n'");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	pid_t pid;
	int r;

	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	pid = imap_conn_tunnel_pid(c);
	fill_until(c, "bye\r\n");
	r = imap_conn_fill(c, 5000, -1, &err);
	assert_int_equal(r, -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_string_equal(err.msg, "tunnel command closed the connection: "
	                             "exit status 0");
	imap_conn_close(&c);
	assert_reaped(pid);
}

static void test_imap_conn_tunnel_fails(void **state)
{
	struct imap_conn_params p = tunnel_params("exit 1");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	int64_t t0 = now_us();

	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	assert_int_equal(imap_conn_fill(c, IMAP_CONN_WAIT_IO, -1, &err), -1);
	assert_true(now_us() - t0 < 1000000);
	assert_int_equal(err.code, PT_E_CONN);
	assert_string_equal(err.msg, "tunnel command closed the connection: "
	                             "exit status 1");
	imap_conn_close(&c);
}

/* Writing to a tunnel that has gone must not raise SIGPIPE. */
static void test_imap_conn_tunnel_no_sigpipe(void **state)
{
	struct imap_conn_params p = tunnel_params("exit 0");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	char *big = xcalloc(1, 1 << 20);
	sigset_t pend;

	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	assert_int_equal(imap_conn_fill(c, 5000, -1, &err), -1);
	assert_int_equal(imap_conn_write(c, big, 1 << 20, &err), -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "Broken pipe"));
	sigpending(&pend);
	assert_false(sigismember(&pend, SIGPIPE));
	imap_conn_close(&c);
	free(big);
}

/* A command that ignores EOF and SIGTERM is killed after the grace
 * periods; close returns and leaves no zombie. */
static void test_imap_conn_tunnel_stubborn_child(void **state)
{
	struct imap_conn_params p =
	        tunnel_params("trap '' TERM; printf '* PREAUTH\\r\\n'; "
	                      "exec sleep 30");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	int64_t t0;
	pid_t pid;

	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	pid = imap_conn_tunnel_pid(c);
	fill_until(c, "PREAUTH");
	t0 = now_us();
	imap_conn_close(&c);
	assert_true(now_us() - t0 < 5000000);
	assert_reaped(pid);
}

static void test_imap_conn_tunnel_stderr_fd(void **state)
{
	struct imap_conn_params p =
	        tunnel_params("echo 'oops from tunnel' >&2; "
	                      "printf '* PREAUTH\\r\\n'");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	int fd = open(tpath("stderr.txt"),
	              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char *text;

	p.tunnel_stderr = IMAP_TUNNEL_STDERR_FD;
	p.tunnel_stderr_fd = fd;
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	fill_until(c, "PREAUTH");
	imap_conn_close(&c);
	close(fd);
	text = slurp(tpath("stderr.txt"));
	assert_string_equal(text, "oops from tunnel\n");
	free(text);
}

/* UI mode: the tunnel's stderr becomes sanitized "E:" trace lines. */
static void test_imap_conn_tunnel_stderr_trace(void **state)
{
	struct imap_conn_params p =
	        tunnel_params("printf 'warn\\033[31m red\\n' >&2; "
	                      "printf '* PREAUTH\\r\\n'; sleep 0.2");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	char *log;

	p.tunnel_stderr = IMAP_TUNNEL_STDERR_TRACE;
	p.trace_path = tpath("stderr-trace.log");
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	fill_until(c, "PREAUTH");
	assert_int_equal(imap_conn_fill(c, 3000, -1, &err), -1);
	imap_conn_close(&c);
	log = slurp(tpath("stderr-trace.log"));
	assert_non_null(strstr(log, "Z E: warn\\x1B[31m red\n"));
	assert_null(strchr(log, '\033'));
	free(log);
}

/* The child inherits exactly stdin, stdout and stderr. */
static void test_imap_conn_tunnel_no_fd_leak(void **state)
{
	/* ls runs in a child of the shell and lists the shell's fds. */
	struct imap_conn_params p =
	        tunnel_params("ls /proc/$$/fd; printf 'END\\r\\n'");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL)
		skip();
	/* Descriptors the test runner left open are not ours to judge. */
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (fd > 2 && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	p.trace_path = tpath("leak.log");
	p.tunnel_stderr = IMAP_TUNNEL_STDERR_TRACE;
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	fill_until(c, "END\r\n");
	assert_string_equal(buf_str(imap_conn_buf(c)), "0\n1\n2\nEND\r\n");
	imap_conn_close(&c);
}

/* ------------------------------------------------------------ trace */

static char *trace_run(void (*feed)(struct imap_trace *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct imap_trace *t = imap_trace_new(fp);

	feed(t);
	imap_trace_free(&t);
	assert_null(t);
	fclose(fp);
	return text;
}

static void C(struct imap_trace *t, const char *s)
{
	imap_trace_bytes(t, IMAP_TRACE_CLIENT, s, strlen(s));
}

static void S(struct imap_trace *t, const char *s)
{
	imap_trace_bytes(t, IMAP_TRACE_SERVER, s, strlen(s));
}

static void feed_login(struct imap_trace *t)
{
	C(t, "a1 LOGIN alice \"s3cr\\\"et\"\r\n");
	C(t, "a2 login \"al ice\" hunter2\r\n");
	/* user and password as literals (RFC 3501 4.3) */
	C(t, "a3 LOGIN {5}\r\n");
	C(t, "alice {7}\r\n");
	C(t, "hunter3\r\n");
	/* quoted password after a literal user name */
	C(t, "a4 LOGIN {5+}\r\nalice \"hunter4\"\r\n");
	C(t, "a5 SELECT INBOX\r\n");
}

static void test_imap_trace_login_redacted(void **state)
{
	char *log = trace_run(feed_login);

	assert_null(strstr(log, "s3cr"));
	assert_null(strstr(log, "hunter"));
	assert_non_null(strstr(log, "C: a1 LOGIN alice <redacted>\n"));
	assert_non_null(strstr(log, "C: a2 login \"al ice\" <redacted>\n"));
	assert_non_null(strstr(log, "C: a3 LOGIN {5}\n"));
	assert_non_null(strstr(log, "C: {5 bytes} <redacted>\n"));
	assert_non_null(strstr(log, "C: {7 bytes}\n"));
	assert_non_null(strstr(log, "C: a4 LOGIN {5+}\n"));
	assert_non_null(strstr(log, "C: a5 SELECT INBOX\n"));
	free(log);
}

static void feed_auth(struct imap_trace *t)
{
	/* SASL-IR (RFC 4959) */
	C(t, "a1 AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldA==\r\n");
	S(t, "a1 OK done\r\n");
	/* continuation exchange (RFC 3501 6.2.2) */
	C(t, "a2 AUTHENTICATE PLAIN\r\n");
	S(t, "+ \r\n");
	C(t, "AGJvYgBodW50ZXIy\r\n");
	S(t, "a2 NO [AUTHENTICATIONFAILED] no\r\n");
	C(t, "a3 NOOP\r\n");
	/* the command layer's own marking */
	C(t, "a4 LOGIN bob ");
	imap_trace_secret(t, "\"pw-secret\"\r\n", 13);
	C(t, "a5 AUTHENTICATE XOAUTH2 ");
	imap_trace_secret(t, "dXNlcj1ib2IBYXV0aD1CZWFyZXIgdG9rZW4BAQ==", 40);
	C(t, "\r\n");
}

static void test_imap_trace_authenticate_redacted(void **state)
{
	char *log = trace_run(feed_auth);

	assert_null(strstr(log, "AGFsaWNl"));
	assert_null(strstr(log, "AGJvYg"));
	assert_null(strstr(log, "pw-secret"));
	assert_null(strstr(log, "dXNlcj1"));
	assert_non_null(strstr(log, "C: a1 AUTHENTICATE PLAIN <redacted>\n"));
	assert_non_null(strstr(log, "S: + \n"));
	assert_non_null(strstr(log, "C: <redacted>\n"));
	assert_non_null(strstr(log, "C: a3 NOOP\n"));
	assert_non_null(strstr(log, "C: a4 LOGIN bob <redacted>\n"));
	assert_non_null(strstr(log, "C: a5 AUTHENTICATE XOAUTH2 <redacted>\n"));
	free(log);
}

static void feed_literals(struct imap_trace *t)
{
	const char *resp = "* 1 FETCH (UID 7 BODY[] {24}\r\n"
	                   "Subject: private\r\n\r\nhi\r\n"
	                   " BODY[1] ~{3}\r\nb\0n)\r\n"
	                   "* 2 FETCH (BODY[] {0}\r\n)\r\n";
	size_t i, n = strlen(resp) + 1 + strlen(resp + strlen(resp) + 1);

	/* one byte at a time: lines and literals split anywhere */
	for (i = 0; i < n; i++)
		imap_trace_bytes(t, IMAP_TRACE_SERVER, resp + i, 1);
	C(t, "a1 APPEND INBOX (\\Seen) {12+}\r\nprivate text\r\n");
}

static void test_imap_trace_literals_as_sizes(void **state)
{
	char *log = trace_run(feed_literals);

	assert_null(strstr(log, "private"));
	assert_null(strstr(log, "b\\x00n"));
	assert_non_null(strstr(log, "S: * 1 FETCH (UID 7 BODY[] {24}\n"));
	assert_non_null(strstr(log, "S: {24 bytes} BODY[1] ~{3}\n"));
	assert_non_null(strstr(log, "S: {3 bytes})\n"));
	assert_non_null(strstr(log, "S: {0 bytes})\n"));
	assert_non_null(strstr(log, "C: a1 APPEND INBOX (\\\\Seen) {12+}\n"));
	assert_non_null(strstr(log, "C: {12 bytes}\n"));
	free(log);
}

static void feed_controls(struct imap_trace *t)
{
	char longline[IMAP_TRACE_LINE_MAX + 100];

	S(t, "* OK \033[2J\x9b"
	     "1m \xe2\x80\xae evil\ttab\rcr\r\n");
	memset(longline, 'x', sizeof longline);
	imap_trace_bytes(t, IMAP_TRACE_SERVER, longline, sizeof longline);
	S(t, "\r\n");
	S(t, "* partial");
	imap_trace_note(t, "note %s", "\033]0;title\007");
}

static void test_imap_trace_sanitized(void **state)
{
	char *log = trace_run(feed_controls);
	const unsigned char *p;

	for (p = (const unsigned char *)log; *p != '\0'; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	assert_non_null(strstr(log, "S: * OK \\x1B[2J\\x9B1m \\xE2\\x80\\xAE "
	                            "evil\\x09tab\\x0Dcr\n"));
	assert_non_null(strstr(log, " [... 100 more bytes]\n"));
	assert_non_null(strstr(log, "-- note \\x1B]0;title\\x07\n"));
	/* the unfinished line is written when the tracer is freed */
	assert_non_null(strstr(log, "S: * partial\n"));
	/* timestamps: 2025-01-31T10:00:00.123Z */
	assert_int_equal(log[4], '-');
	assert_int_equal(log[10], 'T');
	assert_int_equal(log[23], 'Z');
	free(log);
}

/* End to end: a LOGIN and an APPEND literal go out, a FETCH literal comes
 * in; the log file has none of the secrets or contents. */
static void test_imap_conn_trace_redaction(void **state)
{
	struct imap_conn_params p = tunnel_params(
	        "printf '* PREAUTH\\r\\n* 1 FETCH (BODY[] {13}\\r\\n"
	        "secret body!\\n)\\r\\n'; exec cat >/dev/null");
	struct imap_conn *c = NULL;
	struct pt_error err = {0};
	char *log;

	p.trace_path = tpath("redact.log");
	assert_int_equal(imap_conn_open(&p, -1, &c, &err), 0);
	assert_int_equal(imap_conn_printf(c, &err, "a1 LOGIN %s %s\r\n",
	                                  "alice", "\"Pa55word\""),
	                 0);
	assert_int_equal(imap_conn_write(c, "a2 LOGIN bob ", 13, &err), 0);
	assert_int_equal(imap_conn_write_secret(c, "Pa66word\r\n", 10, &err),
	                 0);
	assert_int_equal(
	        imap_conn_printf(c, &err,
	                         "a3 APPEND INBOX {12+}\r\nDear diary, "
	                         "\r\n"),
	        0);
	fill_until(c, ")\r\n");
	imap_conn_close(&c);
	log = slurp(tpath("redact.log"));
	assert_null(strstr(log, "Pa55word"));
	assert_null(strstr(log, "Pa66word"));
	assert_null(strstr(log, "diary"));
	assert_null(strstr(log, "secret body"));
	assert_non_null(strstr(log, "C: a1 LOGIN alice <redacted>\n"));
	assert_non_null(strstr(log, "C: a2 LOGIN bob <redacted>\n"));
	assert_non_null(strstr(log, "C: {12 bytes}\n"));
	assert_non_null(strstr(log, "S: {13 bytes})\n"));
	assert_non_null(strstr(log, "S: * PREAUTH\n"));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_imap_trace_login_redacted),
	        cmocka_unit_test(test_imap_trace_authenticate_redacted),
	        cmocka_unit_test(test_imap_trace_literals_as_sizes),
	        cmocka_unit_test(test_imap_trace_sanitized),
	        cmocka_unit_test(test_imap_conn_params_checked),
	        cmocka_unit_test(test_imap_conn_refused),
	        cmocka_unit_test(test_imap_conn_resolve_fails),
	        cmocka_unit_test(test_imap_conn_read_timeout),
	        cmocka_unit_test(test_imap_conn_handshake_timeout),
	        cmocka_unit_test(test_imap_conn_wake_interrupts_wait),
	        cmocka_unit_test(test_imap_conn_wake_interrupts_open),
	        cmocka_unit_test(test_imap_conn_tls_implicit_ok),
	        cmocka_unit_test(test_imap_conn_tls_ip_literal),
	        cmocka_unit_test(test_imap_conn_tls_untrusted_ca),
	        cmocka_unit_test(test_imap_conn_tls_system_store_only),
	        cmocka_unit_test(test_imap_conn_tls_wrong_host),
	        cmocka_unit_test(test_imap_conn_tls_bad_ca_file),
	        cmocka_unit_test(test_imap_conn_tls_ca_file_reloaded),
	        cmocka_unit_test(test_imap_conn_tls_handshake_timing),
	        cmocka_unit_test(test_imap_conn_tls_peer_gone_no_sigpipe),
	        cmocka_unit_test(test_imap_conn_starttls_discards),
	        cmocka_unit_test(test_imap_conn_tunnel_both_ways),
	        cmocka_unit_test(test_imap_conn_tunnel_eof),
	        cmocka_unit_test(test_imap_conn_tunnel_fails),
	        cmocka_unit_test(test_imap_conn_tunnel_no_sigpipe),
	        cmocka_unit_test(test_imap_conn_tunnel_stubborn_child),
	        cmocka_unit_test(test_imap_conn_tunnel_stderr_fd),
	        cmocka_unit_test(test_imap_conn_tunnel_stderr_trace),
	        cmocka_unit_test(test_imap_conn_tunnel_no_fd_leak),
	        cmocka_unit_test(test_imap_conn_trace_redaction),
	};

	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("skipped: the openssl command is not installed\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
