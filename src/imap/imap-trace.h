/* imap-trace.h: the protocol trace written by `petrel -d LOGFILE`.
 *
 * A tracer turns the two byte streams of one connection into log lines:
 *
 *   2025-01-31T10:00:00.123Z C: a1 LOGIN alice <redacted>
 *   2025-01-31T10:00:00.125Z S: * 1 FETCH (UID 7 BODY[] {5120}
 *   2025-01-31T10:00:00.126Z S: {5120 bytes})
 *   2025-01-31T10:00:00.126Z E: (a tunnel command's stderr)
 *   2025-01-31T10:00:00.127Z -- TLS handshake done: TLSv1.3 ...
 *
 * What never reaches the log:
 *  - literal contents in either direction (RFC 3501 section 4.3 and RFC 7888
 *    `{N}`, `{N+}`, `{N-}`, RFC 3516 `~{N}`): replaced by `{N bytes}`;
 *  - the arguments of LOGIN after the user name (RFC 3501 section 6.2.3);
 *  - the SASL initial response of AUTHENTICATE (RFC 4959) and every client
 *    line sent while an AUTHENTICATE is in progress, i.e. until the server's
 *    tagged response to it (RFC 3501 section 6.2.2);
 *  - bytes the command layer passes as secret (imap_trace_secret()).
 * Lines are sanitized: bytes outside printable ASCII and the backslash are
 * written as \xNN / \\, so the log never holds terminal control sequences.
 * Overlong lines are cut at IMAP_TRACE_LINE_MAX bytes with a note saying
 * how much was left out.
 *
 * Threading: one tracer per connection, used by one thread at a time. Several
 * tracers may share a FILE: each log line is written with a single stdio
 * call, and stdio locks the stream per call. */
#ifndef PETREL_IMAP_TRACE_H
#define PETREL_IMAP_TRACE_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stddef.h>
#include <stdio.h>

/* Raw bytes kept per line before it is cut (the log stays readable even
 * for multi-megabyte BODYSTRUCTURE lines). */
#define IMAP_TRACE_LINE_MAX 4096

enum imap_trace_dir {
	IMAP_TRACE_CLIENT, /* "C: " bytes petrel sent */
	IMAP_TRACE_SERVER, /* "S: " bytes petrel received */
	IMAP_TRACE_STDERR, /* "E: " a tunnel command's stderr */
	IMAP_TRACE_NDIRS
};

struct imap_trace;

/* A tracer writing to fp, which stays owned by the caller and must outlive
 * the tracer. Never returns NULL. */
struct imap_trace *imap_trace_new(FILE *fp);
/* Write out unfinished lines, free the tracer, set *tp to NULL. */
void imap_trace_free(struct imap_trace **tp);

/* Account for len bytes that went over the wire in direction dir. Complete
 * lines are logged at once; a partial line waits for the rest. */
void imap_trace_bytes(struct imap_trace *t, enum imap_trace_dir dir,
                      const void *data, size_t len);
/* The client sent data that must not be logged (a password, a SASL
 * response). It appears as "<redacted>" in the current line. A trailing
 * CRLF in data still ends the line, so a caller may pass "secret\r\n". */
void imap_trace_secret(struct imap_trace *t, const void *data, size_t len);
/* Discard what was received but not yet logged (STARTTLS: those bytes are
 * thrown away, RFC 3501 section 6.2.1), saying how many bytes. */
void imap_trace_discard(struct imap_trace *t, size_t len);
/* Log a "-- " note line (connection events). The text is sanitized. */
void imap_trace_note(struct imap_trace *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Log unfinished lines now (before a close, so nothing is lost). */
void imap_trace_flush(struct imap_trace *t);

#endif
