/* test-imap-client.c: the IMAP command layer (src/imap/imap-client.c).
 *
 * By default against the scripted fake server (tests/fixture/fake-imapd,
 * scripts tests/data/fake/client-*.script) run as the tunnel: each script
 * says what the server sends and what the client must send, so a client
 * that sends something else fails the session, which `fake-imapd --wait`
 * reports. With PETREL_TEST_DOVECOT=1 (tests/integration/
 * imap-client-dovecot.sh, which starts Dovecot and exports DOVE_*) only
 * the tests against the real Dovecot run.
 *
 * Q-n and T-n are items of the RFC 7162 client checklist
 * (spec/rfc7162-client.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/wake.h"
#include "common/xmalloc.h"
#include "imap/imap-client.h"

static char tmpdir[] = "/tmp/petrel-client-XXXXXX";
static const char *srcdir;

static char *tpath(const char *name)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------ recording handler */

/* One untagged response as the handler saw it. */
struct ev {
	enum imap_resp_type type;
	enum imap_resp_status status;
	enum imap_code_kind code; /* of an untagged OK/NO/BAD/BYE */
	uint32_t number; /* EXISTS, EXPUNGE, FETCH: the message number */
	uint32_t uid;    /* imap_untagged_ctx.uid */
	void *ctx;       /* imap_untagged_ctx.sel_ctx */
	uint32_t exists; /* the client's message count when it was passed on */
	bool earlier;    /* VANISHED (EARLIER) */
	char set[128];   /* VANISHED UIDs */
	uint64_t modseq; /* FETCH MODSEQ, 0 if none */
	char flags[128]; /* FETCH FLAGS, space-separated */
	char text[128];
};

struct rec {
	struct imap_client *c;
	struct ev v[64];
	size_t n;
	uint32_t fail_uid; /* fail on a FETCH of this UID (once) */
};

static void ev_vanished(struct ev *e, const struct imap_response *r)
{
	struct buf b = BUF_INIT;

	e->earlier = r->u.vanished.earlier;
	imap_seqset_print(&r->u.vanished.uids, &b);
	snprintf(e->set, sizeof e->set, "%s", buf_str(&b));
	buf_free(&b);
}

static void ev_fetch(struct ev *e, const struct imap_response *r)
{
	const struct imap_fetch *f = &r->u.fetch;
	size_t len = 0;

	if (f->present & IMAP_FETCH_MODSEQ)
		e->modseq = f->modseq;
	for (size_t i = 0; i < f->flags.n && len < sizeof e->flags; i++)
		len += (size_t)snprintf(e->flags + len, sizeof e->flags - len,
		                        "%s%s", i ? " " : "", f->flags.v[i]);
}

static int rec_untagged(void *arg, const struct imap_response *r,
                        const struct imap_untagged_ctx *x, struct pt_error *err)
{
	struct rec *rec = arg;
	struct ev *e;

	if (rec->n == sizeof rec->v / sizeof rec->v[0])
		return pt_error_set(err, PT_E_INTERNAL, "too many events");
	if (r->type == IMAP_RT_FETCH && rec->fail_uid != 0 &&
	    x->uid == rec->fail_uid) {
		rec->fail_uid = 0;
		return pt_error_set(err, PT_E_MSG, "handler refused UID %u",
		                    x->uid);
	}
	e = &rec->v[rec->n++];
	memset(e, 0, sizeof *e);
	e->type = r->type;
	e->status = r->status;
	if (r->type == IMAP_RT_STATE)
		e->code = r->code.kind;
	e->number = r->number;
	e->uid = x->uid;
	e->ctx = x->sel_ctx;
	if (rec->c != NULL)
		e->exists = imap_client_selection(rec->c)->exists;
	if (r->type == IMAP_RT_VANISHED)
		ev_vanished(e, r);
	if (r->type == IMAP_RT_FETCH)
		ev_fetch(e, r);
	snprintf(e->text, sizeof e->text, "%s", r->text ? r->text : "");
	return 0;
}

/* The nth (from 0) event of a type, or NULL. */
static const struct ev *ev_find(const struct rec *rec, enum imap_resp_type type,
                                int nth)
{
	for (size_t i = 0; i < rec->n; i++)
		if (rec->v[i].type == type && nth-- == 0)
			return &rec->v[i];
	return NULL;
}

static int ev_count(const struct rec *rec, enum imap_resp_type type)
{
	int n = 0;

	for (size_t i = 0; i < rec->n; i++)
		n += rec->v[i].type == type;
	return n;
}

static const struct ev *ev_must(const struct rec *rec, enum imap_resp_type type,
                                int nth)
{
	const struct ev *e = ev_find(rec, type, nth);

	if (e == NULL)
		fail_msg("no event #%d of type %d among %zu", nth, (int)type,
		         rec->n);
	return e;
}

/* ------------------------------------------------ the fake server */

static char *fake_transcript(const char *name)
{
	return tpath(name); /* tmpdir/NAME: one session per test */
}

/* Open a client on tests/data/fake/client-NAME.script. */
static int fake_open(const char *name, const char *user, const char *password,
                     struct rec *rec, struct imap_client **c_r,
                     struct pt_error *err)
{
	struct imap_client_params p;
	struct imap_client_handler h = {rec, rec_untagged};
	char *tunnel;
	int ret;

	memset(&p, 0, sizeof p);
	tunnel = xasprintf("perl %s/tests/fixture/fake-imapd "
	                   "%s/tests/data/fake/client-%s.script %s",
	                   srcdir, srcdir, name, fake_transcript(name));
	p.conn.tunnel = tunnel;
	/* No script answer takes long: a client waiting for more than the
	 * server sent fails in seconds rather than after a minute. */
	p.conn.io_timeout_ms = 10000;
	p.user = user;
	p.password = password;
	p.wake_fd = -1;
	memset(rec, 0, sizeof *rec);
	ret = imap_client_open(&p, &h, c_r, err);
	free(tunnel);
	if (ret == 0)
		rec->c = *c_r;
	return ret;
}

static struct imap_client *fake_open_ok(const char *name, const char *user,
                                        const char *password, struct rec *rec)
{
	struct imap_client *c = NULL;
	struct pt_error err;

	if (fake_open(name, user, password, rec, &c, &err) != 0)
		fail_msg("open %s: %s", name, err.msg);
	return c;
}

