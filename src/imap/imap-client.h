/* imap-client.h: the IMAP command layer (RFC 3501/9051 plus CONDSTORE,
 * QRESYNC, ENABLE, UIDPLUS, IDLE, UNSELECT).
 *
 * A client owns one connection (imap-conn.h) and one response parser
 * (imap-parser.h). It logs in, tracks capabilities and what the server
 * enabled, tags and pipelines commands, keeps the selected mailbox's state
 * (UIDVALIDITY, EXISTS, the sequence-number -> UID map, HIGHESTMODSEQ and
 * NOMODSEQ) and hands every untagged response to one handler, with the
 * selection it belongs to and the UID it concerns already resolved.
 *
 * Selections: imap_client_select() associates an opaque pointer (sel_ctx)
 * with the mailbox being selected. Untagged mailbox data is passed to the
 * handler with the sel_ctx of the mailbox it belongs to: data sent before
 * a "[CLOSED]" code or before an UNSELECT completes belongs to the old
 * mailbox (RFC 7162 §3.2.11, Q-65), and its UIDs are resolved through the
 * old mailbox's sequence map; when no mailbox is selected, sel_ctx is
 * NULL. The client never sends CLOSE (it would expunge every \Deleted
 * message, including another device's): it leaves a mailbox with UNSELECT
 * when offered, or by selecting another.
 *
 * HIGHESTMODSEQ bookkeeping (RFC 7162 §6, Q-66): for every tagged response
 * the command's result records the last HIGHESTMODSEQ response code seen
 * since the previous tagged response (untagged or on this tagged line) and
 * the highest MODSEQ of FETCH responses that carried FLAGS (T-8) in the
 * same span. The client never stores anything; the sync engine decides.
 *
 * Errors: PT_E_CONN (connection lost; the client is then unusable),
 * PT_E_PROTO (unparsable server data; the client is then unusable too: the
 * response skipped may have been a tagged completion or an expunge, so
 * later data could be misread), PT_E_AUTH, PT_E_TLS, and PT_E_MBOX for a
 * command answered NO or BAD (the client stays usable). A handler error
 * aborts the wait with that error; the client stays usable.
 *
 * Threading: one thread at a time. */
#ifndef PETREL_IMAP_CLIENT_H
#define PETREL_IMAP_CLIENT_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "imap/imap-conn.h"
#include "imap/imap-parser.h"
#include "imap/imap-seqset.h"

/* Capability bits (imap_client_caps()). */
#define IMAP_CAP_IMAP4REV1 (1u << 0)
#define IMAP_CAP_IMAP4REV2 (1u << 1)
#define IMAP_CAP_STARTTLS (1u << 2)
#define IMAP_CAP_LOGINDISABLED (1u << 3)
#define IMAP_CAP_AUTH_PLAIN (1u << 4)
#define IMAP_CAP_SASL_IR (1u << 5)
#define IMAP_CAP_ENABLE (1u << 6)
#define IMAP_CAP_CONDSTORE (1u << 7)
#define IMAP_CAP_QRESYNC (1u << 8)
#define IMAP_CAP_UIDPLUS (1u << 9)
#define IMAP_CAP_MOVE (1u << 10)
#define IMAP_CAP_IDLE (1u << 11)
#define IMAP_CAP_UNSELECT (1u << 12)
#define IMAP_CAP_LITERALPLUS (1u << 13)
#define IMAP_CAP_LITERALMINUS (1u << 14)
#define IMAP_CAP_SPECIAL_USE (1u << 15)
#define IMAP_CAP_LIST_STATUS (1u << 16)
#define IMAP_CAP_ESEARCH (1u << 17)

/* Longest command line petrel generates, literals excluded (RFC 7162 §4,
 * "about 8192 octets"). */
#define IMAP_CLIENT_MAX_LINE 8000

struct imap_client;

/* What the handler is told besides the response itself. */
struct imap_untagged_ctx {
	/* The selection the data belongs to (see the file comment), or
	 * NULL: no mailbox, or data for a mailbox being left. */
	void *sel_ctx;
	/* FETCH: the UID (from the response, else from the sequence map;
	 * 0 if unknown). EXPUNGE: the UID of the removed message, 0 if the
	 * map did not know it (T-14). */
	uint32_t uid;
};

struct imap_client_handler {
	void *arg;
	/* Called for every untagged response except those the client
	 * consumes itself (CAPABILITY, ENABLED, continuation requests).
	 * Return 0, or -1 with err set to abort the current wait. */
	int (*untagged)(void *arg, const struct imap_response *r,
	                const struct imap_untagged_ctx *x,
	                struct pt_error *err);
};

struct imap_client_params {
	struct imap_conn_params conn;
	const char *user;     /* for LOGIN/AUTHENTICATE; unused on PREAUTH */
	const char *password; /* borrowed during imap_client_open() */
	/* Use QRESYNC when the server offers it (default). A per-server
	 * switch to force CONDSTORE-only (T-4). */
	bool no_qresync;
	/* Use neither CONDSTORE nor QRESYNC (tests of the plain path). */
	bool no_condstore;
	int wake_fd; /* interrupts connect and waits; -1 for none */
};

