/* imap-client.c: the IMAP command layer: login, capabilities, tagged
 * commands, untagged dispatch, the selected mailbox's state. */
#include "imap/imap-client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "common/xmalloc.h"
#include "imap/imap-trace.h"

struct imap_client {
	struct imap_conn *conn;
	struct imap_parser *parser;
	struct imap_client_handler h;
	int wake_fd;
	unsigned caps;
	unsigned caps_gen; /* bumped at every capability list received */
	bool no_qresync, no_condstore;
	bool qresync_on;
	bool broken;
	bool bye_seen;
	char bye_text[200];
	bool cont_seen; /* a "+" continuation request arrived */
	unsigned tagno;
	struct imap_cmd *pending; /* commands sent, not yet completed */
	/* The command imap_client_wait() waits for: dispatching stops at
	 * its tagged response, so what follows (the next pipelined
	 * command's data) stays buffered in the parser for the next read,
	 * and is never mixed into the caller's transaction for this one
	 * (RFC 7162 §6, Q-68). */
	struct imap_cmd *stop_at;

	/* Q-66 accumulators, reset at every tagged response. */
	bool acc_has_hms;
	uint64_t acc_hms;
	uint64_t acc_max_modseq;

	struct imap_selection sel;
	/* While a SELECT is in progress: the new mailbox's context, the old
	 * one (data before [CLOSED] is the old mailbox's), and whether
	 * [CLOSED] was seen. */
	bool selecting;
	void *new_ctx;
	void *old_ctx;
	bool closed_seen;
	/* The last mailbox was left without UNSELECT: until [CLOSED], data
	 * may still be for it (delivered with no context). */
	bool left_silently;
	bool leaving;

	uint32_t *seqmap; /* seqmap[seq - 1] = UID, 0 = unknown */
	size_t seqmap_cap;
	bool seqmap_complete;

	struct imap_cmd *idle_cmd;
};

/* ------------------------------------------------------------ helpers */

static void client_trace_note(struct imap_client *c, const char *msg)
{
	struct imap_trace *t = c->conn ? imap_conn_trace(c->conn) : NULL;

	if (t != NULL)
		imap_trace_note(t, "%s", msg);
}

