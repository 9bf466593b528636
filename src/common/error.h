/* error.h: error reporting shared by every engine module.
 *
 * Functions return 0 on success and a negative value on failure (a parser
 * may return -2 for "need more input"); details go into a struct pt_error
 * supplied by the caller. Codes are classified by blast radius. Only
 * src/main.c maps them to exit statuses (INTERFACE.md). */
#ifndef PETREL_ERROR_H
#define PETREL_ERROR_H

enum pt_ecode {
	PT_E_NONE = 0,
	PT_E_MSG,      /* skip this message */
	PT_E_MBOX,     /* skip the mailbox, resync later */
	PT_E_CONN,     /* connection lost or unusable: reconnect */
	PT_E_PROTO,    /* server sent something unparsable */
	PT_E_AUTH,     /* authentication failed */
	PT_E_TLS,      /* TLS verification/handshake failed, STARTTLS absent */
	PT_E_CACHE,    /* cache failure: transaction rolled back */
	PT_E_CONFIG,   /* configuration error */
	PT_E_USAGE,    /* command-line usage error */
	PT_E_DATA,     /* bad data from the user */
	PT_E_NOTFOUND, /* no such mailbox/message, body not cached */
	PT_E_CONFLICT, /* an edit was not applied */
	PT_E_INTERNAL, /* should not happen */
};

struct pt_error {
	enum pt_ecode code;
	char msg[512];
};

/* Record an error (printf-style); returns -1 so callers can
 * "return pt_error_set(err, ...)". err may be NULL. */
int pt_error_set(struct pt_error *err, enum pt_ecode code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void pt_error_clear(struct pt_error *err);
/* The sysexits status for an error code (INTERFACE.md). */
int pt_error_exit_status(enum pt_ecode code);

#endif