/* The session must have followed the script to its end. */
static void fake_done(const char *name)
{
	if (sh("perl %s/tests/fixture/fake-imapd --wait %s 10", srcdir,
	       fake_transcript(name)) != 0)
		fail_msg("fake server session %s failed; transcript: %s", name,
		         fake_transcript(name));
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		fail_msg("cannot read %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_addch(&b, '\0');
	return buf_detach(&b);
}

/* Does a client line ("C: ...") of the transcript contain s? */
static bool client_sent(const char *name, const char *s)
{
	char *text = slurp(fake_transcript(name));
	bool found = false;

	for (char *line = strtok(text, "\n"); line != NULL && !found;
	     line = strtok(NULL, "\n"))
		found = strncmp(line, "C: ", 3) == 0 && strstr(line, s);
	free(text);
	return found;
}

/* Start a command and wait for it; the caller checks and frees it. */
static struct imap_cmd *run_cmd(struct imap_client *c, int want,
                                const char *text)
{
	struct imap_cmd *cmd = NULL;
	struct pt_error err;
	int ret;

	if (imap_client_start(c, &cmd, &err, "%s", text) != 0)
		fail_msg("start %s: %s", text, err.msg);
	ret = imap_client_wait(c, cmd, &err);
	if (ret != want)
		fail_msg("%s: wait returned %d, want %d (%s)", text, ret, want,
		         ret ? err.msg : "");
	return cmd;
}

static void run_ok(struct imap_client *c, const char *text)
{
	struct imap_cmd *cmd = run_cmd(c, 0, text);

	imap_cmd_free(c, &cmd);
}

static void select_ok(struct imap_client *c, const char *mbox,
                      const char *params, bool readonly, void *ctx)
{
	struct pt_error err;

	if (imap_client_select(c, mbox, params, readonly, ctx, NULL, &err) != 0)
		fail_msg("select %s: %s", mbox, err.msg);
}

/* ------------------------------------------------ login and capabilities */

/* The greeting's CAPABILITY code spares the CAPABILITY command; SASL-IR;
 * QRESYNC without CONDSTORE; "* ENABLED QRESYNC". */
static void test_imap_client_sasl_ir(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("sasl-ir", "bob", "secret", &rec);

	assert_true(imap_client_qresync(c));
	assert_false(imap_client_has(c, IMAP_CAP_CONDSTORE));
	assert_true(imap_client_condstore(c)); /* */
	/* The capabilities were refreshed after the login. */
	assert_true(imap_client_has(c, IMAP_CAP_UNSELECT | IMAP_CAP_IDLE));
	assert_false(imap_client_has(c, IMAP_CAP_AUTH_PLAIN));
	/* CAPABILITY and ENABLED are the client's own business. */
	assert_int_equal(ev_count(&rec, IMAP_RT_CAPABILITY), 0);
	assert_int_equal(ev_count(&rec, IMAP_RT_ENABLED), 0);
	assert_true(imap_client_usable(c));
	imap_client_close(&c);
	assert_null(c);
	fake_done("sasl-ir");
}

/* No capabilities in the greeting: the client asks. AUTH=PLAIN without
 * SASL-IR goes through the continuation request; LOGINDISABLED does not
 * matter when AUTHENTICATE is possible. */
static void test_imap_client_auth_continuation(void **state)
{
	struct rec rec;
	struct imap_client *c =
	        fake_open_ok("auth-cont", "bob", "secret", &rec);

	assert_true(imap_client_has(c, IMAP_CAP_IDLE));
	assert_false(imap_client_has(c, IMAP_CAP_LOGINDISABLED));
	assert_false(imap_client_qresync(c));
	assert_false(imap_client_condstore(c));
	imap_client_close(&c);
	fake_done("auth-cont");
}

static void test_imap_client_login_quoted(void **state)
{
	struct rec rec;
	struct imap_client *c =
	        fake_open_ok("login-quoted", "bob smith", "pa ss\"w\\d", &rec);

	imap_client_close(&c);
	fake_done("login-quoted");
}

static void test_imap_client_login_literal(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("login-literal", "bob",
	                                     "p\xc3\xa4ssw\xc3\xb6rd", &rec);

	imap_client_close(&c);
	fake_done("login-literal");
}

/* A peer that answers NO if the literal comes before its "+" (RFC 3501
 * §7.5: a synchronizing literal waits for the continuation request). The
 * fake server cannot tell: it reads the literal either way. */
static const char literal_peer[] =
        "use strict;\n"
        "$| = 1;\n"
        "my $buf = '';\n"
        "sub rd { my ($t) = @_; my $rin = ''; vec($rin, 0, 1) = 1;\n"
        "  return 0 unless select($rin, undef, undef, $t) > 0;\n"
        "  return sysread(STDIN, $buf, 4096, length $buf); }\n"
        "sub line { while ($buf !~ /\\r\\n/) { return undef unless rd(10) }\n"
        "  $buf =~ s/\\A(.*?)\\r\\n//s; return $1; }\n"
        "sub out { syswrite(STDOUT, \"$_[0]\\r\\n\") }\n"
        "out('* OK [CAPABILITY IMAP4rev1] peer ready');\n"
        "my $l = line() // exit 1;\n"
        "$l =~ /\\A(\\S+) LOGIN bob \\{10\\}\\z/ or do { out(\"* BYE $l\");"
        " exit 1 };\n"
        "my $tag = $1;\n"
        "if (length $buf || rd(0.5)) {\n"
        "  out(\"$tag NO the literal came before the continuation\"); exit 1 "
        "}\n"
        "out('+ go ahead');\n"
        "my $pw = line() // exit 1;\n"
        "out($pw eq \"p\\xc3\\xa4ssw\\xc3\\xb6rd\" ? \"$tag OK in\" "
        ": \"$tag NO bad password\");\n"
        "$l = line() // exit 1;\n"
        "$l =~ /\\A(\\S+) CAPABILITY\\z/ or exit 1;\n"
        "out('* CAPABILITY IMAP4rev1'); out(\"$1 OK done\");\n"
        "1 while rd(10);\n";

static void test_imap_client_login_literal_waits(void **state)
{
	struct imap_client_params p;
	struct imap_client *c = NULL;
	struct pt_error err;
	FILE *f = fopen(tpath("peer.pl"), "w");
	char *tunnel = xasprintf("perl %s", tpath("peer.pl"));

	assert_non_null(f);
	fputs(literal_peer, f);
	fclose(f);
	memset(&p, 0, sizeof p);
	p.conn.tunnel = tunnel;
	p.user = "bob";
	p.password = "p\xc3\xa4ssw\xc3\xb6rd";
	p.wake_fd = -1;
	if (imap_client_open(&p, NULL, &c, &err) != 0)
		fail_msg("open: %s", err.msg);
	free(tunnel);
	imap_client_abort(&c);
}

static void test_imap_client_logindisabled(void **state)
{
	struct rec rec;
	struct imap_client *c = NULL;
	struct pt_error err;

	assert_int_equal(
	        fake_open("logindisabled", "bob", "secret", &rec, &c, &err),
	        -1);
	assert_null(c);
	assert_int_equal(err.code, PT_E_AUTH);
	assert_non_null(strstr(err.msg, "LOGINDISABLED"));
	fake_done("logindisabled"); /* nothing was sent */
}

static void test_imap_client_login_no(void **state)
{
	struct rec rec;
	struct imap_client *c = NULL;
	struct pt_error err;

	assert_int_equal(fake_open("login-no", "bob", "wrong", &rec, &c, &err),
	                 -1);
	assert_int_equal(err.code, PT_E_AUTH);
	assert_non_null(strstr(err.msg, "Invalid credentials"));
	fake_done("login-no");
}

static void test_imap_client_greeting_bye(void **state)
{
	struct rec rec;
	struct imap_client *c = NULL;
	struct pt_error err;

	assert_int_equal(
	        fake_open("greeting-bye", "bob", "secret", &rec, &c, &err), -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "Too many connections"));
	fake_done("greeting-bye");
}