static void copy_text(char *dst, size_t size, const char *src)
{
	size_t j = 0;

	/* Server text goes into error messages shown on terminals: keep
	 * printable ASCII only. */
	for (size_t i = 0; src != NULL && src[i] != '\0' && j + 1 < size; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[j++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	dst[j] = '\0';
}

static const struct {
	const char *name;
	unsigned bit;
} cap_names[] = {
        {"IMAP4rev1", IMAP_CAP_IMAP4REV1},
        {"IMAP4rev2", IMAP_CAP_IMAP4REV2},
        {"STARTTLS", IMAP_CAP_STARTTLS},
        {"LOGINDISABLED", IMAP_CAP_LOGINDISABLED},
        {"AUTH=PLAIN", IMAP_CAP_AUTH_PLAIN},
        {"SASL-IR", IMAP_CAP_SASL_IR},
        {"ENABLE", IMAP_CAP_ENABLE},
        {"CONDSTORE", IMAP_CAP_CONDSTORE},
        {"QRESYNC", IMAP_CAP_QRESYNC},
        {"UIDPLUS", IMAP_CAP_UIDPLUS},
        {"MOVE", IMAP_CAP_MOVE},
        {"IDLE", IMAP_CAP_IDLE},
        {"UNSELECT", IMAP_CAP_UNSELECT},
        {"LITERAL+", IMAP_CAP_LITERALPLUS},
        {"LITERAL-", IMAP_CAP_LITERALMINUS},
        {"SPECIAL-USE", IMAP_CAP_SPECIAL_USE},
        {"LIST-STATUS", IMAP_CAP_LIST_STATUS},
        {"ESEARCH", IMAP_CAP_ESEARCH},
};

static void client_set_caps(struct imap_client *c,
                            const struct imap_strlist *list)
{
	unsigned caps = 0;

	for (size_t i = 0; i < list->n; i++)
		for (size_t k = 0; k < sizeof cap_names / sizeof cap_names[0];
		     k++)
			if (strcasecmp(list->v[i], cap_names[k].name) == 0)
				caps |= cap_names[k].bit;
	/* RFC 9051 includes UNSELECT, UIDPLUS, ENABLE, IDLE, ... */
	if (caps & IMAP_CAP_IMAP4REV2)
		caps |= IMAP_CAP_UNSELECT | IMAP_CAP_UIDPLUS | IMAP_CAP_ENABLE |
		        IMAP_CAP_IDLE | IMAP_CAP_ESEARCH | IMAP_CAP_MOVE;
	c->caps = caps;
	c->caps_gen++;
}

/* ------------------------------------------------------ sequence map */

/* The map costs 4 bytes per message. A server announcing more messages
 * than this is refused rather than trusted with memory (16M messages,
 * 64 MB of map). */
#define CLIENT_MAX_EXISTS (16u * 1024 * 1024)

/* Before growing the map to n entries on the server's word. */
static int seqmap_check(struct imap_client *c, uint32_t n, struct pt_error *err)
{
	if (n <= CLIENT_MAX_EXISTS)
		return 0;
	/* Without the map later data would be misattributed: give up. */
	c->broken = true;
	return pt_error_set(err, PT_E_PROTO,
	                    "the server announced message %u in one "
	                    "mailbox; petrel handles at most %u",
	                    n, CLIENT_MAX_EXISTS);
}

static void seqmap_resize(struct imap_client *c, uint32_t n)
{
	if (n > c->seqmap_cap) {
		size_t cap = c->seqmap_cap ? c->seqmap_cap : 64;
		while (cap < n)
			cap *= 2;
		c->seqmap = xreallocarray(c->seqmap, cap, sizeof *c->seqmap);
		c->seqmap_cap = cap;
	}
	if (n > c->sel.exists) {
		memset(c->seqmap + c->sel.exists, 0,
		       (n - c->sel.exists) * sizeof *c->seqmap);
		c->seqmap_complete = false;
	}
	c->sel.exists = n;
}

static void seqmap_reset(struct imap_client *c)
{
	c->sel.exists = 0;
	c->seqmap_complete = true;
}

uint32_t imap_client_seq_uid(const struct imap_client *c, uint32_t seq)
{
	if (seq == 0 || seq > c->sel.exists)
		return 0;
	return c->seqmap[seq - 1];
}

void imap_client_set_seqmap(struct imap_client *c, const uint32_t *uids,
                            size_t n)
{
	c->sel.exists = 0;
	seqmap_resize(c, (uint32_t)n);
	if (n > 0)
		memcpy(c->seqmap, uids, n * sizeof *uids);
	c->seqmap_complete = true;
}

bool imap_client_seqmap_complete(const struct imap_client *c)
{
	return c->seqmap_complete;
}

static void seqmap_expunge(struct imap_client *c, uint32_t seq)
{
	if (seq == 0 || seq > c->sel.exists)
		return;
	memmove(c->seqmap + seq - 1, c->seqmap + seq,
	        (c->sel.exists - seq) * sizeof *c->seqmap);
	c->sel.exists--;
}

/* Position of uid in a complete (ascending) map, or -1. */
static long seqmap_find(const struct imap_client *c, uint32_t uid)
{
	size_t lo = 0, hi = c->sel.exists;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->seqmap[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->sel.exists && c->seqmap[lo] == uid)
		return (long)lo;
	return -1;
}

/* VANISHED without EARLIER (RFC 7162 §3.2.10.2, Q-56): every UID listed
 * was visible; remove it and renumber. Without a complete map the
 * positions are unknown (T-14): the count still drops, the map is
 * marked incomplete for the caller to rebuild. */
static void seqmap_vanished(struct imap_client *c,
                            const struct imap_seqset *uids)
{
	uint64_t count = imap_seqset_count(uids);

	if (!c->seqmap_complete) {
		c->sel.exists = count >= c->sel.exists
		                        ? 0
		                        : c->sel.exists - (uint32_t)count;
		memset(c->seqmap, 0, c->sel.exists * sizeof *c->seqmap);
		return;
	}
	for (size_t i = 0; i < imap_seqset_nranges(uids); i++) {
		const struct imap_seqset_range *r = imap_seqset_get(uids, i);
		for (uint64_t u = r->lo; u <= r->hi && c->sel.exists > 0; u++) {
			long pos = seqmap_find(c, (uint32_t)u);
			if (pos >= 0)
				seqmap_expunge(c, (uint32_t)pos + 1);
			else
				c->seqmap_complete = false;
			if (u - r->lo > c->sel.exists + 1000000ULL)
				break; /* a bogus huge range: stop scanning */
		}
	}
}

/* -------------------------------------------------- response dispatch */

static bool selection_data_is_old(const struct imap_client *c)
{
	/* Before [CLOSED], data belongs to the mailbox being left;
	 * only servers with CONDSTORE/QRESYNC send [CLOSED]. */
	return c->selecting && c->leaving && !c->closed_seen &&
	       (c->caps & (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC));
}

static void *current_ctx(const struct imap_client *c)
{
	if (c->selecting)
		return selection_data_is_old(c) ? c->old_ctx : c->new_ctx;
	return c->sel.active ? c->sel.sel_ctx : NULL;
}

static void handle_code(struct imap_client *c, const struct imap_code *code)
{
	bool mine = !selection_data_is_old(c);

	switch (code->kind) {
	case IMAP_CODE_CAPABILITY:
		client_set_caps(c, &code->u.list);
		break;
	case IMAP_CODE_HIGHESTMODSEQ:
		if (code->malformed || code->u.modseq.status != IMAP_MODSEQ_OK)
			break; /* T-1: 0 is "no usable baseline" */
		c->acc_has_hms = true;
		c->acc_hms = code->u.modseq.value;
		if (c->selecting && mine) {
			c->sel.has_hms = true;
			c->sel.hms = code->u.modseq.value;
		}
		break;
	case IMAP_CODE_NOMODSEQ:
		if (c->selecting && mine)
			c->sel.nomodseq = true;
		break;
	case IMAP_CODE_UIDVALIDITY:
		if (c->selecting && mine && !code->malformed)
			c->sel.uidvalidity = code->u.num;
		break;
	case IMAP_CODE_UIDNEXT:
		if (c->selecting && mine && !code->malformed)
			c->sel.uidnext = code->u.num;
		break;
	case IMAP_CODE_CLOSED:
		if (c->selecting) {
			c->closed_seen = true;
			seqmap_reset(c);
		}
		break;
	case IMAP_CODE_READ_ONLY:
		if (c->selecting)
			c->sel.readonly = true;
		break;
	default:
		break;
	}
}

static int handle_fetch(struct imap_client *c, const struct imap_response *r,
                        struct imap_untagged_ctx *x, struct pt_error *err)
{
	const struct imap_fetch *f = &r->u.fetch;
	bool old = selection_data_is_old(c);

	if (!old && f->seq > c->sel.exists) {
		/* a server that skipped EXISTS */
		if (seqmap_check(c, f->seq, err) < 0)
			return -1;
		seqmap_resize(c, f->seq);
	}
	if (f->present & IMAP_FETCH_UID) {
		x->uid = f->uid;
		if (!old && f->seq >= 1 && f->seq <= c->sel.exists)
			c->seqmap[f->seq - 1] = f->uid;
	} else {
		x->uid = imap_client_seq_uid(c, f->seq);
	}
	/* Q-66 (b), counting only FETCHes that carried FLAGS (T-8). */
	if ((f->present & IMAP_FETCH_FLAGS) &&
	    (f->present & IMAP_FETCH_MODSEQ) &&
	    f->modseq_status == IMAP_MODSEQ_OK && f->modseq > c->acc_max_modseq)
		c->acc_max_modseq = f->modseq;
	return 0;
}

static struct imap_cmd *find_cmd(struct imap_client *c, const char *tag)
{
	for (struct imap_cmd *cmd = c->pending; cmd != NULL; cmd = cmd->next)
		if (strcmp(cmd->tag, tag) == 0)
			return cmd;
	return NULL;
}

static void unlink_cmd(struct imap_client *c, struct imap_cmd *cmd)
{
	for (struct imap_cmd **pp = &c->pending; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == cmd) {
			*pp = cmd->next;
			cmd->next = NULL;
			return;
		}
	}
}

static void handle_tagged(struct imap_client *c, const struct imap_response *r)
{
	struct imap_cmd *cmd;

	handle_code(c, &r->code);
	cmd = find_cmd(c, r->tag);
	if (cmd == NULL) {
		client_trace_note(c, "tagged response for an unknown tag");
		goto reset;
	}
	cmd->done = true;
	cmd->status = r->status;
	cmd->code = r->code.kind;
	copy_text(cmd->text, sizeof cmd->text, r->text);
	cmd->has_hms_code = c->acc_has_hms;
	cmd->hms_code = c->acc_hms;
	cmd->max_modseq = c->acc_max_modseq;
	if (r->code.kind == IMAP_CODE_MODIFIED && !r->code.malformed)
		imap_seqset_copy(&cmd->modified, &r->code.u.modified);
	unlink_cmd(c, cmd);
reset:
	c->acc_has_hms = false;
	c->acc_hms = 0;
	c->acc_max_modseq = 0;
}

/* Update the client's own state from an untagged response, then pass it
 * to the handler. */
static int handle_untagged(struct imap_client *c, const struct imap_response *r,
                           struct pt_error *err)
{
	struct imap_untagged_ctx x = {current_ctx(c), 0};
	bool old = selection_data_is_old(c);

	switch (r->type) {
	case IMAP_RT_STATE:
		handle_code(c, &r->code);
		if (r->status == IMAP_RS_BYE) {
			c->bye_seen = true;
			copy_text(c->bye_text, sizeof c->bye_text, r->text);
		}
		break;
	case IMAP_RT_CAPABILITY:
		client_set_caps(c, &r->u.caps);
		return 0;
	case IMAP_RT_ENABLED:
		if (imap_strlist_has(&r->u.caps, "QRESYNC"))
			c->qresync_on = true;
		return 0;
	case IMAP_RT_EXISTS:
		if (old)
			break;
		if (seqmap_check(c, r->number, err) < 0)
			return -1;
		seqmap_resize(c, r->number);
		break;
	case IMAP_RT_EXPUNGE:
		/* Before [CLOSED] the map is still the old mailbox's. */
		x.uid = imap_client_seq_uid(c, r->number);
		seqmap_expunge(c, r->number);
		break;
	case IMAP_RT_VANISHED:
		if (!r->u.vanished.earlier)
			seqmap_vanished(c, &r->u.vanished.uids);
		break;
	case IMAP_RT_FETCH:
		if (handle_fetch(c, r, &x, err) < 0)
			return -1;
		break;
	default:
		break;
	}
	if (c->h.untagged == NULL)
		return 0;
	return c->h.untagged(c->h.arg, r, &x, err);
}

static int client_fail(struct imap_client *c, struct pt_error *err)
{
	c->broken = true;
	return -1;
}

/* Process every complete response buffered. Returns how many, or -1. */
static int client_drain(struct imap_client *c, struct pt_error *err)
{
	const struct imap_response *r;
	int ret, n = 0;

	while ((ret = imap_parser_next(c->parser, &r, err)) == 0) {
		n++;
		if (r->kind == IMAP_RESP_CONTINUE) {
			c->cont_seen = true;
		} else if (r->kind == IMAP_RESP_TAGGED) {
			handle_tagged(c, r);
			if (c->stop_at != NULL && c->stop_at->done)
				return n;
		} else if (handle_untagged(c, r, err) < 0) {
			return -1;
		}
	}
	if (ret == -2)
		return n;
	/* Unparsable server data: PT_E_PROTO (INTERFACE.md exit 76). The
	 * session is given up so no later data is misread. */
	return client_fail(c, err);
}

/* Read more input (waiting up to timeout_ms) and process it. Returns 1
 * after reading, 0 when woken or at a timeout with allow_timeout, -1 on
 * errors. */
static int client_read(struct imap_client *c, int timeout_ms, int wake_fd,
                       bool allow_timeout, struct pt_error *err)
{
	struct buf *b;
	int n;

	/* Responses left buffered when a handler error or the end of the
	 * awaited command ended the last wait come first: the server may
	 * not send anything more. */
	if (imap_parser_pending(c->parser) > 0) {
		n = client_drain(c, err);
		if (n != 0)
			return n < 0 ? -1 : 1;
	}
	n = imap_conn_fill(c->conn, timeout_ms, wake_fd, err);
	if (n == IMAP_CONN_WOKEN)
		return 0;
	if (n == IMAP_CONN_TIMEOUT && allow_timeout)
		return 0;
	if (n < 0) {
		struct pt_error perr;
		if (imap_parser_eof(c->parser, &perr) < 0)
			pt_error_set(err, PT_E_CONN,
			             "connection lost in a response: %s",
			             perr.msg);
		else if (c->bye_seen)
			pt_error_set(err, PT_E_CONN,
			             "the server closed the connection: %s",
			             c->bye_text);
		return client_fail(c, err);
	}
	b = imap_conn_buf(c->conn);
	imap_parser_feed(c->parser, b->data, b->len);
	imap_conn_consume(c->conn, b->len);
	if (client_drain(c, err) < 0)
		return -1;
	return 1;
}

/* ----------------------------------------------------------- commands */

int imap_client_start(struct imap_client *c, struct imap_cmd **cmd_r,
                      struct pt_error *err, const char *fmt, ...)
{
	struct imap_cmd *cmd;
	struct buf line = BUF_INIT;
	va_list ap;
	int ret;

	if (c->broken)
		return pt_error_set(err, PT_E_CONN, "not connected");
	cmd = xcalloc(1, sizeof *cmd);
	snprintf(cmd->tag, sizeof cmd->tag, "p%u", ++c->tagno);
	imap_seqset_init(&cmd->modified);
	buf_printf(&line, "%s ", cmd->tag);
	va_start(ap, fmt);
	{
		char *text = xvasprintf(fmt, ap);
		buf_addstr(&line, text);
		free(text);
	}
	va_end(ap);
	buf_addstr(&line, "\r\n");
	ret = imap_conn_write(c->conn, line.data, line.len, err);
	buf_free(&line);
	if (ret < 0) {
		free(cmd);
		return client_fail(c, err);
	}
	cmd->next = c->pending;
	c->pending = cmd;
	*cmd_r = cmd;
	return 0;
}

static int cmd_status_error(const struct imap_cmd *cmd, struct pt_error *err)
{
	return pt_error_set(err, PT_E_MBOX, "the server answered %s: %s",
	                    imap_resp_status_name(cmd->status), cmd->text);
}

int imap_client_wait(struct imap_client *c, struct imap_cmd *cmd,
                     struct pt_error *err)
{
	struct imap_cmd *outer = c->stop_at;

	c->stop_at = cmd;
	while (!cmd->done) {
		if (c->broken) {
			c->stop_at = outer;
			return pt_error_set(err, PT_E_CONN, "not connected");
		}
		int r = client_read(c, IMAP_CONN_WAIT_IO, c->wake_fd, false,
		                    err);
		if (r < 0) {
			c->stop_at = outer;
			return -1;
		}
		if (r == 0) {
			/* Woken (imap_client_params.wake_fd): the command's
			 * answer is still due, so the session cannot go on. */
			c->stop_at = outer;
			c->broken = true;
			return pt_error_set(err, PT_E_CONN,
			                    "interrupted while waiting for "
			                    "the server");
		}
	}
	c->stop_at = outer;
	if (cmd->status != IMAP_RS_OK)
		return cmd_status_error(cmd, err);
	return 0;
}

void imap_cmd_free(struct imap_client *c, struct imap_cmd **cmdp)
{
	struct imap_cmd *cmd = *cmdp;

	if (cmd == NULL)
		return;
	if (!cmd->done && c != NULL)
		unlink_cmd(c, cmd);
	imap_seqset_clear(&cmd->modified);
	free(cmd);
	*cmdp = NULL;
}

int imap_client_run(struct imap_client *c, struct pt_error *err,
                    const char *fmt, ...)
{
	struct imap_cmd *cmd;
	va_list ap;
	char *text;
	int ret;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	ret = imap_client_start(c, &cmd, err, "%s", text);
	free(text);
	if (ret < 0)
		return -1;
	ret = imap_client_wait(c, cmd, err);
	imap_cmd_free(c, &cmd);
	return ret;
}

void imap_client_astring(struct buf *out, const char *s)
{
	bool atom = *s != '\0';

	for (const char *p = s; *p != '\0' && atom; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch <= 0x20 || ch >= 0x7f || strchr("(){%*\"\\]", ch))
			atom = false;
	}
	if (atom) {
		buf_addstr(out, s);
		return;
	}
	buf_addch(out, '"');
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addch(out, '\\');
		if (*p != '\r' && *p != '\n')
			buf_addch(out, *p);
	}
	buf_addch(out, '"');
}

