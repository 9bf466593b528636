/* imap-conn.h: the IMAP transport, a byte stream to the server.
 *
 * A connection is TCP (plain, implicit TLS, or upgraded with STARTTLS) or a
 * tunnel: a command run with /bin/sh -c whose stdin/stdout carry IMAP
 * (INTERFACE.md, "Tunnels and TLS"). Received bytes are appended to a
 * buffer the response parser reads in place; writes are complete or fail.
 *
 * TLS: TLS 1.2 or later; the chain is always verified against the system
 * store plus the optional ca_file, and the server's name against the
 * certificate (IP address check for an IP literal). There is no switch to
 * turn verification off. SNI is sent for host names.
 *
 * Blocking: every wait is bounded by a timeout, and the waits that may be
 * long (connecting, reading) also end when an optional wake-up descriptor
 * (eventfd or pipe read end) becomes readable, so the sync thread can leave
 * IDLE when the UI asks. The wake-up descriptor is never read here: the
 * caller drains it.
 *
 * Signals: writes never raise SIGPIPE in petrel (MSG_NOSIGNAL on sockets;
 * SIGPIPE is blocked in the calling thread around pipe and TLS writes and
 * a SIGPIPE raised there is consumed). The tunnel command starts with
 * default signal dispositions and an empty signal mask.
 *
 * Threading: a connection belongs to one thread at a time. Distinct
 * connections are independent (they may share a trace FILE).
 *
 * Errors: PT_E_CONN for everything that a reconnect may cure (resolution,
 * refused, reset, EOF, timeouts, a tunnel command that exits), PT_E_TLS for
 * handshake and verification failures, PT_E_CONFIG for an unusable ca_file,
 * PT_E_PROTO for a server that sends more than IMAP_CONN_RBUF_MAX bytes the
 * parser does not consume. Messages are one line and name the server. */
#ifndef PETREL_IMAP_CONN_H
#define PETREL_IMAP_CONN_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/buf.h"
#include "common/error.h"

enum imap_tls_mode {
	IMAP_TLS_IMPLICIT = 0, /* TLS from the first byte (port 993) */
	IMAP_TLS_STARTTLS,     /* plain, then imap_conn_starttls() (143) */
	IMAP_TLS_NONE,         /* plain text, must be configured explicitly */
};

/* Where a tunnel command's stderr goes. */
enum imap_tunnel_stderr {
	IMAP_TUNNEL_STDERR_INHERIT = 0, /* petrel's own stderr (CLI) */
	IMAP_TUNNEL_STDERR_FD,          /* params.tunnel_stderr_fd */
	IMAP_TUNNEL_STDERR_TRACE,       /* "E:" lines in the trace (UI); dropped
	                                   when there is no trace */
};

/* Default timeouts, used when a field is 0. RFC 2177 section 3: a client
 * should re-issue IDLE at least every 29 minutes. */
#define IMAP_CONN_CONNECT_TIMEOUT_MS 30000
#define IMAP_CONN_IO_TIMEOUT_MS 60000
#define IMAP_CONN_IDLE_TIMEOUT_MS (29 * 60 * 1000)

/* Unconsumed received bytes allowed in the buffer: room for a 50 MB message
 * literal (INTERFACE.md limits) plus its response line. */
#define IMAP_CONN_RBUF_MAX ((size_t)64 * 1024 * 1024)

/* The connection parameters. Zero-initialise, then set what is needed;
 * strings are borrowed for the duration of imap_conn_open(). */
struct imap_conn_params {
	const char *host; /* server name or IP literal (not with tunnel) */
	unsigned port;    /* 0: 993 for implicit TLS, else 143 */
	enum imap_tls_mode tls; /* ignored for a tunnel */
	const char *ca_file;    /* extra trust anchors (PEM), or NULL */
	const char *tunnel;     /* shell command, exclusive with host */
	enum imap_tunnel_stderr tunnel_stderr;
	int tunnel_stderr_fd;   /* with IMAP_TUNNEL_STDERR_FD; not closed */
	int connect_timeout_ms; /* TCP connect + TLS handshake; 0: default */
	int io_timeout_ms;      /* a read or a write; 0: default */
	int idle_timeout_ms; /* a read with IMAP_CONN_WAIT_IDLE; 0: default */
	FILE *trace;         /* protocol trace, borrowed; or NULL */
	const char *trace_path; /* else: append to this file (0600), or NULL */
};

/* imap_conn_fill() timeout arguments besides a number of milliseconds. */
#define IMAP_CONN_WAIT_IO (-1)   /* params.io_timeout_ms */
#define IMAP_CONN_WAIT_IDLE (-2) /* params.idle_timeout_ms */

/* Results besides "> 0 bytes" and -1 (error, err set). */
#define IMAP_CONN_WOKEN 0          /* the wake-up descriptor is readable */
#define IMAP_CONN_TIMEOUT (-3)     /* nothing within the timeout (err set) */
#define IMAP_CONN_INTERRUPTED (-4) /* open: woken before connected */