/* The wake-up descriptor ends the wait for the greeting. */
static void test_imap_client_greeting_woken(void **state)
{
	struct imap_client_params p;
	struct imap_client *c = NULL;
	struct pt_error err;
	struct wake *w = wake_new();
	char *tunnel =
	        xasprintf("perl %s/tests/fixture/fake-imapd "
	                  "%s/tests/data/fake/client-greeting-woken.script "
	                  "%s",
	                  srcdir, srcdir, fake_transcript("greeting-woken"));

	assert_non_null(w);
	memset(&p, 0, sizeof p);
	p.conn.tunnel = tunnel;
	p.wake_fd = wake_fd(w);
	wake_notify(w);
	memset(&err, 0, sizeof err);
	assert_int_equal(imap_client_open(&p, NULL, &c, &err), -1);
	assert_null(c);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "interrupted"));
	free(tunnel);
	wake_free(w);
	fake_done("greeting-woken");
}

/* T-4: ENABLE answered OK without "* ENABLED": no QRESYNC. */
static void test_imap_client_enable_without_enabled(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("enable-ok", NULL, NULL, &rec);

	assert_true(imap_client_has(c, IMAP_CAP_QRESYNC));
	assert_false(imap_client_qresync(c));
	assert_true(imap_client_condstore(c));
	imap_client_close(&c);
	fake_done("enable-ok");
}

/* no ENABLE capability, no ENABLE command. */
static void test_imap_client_no_enable_cap(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("no-enable", NULL, NULL, &rec);

	assert_false(imap_client_qresync(c));
	assert_true(imap_client_condstore(c));
	imap_client_close(&c);
	fake_done("no-enable");
	assert_false(client_sent("no-enable", "ENABLE"));
	assert_true(client_sent("no-enable", "LOGOUT"));
}

/* ------------------------------------------------ selections */

/* without UNSELECT, the switch goes through [CLOSED]. */
static void test_imap_client_select_closed(void **state)
{
	int inbox, work, inbox2;
	struct rec rec;
	struct imap_client *c = fake_open_ok("select-closed", NULL, NULL, &rec);
	const struct imap_selection *sel = imap_client_selection(c);
	const struct ev *e;

	select_ok(c, "INBOX", "(CONDSTORE)", false, &inbox);
	assert_int_equal(sel->uidvalidity, 100);
	assert_int_equal(sel->exists, 3);
	run_ok(c, "UID FETCH 1:* (UID)");
	assert_int_equal(imap_client_seq_uid(c, 2), 20);

	rec.n = 0;
	select_ok(c, "Work", "(CONDSTORE)", false, &work);
	/* Before [CLOSED]: INBOX's, with INBOX's UIDs. */
	e = ev_must(&rec, IMAP_RT_EXPUNGE, 0);
	assert_ptr_equal(e->ctx, &inbox);
	assert_int_equal(e->uid, 20);
	e = ev_must(&rec, IMAP_RT_FETCH, 0);
	assert_ptr_equal(e->ctx, &inbox);
	assert_int_equal(e->uid, 10);
	/* After it: Work's. */
	e = ev_must(&rec, IMAP_RT_EXISTS, 0);
	assert_ptr_equal(e->ctx, &work);
	e = ev_must(&rec, IMAP_RT_FETCH, 1);
	assert_ptr_equal(e->ctx, &work);
	assert_int_equal(e->uid, 7);
	assert_true(sel->active);
	assert_ptr_equal(sel->sel_ctx, &work);
	assert_int_equal(sel->uidvalidity, 200);
	assert_int_equal(sel->uidnext, 9);
	assert_int_equal(sel->exists, 2); /* INBOX's EXPUNGE did not count */
	assert_true(sel->has_hms);
	assert_int_equal(sel->hms, 70);
	assert_int_equal(imap_client_seq_uid(c, 1), 7);
	assert_int_equal(imap_client_seq_uid(c, 2), 0);

	rec.n = 0;
	run_ok(c, "NOOP");
	e = ev_must(&rec, IMAP_RT_FETCH, 0);
	assert_ptr_equal(e->ctx, &work);
	assert_int_equal(e->uid, 8);

	/* Left locally (no UNSELECT to send): data is nobody's. */
	assert_int_equal(imap_client_unselect(c, NULL), 0);
	assert_false(sel->active);
	rec.n = 0;
	run_ok(c, "NOOP");
	assert_null(ev_must(&rec, IMAP_RT_EXPUNGE, 0)->ctx);

	/* The next SELECT: before [CLOSED] nobody's, after it INBOX's. */
	rec.n = 0;
	select_ok(c, "INBOX", "", true, &inbox2);
	e = ev_must(&rec, IMAP_RT_FETCH, 0);
	assert_null(e->ctx);
	assert_int_equal(e->uid, 8);
	assert_ptr_equal(ev_must(&rec, IMAP_RT_EXISTS, 0)->ctx, &inbox2);
	e = ev_must(&rec, IMAP_RT_FETCH, 1);
	assert_ptr_equal(e->ctx, &inbox2);
	assert_int_equal(e->uid, 30);
	assert_true(sel->readonly);
	assert_int_equal(sel->uidvalidity, 100);
	assert_int_equal(sel->exists, 2);
	assert_int_equal(imap_client_seq_uid(c, 2), 30);
	imap_client_close(&c);
	fake_done("select-closed");
}