/* The result of one tagged command. */
struct imap_cmd {
	char tag[16];
	bool done;
	enum imap_resp_status status; /* OK, NO, BAD; NONE until done */
	enum imap_code_kind code;     /* response code of the tagged line */
	char text[256];               /* its text, sanitized */
	/* Q-66 (a): a HIGHESTMODSEQ code arrived since the previous tagged
	 * response (the last one is kept, even if lower). */
	bool has_hms_code;
	uint64_t hms_code;
	/* Q-66 (b): highest MODSEQ of FETCH responses with FLAGS in the same
	 * span; 0 if none. */
	uint64_t max_modseq;
	/* MODIFIED on the tagged line, owned. */
	struct imap_seqset modified;
	struct imap_cmd *next; /* in the client's pending list */
};

/* The selected mailbox as reported by the server. */
struct imap_selection {
	bool active; /* a SELECT/EXAMINE succeeded and is current */
	void *sel_ctx;
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint32_t exists;
	bool has_hms; /* HIGHESTMODSEQ code seen during SELECT */
	uint64_t hms;
	bool nomodseq; /* NOMODSEQ code seen */
	bool readonly;
};

/* Connect, read the greeting, negotiate STARTTLS (required when the
 * parameters say so: PT_E_TLS if it is not offered), authenticate unless
 * the session is PREAUTH (AUTHENTICATE PLAIN, with SASL-IR when offered,
 * else LOGIN; the password is never traced), refresh the capabilities,
 * and ENABLE QRESYNC when offered and wanted. QRESYNC counts as on
 * only when "* ENABLED" lists it. */
int imap_client_open(const struct imap_client_params *p,
                     const struct imap_client_handler *h,
                     struct imap_client **c_r, struct pt_error *err);
/* Send LOGOUT (without waiting long) and close. *cp becomes NULL. */
void imap_client_close(struct imap_client **cp);
/* Close without LOGOUT (after an error). */
void imap_client_abort(struct imap_client **cp);

unsigned imap_client_caps(const struct imap_client *c);
bool imap_client_has(const struct imap_client *c, unsigned cap);
/* CONDSTORE usable: advertised (or implied by QRESYNC, Q-1), not
 * disabled by the parameters. */
bool imap_client_condstore(const struct imap_client *c);
/* "* ENABLED QRESYNC" was received. */
bool imap_client_qresync(const struct imap_client *c);
/* False once the connection is lost or the parser lost framing. */
bool imap_client_usable(const struct imap_client *c);
struct imap_conn *imap_client_conn(struct imap_client *c);
const struct imap_selection *imap_client_selection(const struct imap_client *c);

/* Start a command: "TAG " + the formatted text + CRLF. The text must be
 * pure ASCII without CR/LF (use imap_client_astring() to quote). The
 * returned command is owned by the client until imap_cmd_free(). */
int imap_client_start(struct imap_client *c, struct imap_cmd **cmd_r,
                      struct pt_error *err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Process responses until cmd completes. Returns 0 when it completed
 * with OK; -1 otherwise: PT_E_MBOX for NO/BAD (cmd->status tells which,
 * and the client stays usable), or the error that stopped the wait. */
int imap_client_wait(struct imap_client *c, struct imap_cmd *cmd,
                     struct pt_error *err);
/* Forget a command (it may still be pending: its completion is then
 * read and dropped). */
void imap_cmd_free(struct imap_client *c, struct imap_cmd **cmdp);
/* start + wait + free; returns as imap_client_wait(). */
int imap_client_run(struct imap_client *c, struct pt_error *err,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append an IMAP astring for s (atom when possible, else a quoted string;
 * names are expected to be 7-bit: mailbox names are encoded in modified
 * UTF-7 by the caller). */
void imap_client_astring(struct buf *out, const char *s);

/* SELECT (or EXAMINE when readonly) mailbox (wire name) with the given
 * parameter list text ("" for none, "(CONDSTORE)", "(QRESYNC (...))").
 * The previous mailbox is left first: with UNSELECT when offered (so no
 * data can be misattributed), else through [CLOSED]. On success
 * the selection is active with sel_ctx. */
int imap_client_select(struct imap_client *c, const char *mailbox,
                       const char *params, bool readonly, void *sel_ctx,
                       struct imap_cmd **cmd_r, struct pt_error *err);
/* Leave the selected mailbox without expunging (UNSELECT; without it,
 * nothing is sent and the selection is just forgotten locally, which is
 * safe as long as the next SELECT uses [CLOSED] or no data arrives). */
int imap_client_unselect(struct imap_client *c, struct pt_error *err);

/* The UID of a sequence number in the selected mailbox, 0 if unknown. */
uint32_t imap_client_seq_uid(const struct imap_client *c, uint32_t seq);
/* Replace the sequence map with uids[0..n) (ascending; the whole mailbox,
 * e.g. from UID SEARCH ALL or a verified cache). */
void imap_client_set_seqmap(struct imap_client *c, const uint32_t *uids,
                            size_t n);
/* The map is complete (every sequence number has a known UID). */
bool imap_client_seqmap_complete(const struct imap_client *c);

/* IDLE (RFC 2177): enter, wait, leave. imap_client_idle_wait() returns
 * 1 when untagged data arrived (handled already), 0 when woken through
 * wake_fd or at the timeout, -1 on error. */
int imap_client_idle_start(struct imap_client *c, struct pt_error *err);
int imap_client_idle_wait(struct imap_client *c, int timeout_ms, int wake_fd,
                          struct pt_error *err);
int imap_client_idle_done(struct imap_client *c, struct pt_error *err);

#endif