/* Wait for a "+" continuation request (or the command's completion). */
static int wait_continuation(struct imap_client *c, struct imap_cmd *cmd,
                             struct pt_error *err)
{
	c->cont_seen = false;
	while (!c->cont_seen && !cmd->done) {
		int r = client_read(c, IMAP_CONN_WAIT_IO, c->wake_fd, false,
		                    err);
		if (r < 0)
			return -1;
		if (r == 0) {
			c->broken = true;
			return pt_error_set(err, PT_E_CONN,
			                    "interrupted while waiting for "
			                    "the server");
		}
	}
	if (cmd->done)
		return cmd->status == IMAP_RS_OK ? 0
		                                 : cmd_status_error(cmd, err);
	return 0;
}

/* --------------------------------------------------- session set-up */

static int client_capability(struct imap_client *c, struct pt_error *err)
{
	return imap_client_run(c, err, "CAPABILITY");
}

static int client_starttls(struct imap_client *c,
                           const struct imap_client_params *p,
                           struct pt_error *err)
{
	if (!(c->caps & IMAP_CAP_STARTTLS))
		return pt_error_set(
		        err, PT_E_TLS,
		        "%s does not offer STARTTLS (tls = starttls "
		        "requires it)",
		        p->conn.host);
	if (imap_client_run(c, err, "STARTTLS") < 0) {
		if (err != NULL && err->code == PT_E_MBOX)
			err->code = PT_E_TLS;
		return -1;
	}
	/* Anything buffered before the handshake is untrusted: drop it
	 * with the parser state, and forget the old capabilities. */
	imap_parser_free(&c->parser);
	c->parser = imap_parser_new(NULL);
	c->caps = 0;
	if (imap_conn_starttls(c->conn, p->conn.host, err) < 0)
		return client_fail(c, err);
	return client_capability(c, err);
}

