/* imap-trace.c: the redacting, sanitizing protocol trace (see imap-trace.h).
 *
 * Each direction assembles its current line from raw bytes (capped), and
 * tracks literals so that their contents are skipped. Redaction rules for
 * client commands are applied when a line is complete. */
#include "imap/imap-trace.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/xmalloc.h"

#define TRACE_TAIL 24
#define TRACE_REDACTED "<redacted>"
#define TRACE_TAG_MAX 64

struct trace_dir {
	struct buf line;       /* raw bytes of the current line, capped */
	size_t cut;            /* bytes beyond IMAP_TRACE_LINE_MAX */
	char tail[TRACE_TAIL]; /* last bytes of the line (literal detection) */
	size_t tail_len;       /* valid bytes in tail */
	uint64_t lit_left;     /* literal bytes still to skip */
	uint64_t lit_size;     /* size of the literal being skipped */
	bool login_cont;       /* client: line continues a LOGIN command */
	bool login_cont_next;  /* ... decided when the previous line ended */
};

struct imap_trace {
	FILE *fp;
	struct trace_dir dir[IMAP_TRACE_NDIRS];
	bool in_auth;                 /* AUTHENTICATE exchange in progress */
	char auth_tag[TRACE_TAG_MAX]; /* its tag, ended by the tagged reply */
};

static const char *const trace_marker[IMAP_TRACE_NDIRS] = {"C:", "S:", "E:"};

struct imap_trace *imap_trace_new(FILE *fp)
{
	struct imap_trace *t = xcalloc(1, sizeof *t);

	t->fp = fp;
	return t;
}

void imap_trace_free(struct imap_trace **tp)
{
	struct imap_trace *t = *tp;
	int i;

	if (t == NULL)
		return;
	imap_trace_flush(t);
	for (i = 0; i < IMAP_TRACE_NDIRS; i++)
		buf_free(&t->dir[i].line);
	free(t);
	*tp = NULL;
}

/* Append one byte range to out, escaping everything but printable ASCII. */
static void trace_sanitize(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			buf_addstr(out, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			buf_addch(out, (char)c);
		else
			buf_printf(out, "\\x%02X", c);
	}
}

static void trace_stamp(struct buf *out)
{
	struct timespec ts;
	struct tm tm;
	char s[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(out, "%s.%03ldZ ", s, ts.tv_nsec / 1000000);
}

/* Write one finished log line in a single stdio call. */
static void trace_write(struct imap_trace *t, const char *marker,
                        const char *text, size_t len, size_t cut)
{
	struct buf out = BUF_INIT;

	trace_stamp(&out);
	buf_addstr(&out, marker);
	buf_addch(&out, ' ');
	trace_sanitize(&out, text, len);
	if (cut > 0)
		buf_printf(&out, " [... %zu more bytes]", cut);
	buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, t->fp);
	fflush(t->fp);
	buf_free(&out);
}

static void trace_append(struct trace_dir *d, const char *p, size_t n)
{
	size_t room = IMAP_TRACE_LINE_MAX - d->line.len;
	size_t keep = n < room ? n : room;

	buf_add(&d->line, p, keep);
	d->cut += n - keep;
	if (n >= TRACE_TAIL) {
		memcpy(d->tail, p + n - TRACE_TAIL, TRACE_TAIL);
		d->tail_len = TRACE_TAIL;
		return;
	}
	if (d->tail_len + n > TRACE_TAIL) {
		size_t drop = d->tail_len + n - TRACE_TAIL;

		memmove(d->tail, d->tail + drop, d->tail_len - drop);
		d->tail_len -= drop;
	}
	memcpy(d->tail + d->tail_len, p, n);
	d->tail_len += n;
}

static void trace_append_str(struct trace_dir *d, const char *s)
{
	trace_append(d, s, strlen(s));
}

/* If the line (tail, CR removed) ends with a literal announcement, return
 * true and its size: "{N}", "{N+}", "{N-}" (RFC 7888), "~{N}" (RFC 3516). */
static bool trace_literal_at_end(const char *s, size_t n, uint64_t *size_r)
{
	uint64_t v = 0, mul = 1;
	size_t digits = 0;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n < 3 || s[n - 1] != '}')
		return false;
	n--;
	if (s[n - 1] == '+' || s[n - 1] == '-')
		n--;
	while (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9') {
		if (digits++ < 19) {
			v += (uint64_t)(s[n - 1] - '0') * mul;
			mul *= 10;
		} else {
			v = UINT64_MAX; /* absurd size: hide the rest */
		}
		n--;
	}
	if (digits == 0 || n == 0 || s[n - 1] != '{')
		return false;
	*size_r = v;
	return true;
}

/* Length of the IMAP word (atom, quoted string or literal marker) at s. */
static size_t trace_word_len(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '"') {
		for (i = 1; i < n; i++) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '"')
				return i + 1;
		}
		return n;
	}
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

/* Keep the first `keep` bytes of line, then "<redacted>" if more followed. */
static void trace_redact_after(struct buf *out, const char *line, size_t n,
                               size_t keep)
{
	buf_add(out, line, keep);
	if (keep < n)
		buf_addstr(out, " " TRACE_REDACTED);
}