/* With UNSELECT, data during it is still the old mailbox's; CLOSE is
 * never sent. */
static void test_imap_client_select_unselect(void **state)
{
	int inbox, work;
	struct rec rec;
	struct imap_client *c =
	        fake_open_ok("select-unselect", NULL, NULL, &rec);
	const struct imap_selection *sel = imap_client_selection(c);
	const struct ev *e;
	struct pt_error err;

	select_ok(c, "INBOX", "", false, &inbox);
	rec.n = 0;
	select_ok(c, "Work", NULL, true, &work);
	e = ev_must(&rec, IMAP_RT_FETCH, 0);
	assert_ptr_equal(e->ctx, &inbox);
	assert_int_equal(e->uid, 10);
	e = ev_must(&rec, IMAP_RT_EXISTS, 0);
	assert_ptr_equal(e->ctx, &work);
	assert_int_equal(e->number, 5);
	assert_true(sel->active);
	assert_true(sel->readonly);
	assert_int_equal(sel->uidvalidity, 200);
	assert_int_equal(sel->exists, 5);
	assert_int_equal(imap_client_unselect(c, &err), 0);
	assert_false(sel->active);
	assert_null(sel->sel_ctx);
	imap_client_close(&c);
	fake_done("select-unselect");
	assert_false(client_sent("select-unselect", " CLOSE"));
}

/* after a failed SELECT nothing is selected. */
static void test_imap_client_select_failed(void **state)
{
	int inbox, other;
	struct rec rec;
	struct imap_client *c = fake_open_ok("select-failed", NULL, NULL, &rec);
	const struct imap_selection *sel = imap_client_selection(c);
	struct imap_cmd *cmd = NULL;
	struct pt_error err;

	select_ok(c, "INBOX", "", false, &inbox);
	assert_int_equal(imap_client_select(c, "Nosuch", "(QRESYNC (1 0))",
	                                    false, &other, &cmd, &err),
	                 -1);
	assert_null(cmd);
	assert_int_equal(err.code, PT_E_MBOX);
	assert_non_null(strstr(err.msg, "invalid QRESYNC parameters"));
	assert_true(imap_client_usable(c));
	assert_false(sel->active);
	assert_null(sel->sel_ctx);
	assert_int_equal(sel->uidvalidity, 0);
	rec.n = 0;
	run_ok(c, "NOOP");
	assert_null(ev_must(&rec, IMAP_RT_FETCH, 0)->ctx);
	assert_null(ev_must(&rec, IMAP_RT_EXPUNGE, 0)->ctx);
	imap_client_close(&c);
	fake_done("select-failed");
}

/* ------------------------------------------------ the sequence map */

static void test_imap_client_seqmap(void **state)
{
	static const uint32_t uids[] = {501, 504, 505, 507, 508, 509,
	                                510, 511, 512, 513, 625};
	static const uint32_t after[] = {504, 508, 509, 511,
	                                 512, 513, 700}; /* seq 1..7 */
	int inbox;
	struct rec rec;
	struct imap_client *c = fake_open_ok("seqmap", NULL, NULL, &rec);
	const struct imap_selection *sel = imap_client_selection(c);
	const struct ev *e;

	assert_true(imap_client_qresync(c));
	select_ok(c, "INBOX", "", false, &inbox);
	assert_int_equal(sel->exists, 11);
	assert_false(imap_client_seqmap_complete(c));
	imap_client_set_seqmap(c, uids, 11);
	assert_true(imap_client_seqmap_complete(c));
	assert_int_equal(imap_client_seq_uid(c, 5), 508);
	assert_int_equal(imap_client_seq_uid(c, 12), 0);

	rec.n = 0;
	run_ok(c, "NOOP");
	/* four visible messages gone, the rest renumbered. */
	e = ev_must(&rec, IMAP_RT_VANISHED, 0);
	assert_false(e->earlier);
	assert_string_equal(e->set, "505,507,510,625");
	assert_ptr_equal(e->ctx, &inbox);
	assert_int_equal(e->exists, 7);
	/* EARLIER neither counts down nor renumbers. */
	e = ev_must(&rec, IMAP_RT_VANISHED, 1);
	assert_true(e->earlier);
	assert_int_equal(e->exists, 7);
	/* old message 5 (UID 508) is message 3 now. */
	e = ev_must(&rec, IMAP_RT_FETCH, 0);
	assert_int_equal(e->number, 3);
	assert_int_equal(e->uid, 508);
	/* The expunged message's UID goes to the handler. */
	e = ev_must(&rec, IMAP_RT_EXPUNGE, 0);
	assert_int_equal(e->uid, 501);
	assert_int_equal(e->exists, 6);
	assert_int_equal(sel->exists, 6);
	assert_true(imap_client_seqmap_complete(c));
	for (uint32_t s = 1; s <= 6; s++)
		assert_int_equal(imap_client_seq_uid(c, s), after[s - 1]);

	rec.n = 0;
	run_ok(c, "NOOP");
	assert_int_equal(sel->exists, 8);
	assert_false(imap_client_seqmap_complete(c));
	assert_int_equal(imap_client_seq_uid(c, 6), 513);
	assert_int_equal(imap_client_seq_uid(c, 7), 0);
	assert_int_equal(imap_client_seq_uid(c, 8), 700);
	assert_int_equal(ev_must(&rec, IMAP_RT_FETCH, 0)->uid, 700);

	/* T-14: UID 699 is not in the map; the count drops all the same,
	 * and no message gets a wrong UID. */
	rec.n = 0;
	run_ok(c, "NOOP");
	assert_int_equal(sel->exists, 7);
	assert_false(imap_client_seqmap_complete(c));
	for (uint32_t s = 1; s <= 7; s++) {
		uint32_t u = imap_client_seq_uid(c, s);
		if (u != 0 && u != after[s - 1])
			fail_msg("message %u has UID %u", s, u);
	}
	imap_client_close(&c);
	fake_done("seqmap");
}