struct imap_conn_stats {
	uint64_t bytes_in;  /* IMAP bytes received (after TLS decryption) */
	uint64_t bytes_out; /* IMAP bytes sent */
	uint64_t wire_in;   /* bytes read from the socket/pipe (TLS records) */
	uint64_t wire_out;  /* bytes written to the socket/pipe */
};

struct imap_conn;

/* Connect (TCP, plus the TLS handshake for IMAP_TLS_IMPLICIT) or start the
 * tunnel. wake_fd is -1 or a descriptor that interrupts the connect and
 * handshake waits (returns IMAP_CONN_INTERRUPTED, err set). Name
 * resolution itself is not interruptible. On success *conn_r is a new
 * connection owned by the caller (imap_conn_close()). */
int imap_conn_open(const struct imap_conn_params *p, int wake_fd,
                   struct imap_conn **conn_r, struct pt_error *err);

/* Close the connection and set *connp to NULL (NULL is fine). A TLS
 * close_notify is attempted without waiting. A tunnel's pipes are closed
 * and its child reaped: it gets a short grace period to exit on EOF, then
 * SIGTERM, then SIGKILL, so no zombie is left. */
void imap_conn_close(struct imap_conn **connp);

/* Upgrade a plain TCP connection to TLS after the server accepted the
 * STARTTLS command (RFC 3501 section 6.2.1, RFC 2595 section 3.1). Every
 * byte received before the handshake, buffered or still in the socket, is
 * discarded: none of it may be trusted. host is the name to verify (as for
 * implicit TLS). The command layer sends STARTTLS, checks that the server
 * offered it, waits for the tagged OK, calls this, then asks for the
 * capabilities again, since those sent before TLS must be forgotten. */
int imap_conn_starttls(struct imap_conn *conn, const char *host,
                       struct pt_error *err);

/* Read what is available into the receive buffer, waiting up to timeout_ms
 * (or IMAP_CONN_WAIT_IO / IMAP_CONN_WAIT_IDLE). Returns the number of bytes
 * added (> 0); IMAP_CONN_WOKEN when wake_fd (-1: none) became readable
 * first (it is checked before reading); IMAP_CONN_TIMEOUT (err: PT_E_CONN,
 * the connection is still usable); -1 with err set on EOF, reset, TLS
 * errors, or a full buffer. Each received line is traced. */
int imap_conn_fill(struct imap_conn *conn, int timeout_ms, int wake_fd,
                   struct pt_error *err);

/* The receive buffer. The caller reads data/len in place and removes what
 * it has parsed with imap_conn_consume() (or buf_consume()); it must not
 * append. Valid until the next call on the connection. */
struct buf *imap_conn_buf(struct imap_conn *conn);
void imap_conn_consume(struct imap_conn *conn, size_t n);

/* Send all len bytes, waiting at most the I/O timeout for the peer to
 * accept them. Returns 0, or -1 with err set (PT_E_CONN, PT_E_TLS). */
int imap_conn_write(struct imap_conn *conn, const void *data, size_t len,
                    struct pt_error *err);
/* The same for bytes that must not appear in the trace: a LOGIN password,
 * an AUTHENTICATE response or SASL-IR. They are traced as "<redacted>"; a
 * trailing CRLF still ends the trace line. Literal contents never need
 * this: the trace replaces every literal by its size. */
int imap_conn_write_secret(struct imap_conn *conn, const void *data, size_t len,
                           struct pt_error *err);
/* Printf-style imap_conn_write() for command lines. */
int imap_conn_printf(struct imap_conn *conn, struct pt_error *err,
                     const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The descriptor to poll for input (the socket, or the tunnel's stdout).
 * Before sleeping on it, check imap_conn_pending(): TLS may hold decrypted
 * bytes that poll() cannot see. */
int imap_conn_fd(const struct imap_conn *conn);
/* True when a read would return data without waiting on the descriptor. */
bool imap_conn_pending(const struct imap_conn *conn);
bool imap_conn_is_tls(const struct imap_conn *conn);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" without TLS (borrowed). */
const char *imap_conn_tls_info(const struct imap_conn *conn);
/* The tunnel child's process id, or -1 (for diagnostics and tests). */
pid_t imap_conn_tunnel_pid(const struct imap_conn *conn);
void imap_conn_stats(const struct imap_conn *conn,
                     struct imap_conn_stats *stats_r);
/* TLS contexts (trust store loaded) are shared between connections with
 * the same ca_file and rebuilt when it changes; this frees the shared one
 * (at exit, for leak checkers). Thread-safe. */
void imap_conn_tls_cache_clear(void);
/* The trace of this connection, or NULL, for notes from upper layers. */
struct imap_trace *imap_conn_trace(struct imap_conn *conn);

#endif