/* The client line as it may be logged. Sets in_auth for AUTHENTICATE. */
static void trace_client_line(struct imap_trace *t, struct trace_dir *d,
                              const char *s, size_t n, struct buf *out)
{
	size_t tag, cmd, arg;

	if (t->in_auth) {
		buf_addstr(out, TRACE_REDACTED);
		return;
	}
	if (d->login_cont) {
		/* The line starts with the "{N bytes}" placeholder. */
		const char *end = memchr(s, '}', n);

		trace_redact_after(out, s, n,
		                   end != NULL ? (size_t)(end - s) + 1 : n);
		return;
	}
	tag = trace_word_len(s, n);
	cmd = tag < n ? trace_word_len(s + tag + 1, n - tag - 1) : 0;
	arg = tag + 1 + cmd + 1;
	if (cmd == 5 && strncasecmp(s + tag + 1, "LOGIN", 5) == 0) {
		if (arg < n)
			arg += trace_word_len(s + arg, n - arg);
		trace_redact_after(out, s, n, arg < n ? arg : n);
	} else if (cmd == 12 &&
	           strncasecmp(s + tag + 1, "AUTHENTICATE", 12) == 0) {
		if (arg < n)
			arg += trace_word_len(s + arg, n - arg);
		trace_redact_after(out, s, n, arg < n ? arg : n);
		t->in_auth = true;
		snprintf(t->auth_tag, sizeof t->auth_tag, "%.*s ",
		         (int)(tag < TRACE_TAG_MAX - 2 ? tag
		                                       : TRACE_TAG_MAX - 2),
		         s);
	} else {
		buf_add(out, s, n);
	}
}

static bool trace_is_login(const char *s, size_t n)
{
	size_t tag = trace_word_len(s, n);

	return tag + 7 <= n && strncasecmp(s + tag, " LOGIN ", 7) == 0;
}

static void trace_end_line(struct imap_trace *t, enum imap_trace_dir dir)
{
	struct trace_dir *d = &t->dir[dir];
	struct buf out = BUF_INIT;
	const char *s = buf_str(&d->line);
	size_t n = d->line.len;
	bool lit;

	if (d->cut == 0 && n > 0 && s[n - 1] == '\r')
		n--;
	else if (d->cut > 0 && d->tail[d->tail_len - 1] == '\r')
		d->cut--;
	lit = dir != IMAP_TRACE_STDERR &&
	      trace_literal_at_end(d->tail, d->tail_len, &d->lit_size);
	if (dir == IMAP_TRACE_CLIENT) {
		d->login_cont = d->login_cont_next;
		d->login_cont_next =
		        lit && (d->login_cont || trace_is_login(s, n));
		trace_client_line(t, d, s, n, &out);
	} else {
		buf_add(&out, s, n);
		if (dir == IMAP_TRACE_SERVER && t->in_auth &&
		    strncmp(s, t->auth_tag, strlen(t->auth_tag)) == 0)
			t->in_auth = false;
	}
	trace_write(t, trace_marker[dir], buf_str(&out), out.len, d->cut);
	buf_free(&out);
	buf_reset(&d->line);
	d->cut = d->tail_len = 0;
	d->lit_left = lit ? d->lit_size : 0;
	if (lit && d->lit_left == 0)
		trace_append_str(d, "{0 bytes}");
}

/* Skip literal bytes; when the literal is complete, the line continues
 * with a placeholder. Returns the bytes used. */
static size_t trace_skip_literal(struct trace_dir *d, size_t len)
{
	size_t k = d->lit_left < len ? (size_t)d->lit_left : len;
	char note[48];

	d->lit_left -= k;
	if (d->lit_left == 0) {
		snprintf(note, sizeof note, "{%llu bytes}",
		         (unsigned long long)d->lit_size);
		trace_append_str(d, note);
	}
	return k;
}

void imap_trace_bytes(struct imap_trace *t, enum imap_trace_dir dir,
                      const void *data, size_t len)
{
	struct trace_dir *d = &t->dir[dir];
	const char *p = data;

	while (len > 0) {
		const char *lf;
		size_t k;

		if (d->lit_left > 0) {
			k = trace_skip_literal(d, len);
			p += k;
			len -= k;
			continue;
		}
		lf = memchr(p, '\n', len);
		k = lf != NULL ? (size_t)(lf - p) : len;
		trace_append(d, p, k);
		p += k;
		len -= k;
		if (lf != NULL) {
			p++;
			len--;
			trace_end_line(t, dir);
		}
	}
}

void imap_trace_secret(struct imap_trace *t, const void *data, size_t len)
{
	struct trace_dir *d = &t->dir[IMAP_TRACE_CLIENT];
	const char *p = data;
	size_t k, eol = 0;

	/* Inside a literal the bytes are hidden anyway. */
	k = d->lit_left < len ? (size_t)d->lit_left : len;
	imap_trace_bytes(t, IMAP_TRACE_CLIENT, p, k);
	p += k;
	len -= k;
	if (len > 0 && p[len - 1] == '\n')
		eol = len > 1 && p[len - 2] == '\r' ? 2 : 1;
	if (len > eol)
		trace_append_str(d, TRACE_REDACTED);
	imap_trace_bytes(t, IMAP_TRACE_CLIENT, p + len - eol, eol);
}

void imap_trace_discard(struct imap_trace *t, size_t len)
{
	struct trace_dir *d = &t->dir[IMAP_TRACE_SERVER];

	if (d->line.len > 0 || d->cut > 0)
		trace_end_line(t, IMAP_TRACE_SERVER);
	d->lit_left = 0;
	buf_reset(&d->line);
	d->cut = d->tail_len = 0;
	imap_trace_note(t,
	                "discarding %zu bytes received before the TLS "
	                "handshake",
	                len);
}

void imap_trace_note(struct imap_trace *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	trace_write(t, "--", s, strlen(s), 0);
	free(s);
}

void imap_trace_flush(struct imap_trace *t)
{
	int i;

	for (i = 0; i < IMAP_TRACE_NDIRS; i++) {
		struct trace_dir *d = &t->dir[i];

		if (d->line.len > 0 || d->cut > 0)
			trace_end_line(t, (enum imap_trace_dir)i);
	}
}