/* ------------------------------------------------ Q-66 and MODIFIED */

static void expect_hms(struct imap_client *c, const char *text, bool has,
                       uint64_t code, uint64_t max)
{
	struct imap_cmd *cmd = run_cmd(c, 0, text);

	if (cmd->has_hms_code != has || cmd->hms_code != code ||
	    cmd->max_modseq != max)
		fail_msg("%s: has %d code %llu max %llu, want %d %llu %llu",
		         text, cmd->has_hms_code,
		         (unsigned long long)cmd->hms_code,
		         (unsigned long long)cmd->max_modseq, has,
		         (unsigned long long)code, (unsigned long long)max);
	imap_cmd_free(c, &cmd);
}

static void test_imap_client_hms(void **state)
{
	int inbox;
	struct rec rec;
	struct imap_client *c = fake_open_ok("hms", NULL, NULL, &rec);
	struct imap_cmd *cmd = NULL;
	struct pt_error err;

	assert_int_equal(imap_client_select(c, "INBOX", "(CONDSTORE)", false,
	                                    &inbox, &cmd, &err),
	                 0);
	assert_true(cmd->has_hms_code);
	assert_int_equal(cmd->hms_code, 90);
	assert_true(imap_client_selection(c)->has_hms);
	assert_int_equal(imap_client_selection(c)->hms, 90);
	imap_cmd_free(c, &cmd);
	expect_hms(c, "NOOP", true, 99, 103); /* Q-66 (a), T-18 */
	expect_hms(c, "NOOP", false, 0, 105); /* Q-66 (b), T-8 */
	expect_hms(c, "UID FETCH 20 (BODY.PEEK[HEADER])", true, 111, 0);
	expect_hms(c, "NOOP", false, 0, 0); /* reset at each tagged */
	expect_hms(c, "NOOP", false, 0, 0); /* T-1, T-2 */
	imap_client_close(&c);
	fake_done("hms");
}

/* MODIFIED in a tagged OK and in a tagged NO. */
static void test_imap_client_modified(void **state)
{
	int inbox;
	struct rec rec;
	struct imap_client *c = fake_open_ok("modified", NULL, NULL, &rec);
	struct imap_cmd *cmd;

	select_ok(c, "INBOX", "(CONDSTORE)", false, &inbox);
	cmd = run_cmd(c, 0,
	              "UID STORE 5,7,9 (UNCHANGEDSINCE 200) +FLAGS.SILENT "
	              "(\\Seen)");
	assert_int_equal(cmd->status, IMAP_RS_OK);
	assert_int_equal(cmd->code, IMAP_CODE_MODIFIED);
	assert_int_equal(imap_seqset_count(&cmd->modified), 2);
	assert_true(imap_seqset_contains(&cmd->modified, 7));
	assert_true(imap_seqset_contains(&cmd->modified, 9));
	assert_string_equal(cmd->text, "Conditional STORE failed");
	imap_cmd_free(c, &cmd);

	cmd = run_cmd(c, -1,
	              "UID STORE 2:4 (UNCHANGEDSINCE 200) +FLAGS.SILENT "
	              "(\\Seen)");
	assert_int_equal(cmd->status, IMAP_RS_NO);
	assert_int_equal(imap_seqset_count(&cmd->modified), 2);
	assert_true(imap_seqset_contains(&cmd->modified, 2));
	assert_true(imap_seqset_contains(&cmd->modified, 3));
	assert_true(imap_client_usable(c));
	imap_cmd_free(c, &cmd);

	cmd = run_cmd(c, 0,
	              "UID STORE 6 (UNCHANGEDSINCE 201) -FLAGS.SILENT "
	              "(\\Seen)");
	assert_true(imap_seqset_empty(&cmd->modified));
	imap_cmd_free(c, &cmd);
	imap_client_close(&c);
	fake_done("modified");
}

/* ------------------------------------------------ pipelining, IDLE */

static void test_imap_client_pipeline(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("pipeline", NULL, NULL, &rec);
	struct imap_cmd *a, *b, *d, *e;
	struct pt_error err;

	assert_int_equal(imap_client_start(c, &a, &err, "NOOP"), 0);
	assert_int_equal(imap_client_start(c, &b, &err, "CHECK"), 0);
	assert_int_equal(imap_client_start(c, &d, &err, "UID FETCH 1 (FLAGS)"),
	                 0);
	assert_int_equal(imap_client_start(c, &e, &err, "NOOP"), 0);
	/* The script names the tags it expects. */
	assert_string_equal(a->tag, "p1");
	assert_string_equal(b->tag, "p2");
	assert_string_equal(d->tag, "p3");
	assert_string_equal(e->tag, "p4");
	/* Forgotten while pending: its completion is read and dropped. */
	imap_cmd_free(c, &e);
	assert_null(e);
	assert_false(a->done || b->done || d->done);
	assert_int_equal(imap_client_wait(c, d, &err), 0);
	assert_true(a->done && b->done);
	assert_int_equal(a->status, IMAP_RS_OK);
	assert_string_equal(a->text, "first done");
	assert_int_equal(b->status, IMAP_RS_NO);
	assert_string_equal(b->text, "second refused");
	assert_string_equal(d->text, "third done");
	assert_int_equal(ev_must(&rec, IMAP_RT_FETCH, 0)->uid, 1);
	assert_int_equal(imap_client_wait(c, a, &err), 0);
	assert_int_equal(imap_client_wait(c, b, &err), -1);
	assert_int_equal(err.code, PT_E_MBOX);
	imap_cmd_free(c, &a);
	imap_cmd_free(c, &b);
	imap_cmd_free(c, &d);
	imap_client_close(&c); /* LOGOUT reads past p4's completion */
	fake_done("pipeline");
	assert_int_equal(ev_count(&rec, IMAP_RT_FETCH), 2);
}