static char *sasl_plain(const char *user, const char *password)
{
	size_t ul = strlen(user), pl = strlen(password);
	size_t n = ul + pl + 2;
	unsigned char *raw = xmalloc(n);
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, password, pl);
	EVP_EncodeBlock((unsigned char *)out, raw, (int)n);
	explicit_bzero(raw, n);
	free(raw);
	return out;
}

static int auth_result(struct imap_client *c, struct imap_cmd *cmd, int ret,
                       struct pt_error *err)
{
	if (ret < 0 && cmd->done && err != NULL)
		pt_error_set(err, PT_E_AUTH, "authentication failed: %s",
		             cmd->text);
	imap_cmd_free(c, &cmd);
	return ret;
}

static int client_auth_plain(struct imap_client *c,
                             const struct imap_client_params *p,
                             struct pt_error *err)
{
	struct imap_cmd *cmd;
	char *resp = sasl_plain(p->user, p->password);
	int ret;

	if (c->caps & IMAP_CAP_SASL_IR) {
		/* SASL-IR: the initial response goes on the command line;
		 * only the tag and mechanism are traced. */
		char head[64];
		cmd = xcalloc(1, sizeof *cmd);
		snprintf(cmd->tag, sizeof cmd->tag, "p%u", ++c->tagno);
		imap_seqset_init(&cmd->modified);
		snprintf(head, sizeof head, "%s AUTHENTICATE PLAIN ", cmd->tag);
		cmd->next = c->pending;
		c->pending = cmd;
		ret = imap_conn_write(c->conn, head, strlen(head), err);
		if (ret == 0)
			ret = imap_conn_write_secret(c->conn, resp,
			                             strlen(resp), err);
		if (ret == 0)
			ret = imap_conn_write(c->conn, "\r\n", 2, err);
	} else {
		ret = imap_client_start(c, &cmd, err, "AUTHENTICATE PLAIN");
		if (ret < 0) {
			explicit_bzero(resp, strlen(resp));
			free(resp);
			return -1;
		}
		ret = wait_continuation(c, cmd, err);
		if (ret == 0 && !cmd->done)
			ret = imap_conn_write_secret(c->conn, resp,
			                             strlen(resp), err);
		if (ret == 0 && !cmd->done)
			ret = imap_conn_write(c->conn, "\r\n", 2, err);
	}
	explicit_bzero(resp, strlen(resp));
	free(resp);
	if (ret == 0)
		ret = imap_client_wait(c, cmd, err);
	return auth_result(c, cmd, ret, err);
}