static void test_imap_client_idle(void **state)
{
	int inbox, ret = 1;
	struct rec rec;
	struct imap_client *c = fake_open_ok("idle", NULL, NULL, &rec);
	struct pt_error err;
	struct wake *w;
	const struct ev *e;
	int64_t t0;

	select_ok(c, "INBOX", "", false, &inbox);
	rec.n = 0;
	assert_int_equal(imap_client_idle_start(c, &err), 0);
	/* The data may come with the continuation or later. */
	for (int i = 0;
	     i < 20 && ret == 1 && ev_count(&rec, IMAP_RT_FETCH) == 0; i++)
		ret = imap_client_idle_wait(c, 5000, -1, &err);
	assert_int_equal(ret, 1);
	e = ev_must(&rec, IMAP_RT_EXISTS, 0);
	assert_ptr_equal(e->ctx, &inbox);
	e = ev_must(&rec, IMAP_RT_FETCH, 0);
	assert_ptr_equal(e->ctx, &inbox);
	assert_int_equal(e->uid, 30);
	assert_int_equal(imap_client_selection(c)->exists, 3);
	assert_int_equal(imap_client_seq_uid(c, 3), 30);
	/* Nothing more: a timeout. */
	assert_int_equal(imap_client_idle_wait(c, 100, -1, &err), 0);
	/* Woken from another thread. */
	w = wake_new();
	assert_non_null(w);
	wake_notify(w);
	t0 = now_ms();
	assert_int_equal(imap_client_idle_wait(c, 5000, wake_fd(w), &err), 0);
	assert_true(now_ms() - t0 < 2000);
	wake_free(w);
	assert_int_equal(imap_client_idle_done(c, &err), 0);
	assert_true(imap_client_usable(c));
	imap_client_close(&c);
	fake_done("idle");
	assert_true(client_sent("idle", "DONE"));
}

/* ------------------------------------------------ failures */

/* A handler error ends the wait; the client stays usable, and what was
 * already received is processed by the next wait. */
static void test_imap_client_handler_error(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("handler-error", NULL, NULL, &rec);
	struct imap_cmd *cmd = NULL;
	struct pt_error err;
	int64_t t0;

	rec.fail_uid = 66;
	assert_int_equal(imap_client_start(c, &cmd, &err, "NOOP"), 0);
	assert_int_equal(imap_client_wait(c, cmd, &err), -1);
	assert_int_equal(err.code, PT_E_MSG);
	assert_false(cmd->done);
	assert_true(imap_client_usable(c));
	t0 = now_ms();
	assert_int_equal(imap_client_wait(c, cmd, &err), 0);
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(ev_must(&rec, IMAP_RT_FETCH, 0)->uid, 67);
	imap_cmd_free(c, &cmd);
	assert_int_equal(imap_client_run(c, &err, "NOOP"), 0);
	imap_client_close(&c);
	fake_done("handler-error");
}

/* Message numbers from the server do not size memory beyond a limit. */
static void test_imap_client_huge_exists(void **state)
{
	int inbox;
	struct rec rec;
	struct imap_client *c = fake_open_ok("huge-exists", NULL, NULL, &rec);
	struct pt_error err;

	assert_int_equal(
	        imap_client_select(c, "INBOX", "", false, &inbox, NULL, &err),
	        -1);
	assert_int_equal(err.code, PT_E_PROTO);
	assert_non_null(strstr(err.msg, "4294967295"));
	assert_false(imap_client_usable(c));
	assert_false(imap_client_selection(c)->active);
	imap_client_close(&c);
	fake_done("huge-exists");

	c = fake_open_ok("huge-fetch", NULL, NULL, &rec);
	assert_int_equal(imap_client_run(c, &err, "NOOP"), -1);
	assert_int_equal(err.code, PT_E_PROTO);
	assert_non_null(strstr(err.msg, "4000000000"));
	assert_false(imap_client_usable(c));
	imap_client_close(&c);
	fake_done("huge-fetch");
}

static void test_imap_client_bye_eof(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("bye", NULL, NULL, &rec);
	struct pt_error err;

	assert_int_equal(imap_client_run(c, &err, "NOOP"), -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(
	        strstr(err.msg, "Server shutting down for maintenance"));
	assert_false(imap_client_usable(c));
	assert_int_equal(ev_must(&rec, IMAP_RT_STATE, 0)->status, IMAP_RS_BYE);
	assert_int_equal(imap_client_run(c, &err, "NOOP"), -1);
	assert_int_equal(err.code, PT_E_CONN);
	imap_client_close(&c);
	fake_done("bye");
}

static void test_imap_client_malformed(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("malformed", NULL, NULL, &rec);
	struct pt_error err;

	assert_int_equal(imap_client_run(c, &err, "NOOP"), -1);
	assert_int_equal(err.code, PT_E_PROTO);
	assert_non_null(strstr(err.msg, "bad UID in FETCH"));
	assert_int_equal(ev_count(&rec, IMAP_RT_FETCH), 0);
	/* Given up: no later data can be misread, no LOGOUT is sent. */
	assert_false(imap_client_usable(c));
	imap_client_close(&c);
	fake_done("malformed");
}

static void test_imap_client_drop_literal(void **state)
{
	struct rec rec;
	struct imap_client *c = fake_open_ok("drop-literal", NULL, NULL, &rec);
	struct pt_error err;

	assert_int_equal(imap_client_run(c, &err, "UID FETCH 3 (BODY.PEEK[])"),
	                 -1);
	assert_int_equal(err.code, PT_E_CONN);
	assert_non_null(strstr(err.msg, "connection lost"));
	assert_int_equal(ev_count(&rec, IMAP_RT_FETCH), 0);
	assert_false(imap_client_usable(c));
	imap_client_close(&c);
	fake_done("drop-literal");
}

/* ------------------------------------------------ the real Dovecot */

static const char *denv(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		fail_msg("%s is not set (run through imap-client-dovecot.sh)",
		         name);
	return v;
}

/* Another device: doveadm on the test server, as DOVE_USER. */
static void doveadm(const char *args)
{
	if (sh("USER='%s' HOME='%s/home' doveadm -c '%s' %s", denv("DOVE_USER"),
	       denv("DOVE_DIR"), denv("DOVE_CONF"), args) != 0)
		fail_msg("doveadm %s failed", args);
}

enum dove_via { DOVE_TUNNEL, DOVE_IMPLICIT, DOVE_STARTTLS };

static int dove_open(enum dove_via via, const char *password, struct rec *rec,
                     struct imap_client **c_r, struct pt_error *err)
{
	struct imap_client_params p;
	struct imap_client_handler h = {rec, rec_untagged};

	memset(&p, 0, sizeof p);
	memset(rec, 0, sizeof *rec);
	p.wake_fd = -1;
	if (via == DOVE_TUNNEL) {
		p.conn.tunnel = denv("DOVE_TUNNEL");
	} else {
		p.conn.host = "127.0.0.1";
		p.conn.ca_file = denv("DOVE_CA");
		p.conn.tls = via == DOVE_IMPLICIT ? IMAP_TLS_IMPLICIT
		                                  : IMAP_TLS_STARTTLS;
		p.conn.port = (unsigned)atoi(denv(via == DOVE_IMPLICIT
		                                          ? "DOVE_PORT_IMAPS"
		                                          : "DOVE_PORT_IMAP"));
		p.user = denv("DOVE_USER");
		p.password = password;
	}
	if (imap_client_open(&p, &h, c_r, err) != 0)
		return -1;
	rec->c = *c_r;
	return 0;
}

static struct imap_client *dove_open_ok(enum dove_via via, struct rec *rec)
{
	struct imap_client *c = NULL;
	struct pt_error err;

	if (dove_open(via, denv("DOVE_PASS"), rec, &c, &err) != 0)
		fail_msg("open: %s", err.msg);
	return c;
}

/* The session every Dovecot test expects: QRESYNC really enabled. (The
 * server does not advertise UNSELECT: see test_dovecot_closed.) */
static void dove_check_session(struct imap_client *c, const struct rec *rec)
{
	assert_true(imap_client_has(c, IMAP_CAP_QRESYNC | IMAP_CAP_ENABLE));
	/* Only "* ENABLED QRESYNC" sets this. */
	assert_true(imap_client_qresync(c));
	assert_true(imap_client_condstore(c));
	assert_int_equal(ev_count(rec, IMAP_RT_ENABLED), 0);
	assert_int_equal(imap_client_run(c, NULL, "NOOP"), 0);
}

static void test_dovecot_tunnel(void **state)
{
	struct rec rec;
	struct imap_client *c = dove_open_ok(DOVE_TUNNEL, &rec);

	dove_check_session(c, &rec);
	assert_false(imap_conn_is_tls(imap_client_conn(c)));
	imap_client_close(&c);
}

static void test_dovecot_tls_implicit(void **state)
{
	struct rec rec;
	struct imap_client *c = dove_open_ok(DOVE_IMPLICIT, &rec);

	assert_true(imap_conn_is_tls(imap_client_conn(c)));
	dove_check_session(c, &rec);
	imap_client_close(&c);
}

static void test_dovecot_starttls(void **state)
{
	struct rec rec;
	struct imap_client *c = dove_open_ok(DOVE_STARTTLS, &rec);

	assert_true(imap_conn_is_tls(imap_client_conn(c)));
	assert_false(imap_client_has(c, IMAP_CAP_STARTTLS));
	dove_check_session(c, &rec);
	imap_client_close(&c);
}

static void test_dovecot_bad_password(void **state)
{
	struct rec rec;
	struct imap_client *c = NULL;
	struct pt_error err;

	assert_int_equal(
	        dove_open(DOVE_IMPLICIT, "not-the-password", &rec, &c, &err),
	        -1);
	assert_null(c);
	assert_int_equal(err.code, PT_E_AUTH);
}

/* SELECT (QRESYNC ...) after another device expunged mail
 * reports it as VANISHED (EARLIER), without renumbering. */
static void test_dovecot_qresync_vanished(void **state)
{
	int inbox;
	struct rec rec;
	struct imap_client *c = dove_open_ok(DOVE_TUNNEL, &rec);
	const struct imap_selection *sel = imap_client_selection(c);
	uint32_t uv, n;
	uint64_t hms;
	char params[128];
	const struct ev *e;

	select_ok(c, "INBOX", "(CONDSTORE)", false, &inbox);
	assert_true(sel->has_hms);
	uv = sel->uidvalidity;
	hms = sel->hms;
	n = sel->exists;
	assert_true(n >= 10); /* dovecot_seed INBOX 10: UIDs 1..10 */
	imap_client_close(&c);

	doveadm("expunge mailbox INBOX uid 3,5");

	c = dove_open_ok(DOVE_TUNNEL, &rec);
	sel = imap_client_selection(c);
	snprintf(params, sizeof params, "(QRESYNC (%u %llu 1:%u))", uv,
	         (unsigned long long)hms, n);
	select_ok(c, "INBOX", params, false, &inbox);
	e = ev_must(&rec, IMAP_RT_VANISHED, 0);
	assert_true(e->earlier);
	assert_string_equal(e->set, "3,5");
	assert_ptr_equal(e->ctx, &inbox);
	assert_int_equal(ev_count(&rec, IMAP_RT_VANISHED), 1);
	assert_int_equal(ev_count(&rec, IMAP_RT_EXPUNGE), 0);
	assert_int_equal(sel->uidvalidity, uv);
	assert_int_equal(sel->exists, n - 2);
	assert_true(sel->has_hms);
	assert_true(sel->hms > hms); /* expunges raise it under QRESYNC */
	imap_client_close(&c);
}

/* Q-65 on a real server: without UNSELECT (dovecot_start --without
 * UNSELECT), switching mailboxes goes through [CLOSED]; what comes before
 * it is INBOX's, what comes after it Work's. */
static void test_dovecot_closed(void **state)
{
	int inbox, work;
	struct rec rec;
	struct imap_client *c = dove_open_ok(DOVE_TUNNEL, &rec);
	const struct imap_selection *sel = imap_client_selection(c);
	uint32_t inbox_uv;
	size_t closed = 0;

	assert_false(imap_client_has(c, IMAP_CAP_UNSELECT));
	select_ok(c, "INBOX", "(CONDSTORE)", false, &inbox);
	inbox_uv = sel->uidvalidity;
	rec.n = 0;
	select_ok(c, "Work", "(CONDSTORE)", false, &work);
	while (closed < rec.n && !(rec.v[closed].type == IMAP_RT_STATE &&
	                           rec.v[closed].code == IMAP_CODE_CLOSED))
		closed++;
	if (closed == rec.n)
		fail_msg("no [CLOSED] among %zu responses", rec.n);
	for (size_t i = 0; i < closed; i++)
		assert_ptr_equal(rec.v[i].ctx, &inbox);
	for (size_t i = closed + 1; i < rec.n; i++)
		assert_ptr_equal(rec.v[i].ctx, &work);
	assert_int_equal(ev_must(&rec, IMAP_RT_EXISTS, 0)->number, 2);
	assert_ptr_equal(sel->sel_ctx, &work);
	assert_int_equal(sel->exists, 2); /* dovecot_seed Work 2 */
	assert_true(sel->uidvalidity != 0 && sel->uidvalidity != inbox_uv);
	assert_true(sel->has_hms);
	imap_client_close(&c);
}

/* The FETCH event for a UID, or NULL. */
static const struct ev *ev_fetch_uid(const struct rec *rec, uint32_t uid)
{
	const struct ev *e;

	for (int i = 0; (e = ev_find(rec, IMAP_RT_FETCH, i)) != NULL; i++)
		if (e->uid == uid)
			return e;
	return NULL;
}

/* Q-24..Q-27: a conditional STORE succeeds on an unchanged message and is
 * answered with MODIFIED after another device changed it. */
static void test_dovecot_unchangedsince(void **state)
{
	int inbox;
	struct rec rec;
	struct imap_client *c = dove_open_ok(DOVE_TUNNEL, &rec);
	uint64_t m1, m2;
	struct imap_cmd *cmd;
	const struct ev *e;
	char line[160];

	select_ok(c, "INBOX", "(CONDSTORE)", false, &inbox);
	rec.n = 0;
	run_ok(c, "UID FETCH 1:2 (UID FLAGS MODSEQ)");
	assert_non_null(ev_fetch_uid(&rec, 1));
	assert_non_null(ev_fetch_uid(&rec, 2));
	m1 = ev_fetch_uid(&rec, 1)->modseq;
	m2 = ev_fetch_uid(&rec, 2)->modseq;
	assert_true(m1 > 0 && m2 > 0);

	/* Unchanged: stored; the echo carries the new MODSEQ. */
	rec.n = 0;
	snprintf(line, sizeof line,
	         "UID STORE 1 (UNCHANGEDSINCE %llu) +FLAGS.SILENT (\\Flagged)",
	         (unsigned long long)m1);
	cmd = run_cmd(c, 0, line);
	assert_true(imap_seqset_empty(&cmd->modified));
	imap_cmd_free(c, &cmd);
	e = ev_fetch_uid(&rec, 1);
	assert_non_null(e);
	assert_true(e->modseq > m1);

	/* Changed by another device since m2: MODIFIED 2, nothing stored. */
	doveadm("flags add '\\Answered' mailbox INBOX uid 2");
	snprintf(line, sizeof line,
	         "UID STORE 2 (UNCHANGEDSINCE %llu) +FLAGS.SILENT (\\Flagged)",
	         (unsigned long long)m2);
	cmd = run_cmd(c, 0, line);
	assert_int_equal(cmd->code, IMAP_CODE_MODIFIED);
	assert_int_equal(imap_seqset_count(&cmd->modified), 1);
	assert_true(imap_seqset_contains(&cmd->modified, 2));
	imap_cmd_free(c, &cmd);
	rec.n = 0;
	run_ok(c, "UID FETCH 1:2 (UID FLAGS)");
	assert_non_null(strstr(ev_fetch_uid(&rec, 1)->flags, "\\Flagged"));
	assert_non_null(strstr(ev_fetch_uid(&rec, 2)->flags, "\\Answered"));
	assert_null(strstr(ev_fetch_uid(&rec, 2)->flags, "\\Flagged"));
	imap_client_close(&c);
}

/* ------------------------------------------------ main */

static int group_setup(void **state)
{
	srcdir = getenv("PETREL_SRCDIR");
	if (srcdir == NULL || *srcdir == '\0') {
		fprintf(stderr, "PETREL_SRCDIR is not set (run make check)\n");
		return -1;
	}
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
	sh("rm -rf %s", tmpdir);
	imap_conn_tls_cache_clear();
	return 0;
}

int main(void)
{
	const struct CMUnitTest fake_tests[] = {
	        cmocka_unit_test(test_imap_client_sasl_ir),
	        cmocka_unit_test(test_imap_client_auth_continuation),
	        cmocka_unit_test(test_imap_client_login_quoted),
	        cmocka_unit_test(test_imap_client_login_literal),
	        cmocka_unit_test(test_imap_client_login_literal_waits),
	        cmocka_unit_test(test_imap_client_logindisabled),
	        cmocka_unit_test(test_imap_client_login_no),
	        cmocka_unit_test(test_imap_client_greeting_bye),
	        cmocka_unit_test(test_imap_client_greeting_woken),
	        cmocka_unit_test(test_imap_client_enable_without_enabled),
	        cmocka_unit_test(test_imap_client_no_enable_cap),
	        cmocka_unit_test(test_imap_client_select_closed),
	        cmocka_unit_test(test_imap_client_select_unselect),
	        cmocka_unit_test(test_imap_client_select_failed),
	        cmocka_unit_test(test_imap_client_seqmap),
	        cmocka_unit_test(test_imap_client_hms),
	        cmocka_unit_test(test_imap_client_modified),
	        cmocka_unit_test(test_imap_client_pipeline),
	        cmocka_unit_test(test_imap_client_idle),
	        cmocka_unit_test(test_imap_client_handler_error),
	        cmocka_unit_test(test_imap_client_huge_exists),
	        cmocka_unit_test(test_imap_client_bye_eof),
	        cmocka_unit_test(test_imap_client_malformed),
	        cmocka_unit_test(test_imap_client_drop_literal),
	};
	const struct CMUnitTest dovecot_tests[] = {
	        cmocka_unit_test(test_dovecot_tunnel),
	        cmocka_unit_test(test_dovecot_tls_implicit),
	        cmocka_unit_test(test_dovecot_starttls),
	        cmocka_unit_test(test_dovecot_bad_password),
	        cmocka_unit_test(test_dovecot_qresync_vanished),
	        cmocka_unit_test(test_dovecot_unchangedsince),
	        cmocka_unit_test(test_dovecot_closed),
	};
	const char *dove = getenv("PETREL_TEST_DOVECOT");

	if (dove != NULL && strcmp(dove, "1") == 0)
		return cmocka_run_group_tests_name("imap-client-dovecot",
		                                   dovecot_tests, group_setup,
		                                   group_teardown);
	return cmocka_run_group_tests_name("imap-client-fake", fake_tests,
	                                   group_setup, group_teardown);
}