static int client_login(struct imap_client *c,
                        const struct imap_client_params *p,
                        struct pt_error *err)
{
	struct imap_cmd *cmd;
	struct buf user = BUF_INIT, pass = BUF_INIT;
	int ret;

	imap_client_astring(&user, p->user);
	cmd = xcalloc(1, sizeof *cmd);
	snprintf(cmd->tag, sizeof cmd->tag, "p%u", ++c->tagno);
	imap_seqset_init(&cmd->modified);
	cmd->next = c->pending;
	c->pending = cmd;
	buf_printf(&pass, "%s LOGIN %s ", cmd->tag, buf_str(&user));
	ret = imap_conn_write(c->conn, pass.data, pass.len, err);
	buf_reset(&pass);
	/* A quoted string cannot carry CR, LF or 8-bit bytes. */
	bool literal = false;
	for (const char *s = p->password; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
			literal = true;
	if (ret == 0 && literal) {
		buf_reset(&user);
		buf_printf(&user, "{%zu}\r\n", strlen(p->password));
		ret = imap_conn_write(c->conn, user.data, user.len, err);
		if (ret == 0)
			ret = wait_continuation(c, cmd, err);
		if (ret == 0 && !cmd->done)
			buf_addstr(&pass, p->password);
	} else {
		imap_client_astring(&pass, p->password);
		if (strcmp(buf_str(&pass), p->password) == 0) {
			/* an atom: quote anyway, passwords are strings */
			buf_reset(&pass);
			buf_printf(&pass, "\"%s\"", p->password);
		}
	}
	if (ret == 0 && !cmd->done)
		ret = imap_conn_write_secret(c->conn, pass.data, pass.len, err);
	if (ret == 0 && !cmd->done)
		ret = imap_conn_write(c->conn, "\r\n", 2, err);
	if (pass.data != NULL)
		explicit_bzero(pass.data, pass.len);
	buf_free(&pass);
	buf_free(&user);
	if (ret == 0)
		ret = imap_client_wait(c, cmd, err);
	return auth_result(c, cmd, ret, err);
}

static int client_authenticate(struct imap_client *c,
                               const struct imap_client_params *p,
                               struct pt_error *err)
{
	if (p->user == NULL || p->password == NULL)
		return pt_error_set(err, PT_E_AUTH,
		                    "the server wants a login, but no user or "
		                    "password is configured");
	if (c->caps & IMAP_CAP_LOGINDISABLED &&
	    !(c->caps & IMAP_CAP_AUTH_PLAIN))
		return pt_error_set(err, PT_E_AUTH,
		                    "the server refuses to log in here "
		                    "(LOGINDISABLED)");
	if (c->caps & IMAP_CAP_AUTH_PLAIN)
		return client_auth_plain(c, p, err);
	return client_login(c, p, err);
}

static int client_greeting(struct imap_client *c, bool *preauth_r,
                           struct pt_error *err)
{
	const struct imap_response *r;
	struct pt_error perr;
	int ret;

	for (;;) {
		ret = imap_parser_next(c->parser, &r, &perr);
		if (ret == 0)
			break;
		if (ret == -1) {
			if (err != NULL)
				*err = perr;
			return client_fail(c, err);
		}
		ret = imap_conn_fill(c->conn, IMAP_CONN_WAIT_IO, c->wake_fd,
		                     err);
		if (ret == IMAP_CONN_WOKEN)
			pt_error_set(err, PT_E_CONN,
			             "interrupted while waiting for the "
			             "server's greeting");
		if (ret <= 0)
			return client_fail(c, err);
		struct buf *b = imap_conn_buf(c->conn);
		imap_parser_feed(c->parser, b->data, b->len);
		imap_conn_consume(c->conn, b->len);
	}
	if (r->kind != IMAP_RESP_UNTAGGED || r->type != IMAP_RT_STATE ||
	    (r->status != IMAP_RS_OK && r->status != IMAP_RS_PREAUTH)) {
		char text[200];
		copy_text(text, sizeof text, r->text);
		pt_error_set(err, PT_E_CONN,
		             "the server refused the session: %s", text);
		return client_fail(c, err);
	}
	*preauth_r = r->status == IMAP_RS_PREAUTH;
	if (r->code.kind == IMAP_CODE_CAPABILITY)
		client_set_caps(c, &r->code.u.list);
	return 0;
}

static int client_enable(struct imap_client *c, struct pt_error *err)
{
	if (c->no_condstore || c->no_qresync)
		return 0;
	if (!(c->caps & IMAP_CAP_QRESYNC) || !(c->caps & IMAP_CAP_ENABLE))
		return 0; /* no ENABLE without the capability */
	/* once, after authentication, before any SELECT. A NO is not
	 * fatal: CONDSTORE through SELECT (CONDSTORE) still works. */
	if (imap_client_run(c, err, "ENABLE QRESYNC CONDSTORE") < 0 &&
	    err->code != PT_E_MBOX)
		return -1;
	return 0;
}

int imap_client_open(const struct imap_client_params *p,
                     const struct imap_client_handler *h,
                     struct imap_client **c_r, struct pt_error *err)
{
	struct imap_client *c = xcalloc(1, sizeof *c);
	bool preauth = false;

	c->wake_fd = p->wake_fd;
	c->no_qresync = p->no_qresync;
	c->no_condstore = p->no_condstore;
	if (h != NULL)
		c->h = *h;
	c->parser = imap_parser_new(NULL);
	c->seqmap_complete = true;
	if (imap_conn_open(&p->conn, p->wake_fd, &c->conn, err) != 0)
		goto fail;
	if (client_greeting(c, &preauth, err) < 0)
		goto fail;
	if (c->caps == 0 && client_capability(c, err) < 0)
		goto fail;
	if (p->conn.tunnel == NULL && p->conn.tls == IMAP_TLS_STARTTLS) {
		if (client_starttls(c, p, err) < 0)
			goto fail;
	}
	if (!preauth) {
		unsigned gen = c->caps_gen;
		if (client_authenticate(c, p, err) < 0)
			goto fail;
		/* Capabilities may change after login (RFC 3501 §6.2.3);
		 * most servers send the new list on the login's OK. */
		if (c->caps_gen == gen && client_capability(c, err) < 0)
			goto fail;
	}
	if (client_enable(c, err) < 0)
		goto fail;
	*c_r = c;
	return 0;
fail:
	imap_client_abort(&c);
	return -1;
}

static void client_free(struct imap_client *c)
{
	while (c->pending != NULL) {
		struct imap_cmd *cmd = c->pending;
		c->pending = cmd->next;
		imap_seqset_clear(&cmd->modified);
		free(cmd);
	}
	imap_conn_close(&c->conn);
	imap_parser_free(&c->parser);
	free(c->seqmap);
	free(c);
}

void imap_client_abort(struct imap_client **cp)
{
	if (*cp == NULL)
		return;
	client_free(*cp);
	*cp = NULL;
}

void imap_client_close(struct imap_client **cp)
{
	struct imap_client *c = *cp;
	struct imap_cmd *cmd;
	struct pt_error err;

	if (c == NULL)
		return;
	if (!c->broken && c->idle_cmd == NULL &&
	    imap_client_start(c, &cmd, &err, "LOGOUT") == 0) {
		/* Wait briefly for the BYE/OK so the server logs a clean
		 * logout; a slow server is not waited for. */
		while (!cmd->done && !c->broken)
			if (client_read(c, 2000, -1, false, &err) <= 0)
				break;
		imap_cmd_free(c, &cmd);
	}
	imap_client_abort(cp);
}

unsigned imap_client_caps(const struct imap_client *c)
{
	return c->caps;
}

bool imap_client_has(const struct imap_client *c, unsigned cap)
{
	return (c->caps & cap) == cap;
}

bool imap_client_condstore(const struct imap_client *c)
{
	/* QRESYNC implies CONDSTORE. */
	return !c->no_condstore &&
	       (c->caps & (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC));
}

bool imap_client_qresync(const struct imap_client *c)
{
	return c->qresync_on && !c->no_qresync && !c->no_condstore;
}

bool imap_client_usable(const struct imap_client *c)
{
	return c != NULL && !c->broken;
}

struct imap_conn *imap_client_conn(struct imap_client *c)
{
	return c->conn;
}

const struct imap_selection *imap_client_selection(const struct imap_client *c)
{
	return &c->sel;
}

/* ------------------------------------------------------ selection */

int imap_client_unselect(struct imap_client *c, struct pt_error *err)
{
	int ret = 0;

	if (!c->sel.active)
		return 0;
	if (c->caps & IMAP_CAP_UNSELECT)
		ret = imap_client_run(c, err, "UNSELECT");
	else
		c->left_silently = true;
	c->sel.active = false;
	c->sel.sel_ctx = NULL;
	seqmap_reset(c);
	return ret;
}

int imap_client_select(struct imap_client *c, const char *mailbox,
                       const char *params, bool readonly, void *sel_ctx,
                       struct imap_cmd **cmd_r, struct pt_error *err)
{
	struct buf name = BUF_INIT;
	struct imap_cmd *cmd = NULL;
	uint32_t old_exists;
	int ret;

	if (c->sel.active && (c->caps & IMAP_CAP_UNSELECT) &&
	    imap_client_unselect(c, err) < 0)
		return -1;
	c->old_ctx = c->sel.active ? c->sel.sel_ctx : NULL;
	c->leaving = c->sel.active || c->left_silently;
	c->left_silently = false;
	c->new_ctx = sel_ctx;
	c->closed_seen = false;
	c->selecting = true;
	old_exists = c->sel.exists;
	memset(&c->sel, 0, sizeof c->sel);
	/* Data before [CLOSED] is the old mailbox's: keep its map
	 * until then, so its EXPUNGEs and FETCHes still resolve to UIDs. */
	if (selection_data_is_old(c))
		c->sel.exists = old_exists;
	else
		seqmap_reset(c);
	imap_client_astring(&name, mailbox);
	ret = imap_client_start(c, &cmd, err, "%s %s%s%s",
	                        readonly ? "EXAMINE" : "SELECT", buf_str(&name),
	                        params != NULL && *params ? " " : "",
	                        params != NULL ? params : "");
	buf_free(&name);
	if (ret == 0)
		ret = imap_client_wait(c, cmd, err);
	if (selection_data_is_old(c))
		seqmap_reset(c); /* no [CLOSED] came: the old map is stale */
	c->selecting = false;
	c->old_ctx = NULL;
	if (ret == 0) {
		c->sel.active = true;
		c->sel.sel_ctx = sel_ctx;
	} else {
		/* after a failed SELECT assume nothing is selected. */
		memset(&c->sel, 0, sizeof c->sel);
		seqmap_reset(c);
	}
	if (cmd_r != NULL && ret == 0)
		*cmd_r = cmd;
	else
		imap_cmd_free(c, &cmd);
	return ret;
}

/* ----------------------------------------------------------- IDLE */

int imap_client_idle_start(struct imap_client *c, struct pt_error *err)
{
	if (imap_client_start(c, &c->idle_cmd, err, "IDLE") < 0)
		return -1;
	if (wait_continuation(c, c->idle_cmd, err) < 0 || c->idle_cmd->done) {
		int ret = c->idle_cmd->done && c->idle_cmd->status != IMAP_RS_OK
		                  ? cmd_status_error(c->idle_cmd, err)
		                  : -1;
		imap_cmd_free(c, &c->idle_cmd);
		return ret;
	}
	return 0;
}

int imap_client_idle_wait(struct imap_client *c, int timeout_ms, int wake_fd,
                          struct pt_error *err)
{
	return client_read(c, timeout_ms, wake_fd, true, err);
}

int imap_client_idle_done(struct imap_client *c, struct pt_error *err)
{
	int ret;

	if (c->idle_cmd == NULL)
		return 0;
	ret = imap_conn_write(c->conn, "DONE\r\n", 6, err);
	if (ret == 0)
		ret = imap_client_wait(c, c->idle_cmd, err);
	else
		client_fail(c, err);
	imap_cmd_free(c, &c->idle_cmd);
	return ret;
}
