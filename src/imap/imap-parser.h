/* imap-parser.h: streaming IMAP response parser (RFC 3501, RFC 9051,
 * RFC 7162 CONDSTORE/QRESYNC, RFC 4731 ESEARCH, RFC 5161 ENABLE,
 * RFC 4315 UIDPLUS, RFC 6154 SPECIAL-USE, RFC 7888 literals).
 *
 * Usage: feed bytes as they arrive, in chunks of any size, then drain:
 *
 *	imap_parser_feed(p, data, len);
 *	while ((ret = imap_parser_next(p, &resp, &err)) == 0)
 *		handle(resp);
 *	if (ret == -1) ... log err.msg; the stream may still be usable
 *
 * Two layers: imap-arg.h turns bytes into generic argument trees; this
 * file frames responses (lines plus literals) and turns them into a typed
 * struct imap_response.
 *
 * Ownership: the response returned by imap_parser_next() and everything
 * it points to (strings, lists, sets, literal data) belong to the parser
 * and stay valid until the next imap_parser_next()/imap_parser_parse()/
 * imap_parser_free() call (imap_parser_feed() does not invalidate them:
 * responses are copied out of the input buffer); copy what you keep
 *(imap_seqset_copy() for sets). All strings are NUL-terminated; literal data
 *may also contain NUL, so use the lengths.
 *
 * Resynchronisation: an error from imap_parser_next() drops exactly the
 * offending response (an oversized line or literal is skipped up to its
 * end without being stored), and the next call continues with the
 * following response. Only when the framing itself is lost (a literal
 * length beyond 2^63-1) does the parser become broken: then every later
 * call fails (imap_parser_broken()). Callers treat any -1 as PT_E_PROTO
 * and decide whether the session survives.
 *
 * Leniency: a response code without text (RFC 7162 erratum 5055, T-3), a
 * missing text after OK, LF without CR, and mod-sequences of 0, -1 or
 * above 2^63-1 (T-1, T-2, T-16; reported through enum imap_modseq_status
 * and imap_response.warning, never stored as numbers) are accepted.
 *
 * Limits (struct imap_parser_limits) bound memory: the line length
 * without literals, each literal, the whole response, and nesting depth.
 *
 * Threading: a parser is used by one thread at a time. */
#ifndef PETREL_IMAP_PARSER_H
#define PETREL_IMAP_PARSER_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/error.h"
#include "imap/imap-arg.h"
#include "imap/imap-seqset.h"

/* ------------------------------------------------------------ limits */

struct imap_parser_limits {
	size_t max_line;      /* bytes of one response without literal data */
	uint64_t max_literal; /* bytes of one literal */
	uint64_t
	        max_response; /* all bytes of one response, literals included */
	unsigned max_depth;   /* parenthesis nesting */
};

#define IMAP_PARSER_DEFAULT_MAX_LINE (16u * 1024 * 1024)
#define IMAP_PARSER_DEFAULT_MAX_LITERAL (64ull * 1024 * 1024)
#define IMAP_PARSER_DEFAULT_MAX_RESPONSE (256ull * 1024 * 1024)
#define IMAP_PARSER_DEFAULT_MAX_DEPTH 200u
/* max_depth is clamped to this (the parser recurses per level). */
#define IMAP_PARSER_MAX_DEPTH 1000u

void imap_parser_limits_default(struct imap_parser_limits *lim);

/* ------------------------------------------------------ common pieces */

struct imap_strlist {
	const char **v;
	size_t n;
};

/* True if list holds s (ASCII case-insensitive: flags, capabilities). */
bool imap_strlist_has(const struct imap_strlist *list, const char *s);

/* ------------------------------------------------------ response codes */

enum imap_code_kind {
	IMAP_CODE_NONE,  /* no [code] */
	IMAP_CODE_OTHER, /* unknown: see name and raw */
	IMAP_CODE_ALERT,
	IMAP_CODE_BADCHARSET,
	IMAP_CODE_CAPABILITY,
	IMAP_CODE_PARSE,
	IMAP_CODE_PERMANENTFLAGS,
	IMAP_CODE_READ_ONLY,
	IMAP_CODE_READ_WRITE,
	IMAP_CODE_TRYCREATE,
	IMAP_CODE_UIDNEXT,
	IMAP_CODE_UIDVALIDITY,
	IMAP_CODE_UNSEEN,
	IMAP_CODE_HIGHESTMODSEQ,
	IMAP_CODE_NOMODSEQ,
	IMAP_CODE_MODIFIED,
	IMAP_CODE_APPENDUID,
	IMAP_CODE_COPYUID,
	IMAP_CODE_UIDNOTSTICKY,
	IMAP_CODE_CLOSED,
	IMAP_CODE_UNAVAILABLE,
	IMAP_CODE_AUTHENTICATIONFAILED,
	IMAP_CODE_AUTHORIZATIONFAILED,
	IMAP_CODE_EXPIRED,
	IMAP_CODE_PRIVACYREQUIRED,
	IMAP_CODE_CONTACTADMIN,
	IMAP_CODE_NOPERM,
	IMAP_CODE_INUSE,
	IMAP_CODE_EXPUNGEISSUED,
	IMAP_CODE_CORRUPTION,
	IMAP_CODE_SERVERBUG,
	IMAP_CODE_CLIENTBUG,
	IMAP_CODE_CANNOT,
	IMAP_CODE_LIMIT,
	IMAP_CODE_OVERQUOTA,
	IMAP_CODE_ALREADYEXISTS,
	IMAP_CODE_NONEXISTENT,
	IMAP_CODE_NOTSAVED,
	IMAP_CODE_HASCHILDREN,
	IMAP_CODE_UNKNOWN_CTE,
	IMAP_CODE_COMPRESSIONACTIVE,
};

struct imap_code {
	enum imap_code_kind kind;
	const char *name; /* the atom as sent ("HighestModSeq") */
	const char *raw;  /* text between the atom and ']' ("" if none) */
	/* The code was recognised but its data did not parse; only name,
	 * raw (and for HIGHESTMODSEQ modseq_status) are meaningful. */
	bool malformed;
	union {
		uint32_t num; /* UIDNEXT, UIDVALIDITY, UNSEEN */
		struct {
			uint64_t value; /* 0 unless status is OK */
			enum imap_modseq_status status;
		} modseq;                    /* HIGHESTMODSEQ */
		struct imap_seqset modified; /* MODIFIED */
		struct imap_strlist list;    /* CAPABILITY, PERMANENTFLAGS,
		                                BADCHARSET */
		struct {
			uint32_t uidvalidity;
			struct imap_seqset_list uids; /* MULTIAPPEND: several */
		} appenduid;
		struct {
			uint32_t uidvalidity;
			struct imap_seqset_list src; /* in copy order */
			struct imap_seqset_list dst; /* pairs with src */
		} copyuid;
	} u;
};

/* ------------------------------------------------------------- FETCH */

struct imap_address {
	const char *name; /* NULL for NIL; raw, RFC 2047 not decoded */
	const char *adl;
	const char *mailbox; /* group syntax: NULL host marks a group */
	const char *host;
};

struct imap_addrlist {
	struct imap_address *v;
	size_t n;
};

struct imap_envelope {
	const char *date; /* NULL for NIL */
	const char *subject;
	struct imap_addrlist from, sender, reply_to, to, cc, bcc;
	const char *in_reply_to;
	const char *message_id;
};

/* Typed walk of BODYSTRUCTURE (RFC 3501 §7.4.2); the generic tree is
 * always kept as well. Unparsed extension data stays in the tree. */
struct imap_bodypart {
	const char *type;           /* "TEXT", "MULTIPART", ... as sent */
	const char *subtype;        /* "PLAIN", "MIXED", ... */
	struct imap_strlist params; /* name, value, name, value, ... */
	const char *id;
	const char *description;
	const char *encoding;
	uint64_t size;
	uint64_t lines;          /* TEXT and MESSAGE/RFC822 */
	const char *disposition; /* extension data, NULL when absent */
	struct imap_strlist disposition_params;
	struct imap_envelope *envelope; /* message/rfc822 */
	struct imap_bodypart *children; /* multipart parts, or the one
	                                   message/rfc822 body */
	size_t nchildren;
};

enum imap_section_kind {
	IMAP_SECTION_BODY,   /* BODY[section]<origin> (also BODY.PEEK echo) */
	IMAP_SECTION_BINARY, /* BINARY[section]<origin> (RFC 3516/9051) */
	IMAP_SECTION_BINARY_SIZE, /* BINARY.SIZE[section]: size only */
	IMAP_SECTION_RFC822,
	IMAP_SECTION_RFC822_HEADER,
	IMAP_SECTION_RFC822_TEXT,
};

struct imap_section {
	enum imap_section_kind kind;
	const char *section; /* inside [], e.g. "1.2.MIME",
	                        "HEADER.FIELDS (FROM TO)"; "" for [] */
	bool has_origin;
	uint32_t origin; /* <origin> */
	bool nil;        /* data was NIL */
	const char *data;
	size_t len;  /* data bytes; BINARY.SIZE: the size */
	bool binary; /* came as literal8 */
};

/* Bits of struct imap_fetch.present. */
#define IMAP_FETCH_UID (1u << 0)
#define IMAP_FETCH_FLAGS (1u << 1)  /* absent != empty */
#define IMAP_FETCH_MODSEQ (1u << 2) /* see modseq_status (T-2) */
#define IMAP_FETCH_INTERNALDATE (1u << 3)
#define IMAP_FETCH_SIZE (1u << 4)
#define IMAP_FETCH_ENVELOPE (1u << 5)
#define IMAP_FETCH_BODYSTRUCTURE (1u << 6) /* or non-extensible BODY */
#define IMAP_FETCH_SECTIONS (1u << 7)

struct imap_fetch {
	uint32_t seq;
	unsigned present;
	uint32_t uid;
	struct imap_strlist flags;
	uint64_t modseq; /* 0 unless modseq_status is OK */
	enum imap_modseq_status modseq_status;
	time_t internaldate; /* UTC */
	uint64_t size;       /* RFC822.SIZE */
	struct imap_envelope *envelope;
	const struct imap_arg *bodystructure; /* generic tree */
	struct imap_bodypart *body;           /* typed walk; NULL if it did
	                                         not fit the grammar */
	struct imap_section *sections;
	size_t nsections;
	const struct imap_arg *items; /* the whole msg-att list */
};

/* ---------------------------------------------------- other responses */

/* Bits of struct imap_list_data.attrs (RFC 3501, 5258, 6154, 9051). */
#define IMAP_LIST_NOINFERIORS (1u << 0)
#define IMAP_LIST_NOSELECT (1u << 1)
#define IMAP_LIST_MARKED (1u << 2)
#define IMAP_LIST_UNMARKED (1u << 3)
#define IMAP_LIST_NONEXISTENT (1u << 4)
#define IMAP_LIST_SUBSCRIBED (1u << 5)
#define IMAP_LIST_REMOTE (1u << 6)
#define IMAP_LIST_HASCHILDREN (1u << 7)
#define IMAP_LIST_HASNOCHILDREN (1u << 8)
#define IMAP_LIST_ALL (1u << 9)
#define IMAP_LIST_ARCHIVE (1u << 10)
#define IMAP_LIST_DRAFTS (1u << 11)
#define IMAP_LIST_FLAGGED (1u << 12)
#define IMAP_LIST_JUNK (1u << 13)
#define IMAP_LIST_SENT (1u << 14)
#define IMAP_LIST_TRASH (1u << 15)
#define IMAP_LIST_IMPORTANT (1u << 16)

struct imap_list_data {
	unsigned attrs;
	struct imap_strlist attr_names; /* every attribute as sent */
	char delimiter;                 /* '\0' for NIL */
	const char *mailbox;            /* modified UTF-7, as sent */
	size_t mailbox_len;
	const struct imap_arg *extended; /* mbox-list-extended, or NULL */
};

/* Bits of struct imap_status_data.present. */
#define IMAP_STATUS_MESSAGES (1u << 0)
#define IMAP_STATUS_UIDNEXT (1u << 1)
#define IMAP_STATUS_UIDVALIDITY (1u << 2)
#define IMAP_STATUS_UNSEEN (1u << 3)
#define IMAP_STATUS_RECENT (1u << 4)
#define IMAP_STATUS_HIGHESTMODSEQ (1u << 5)
#define IMAP_STATUS_DELETED (1u << 6)
#define IMAP_STATUS_SIZE (1u << 7)

struct imap_status_data {
	const char *mailbox; /* modified UTF-7, as sent */
	size_t mailbox_len;
	unsigned present;
	uint32_t messages, uidnext, uidvalidity, unseen, recent, deleted;
	uint64_t size;
	uint64_t highestmodseq; /* 0 = no persistent modseqs */
	enum imap_modseq_status highestmodseq_status;
};

/* SEARCH and SORT (RFC 3501, RFC 5256, RFC 7162 §3.1.5 Q-39). */
struct imap_search_data {
	uint32_t *nums;
	size_t n;
	bool has_modseq;
	uint64_t modseq; /* highest modseq of the results */
	enum imap_modseq_status modseq_status;
};

/* Bits of struct imap_esearch_data.present. */
#define IMAP_ESEARCH_MIN (1u << 0)
#define IMAP_ESEARCH_MAX (1u << 1)
#define IMAP_ESEARCH_COUNT (1u << 2)
#define IMAP_ESEARCH_ALL (1u << 3)
#define IMAP_ESEARCH_MODSEQ (1u << 4)

struct imap_esearch_data {
	const char *tag; /* search correlator, or NULL */
	bool uid;
	unsigned present;
	uint32_t min, max, count;
	struct imap_seqset all;              /* ALL, normalised */
	struct imap_seqset_list all_ordered; /* ALL as sent (ESORT order) */
	uint64_t modseq;
	enum imap_modseq_status modseq_status;
};

struct imap_vanished_data {
	bool earlier;            /* VANISHED (EARLIER): no renumbering */
	struct imap_seqset uids; /* normalised (T-20) */
};

/* ----------------------------------------------------------- response */

enum imap_resp_kind {
	IMAP_RESP_UNTAGGED,
	IMAP_RESP_TAGGED,
	IMAP_RESP_CONTINUE, /* "+" */
};

enum imap_resp_type {
	IMAP_RT_STATE,    /* OK/NO/BAD/PREAUTH/BYE (tagged or untagged) */
	IMAP_RT_CONTINUE, /* "+ text" or "+ base64" */
	IMAP_RT_CAPABILITY,
	IMAP_RT_ENABLED,
	IMAP_RT_FLAGS,
	IMAP_RT_LIST,
	IMAP_RT_LSUB,
	IMAP_RT_STATUS,
	IMAP_RT_SEARCH,
	IMAP_RT_SORT,
	IMAP_RT_ESEARCH,
	IMAP_RT_EXISTS,
	IMAP_RT_RECENT,
	IMAP_RT_EXPUNGE,
	IMAP_RT_FETCH,
	IMAP_RT_VANISHED,
	IMAP_RT_UNKNOWN, /* any other untagged response: keyword + args */
};

enum imap_resp_status {
	IMAP_RS_NONE,
	IMAP_RS_OK,
	IMAP_RS_NO,
	IMAP_RS_BAD,
	IMAP_RS_PREAUTH,
	IMAP_RS_BYE,
};

struct imap_response {
	enum imap_resp_kind kind;
	enum imap_resp_type type;
	const char *tag;     /* tagged responses only */
	const char *keyword; /* "FETCH", "OK", ... as sent ("+" for
	                        continuation) */
	/* IMAP_RT_STATE and IMAP_RT_CONTINUE: */
	enum imap_resp_status status;
	struct imap_code code;
	const char *text; /* human text after the code; may be "" (T-3) */
	/* Something was accepted but not stored (bad MODSEQ, malformed
	 * response code, bad date...): a message for the log, else NULL. */
	const char *warning;
	/* Data responses: the arguments after the keyword, generically.
	 * IMAP_RT_UNKNOWN: NULL when they did not even tokenize; then raw
	 * holds the bytes after the keyword. */
	const struct imap_arg *args;
	const char *raw;
	uint32_t number; /* "* n KEYWORD": EXISTS, RECENT, EXPUNGE, FETCH,
	                    unknown numbered responses */
	union {
		struct imap_strlist caps;  /* CAPABILITY, ENABLED */
		struct imap_strlist flags; /* FLAGS */
		struct imap_list_data list;
		struct imap_status_data status;
		struct imap_search_data search; /* SEARCH, SORT */
		struct imap_esearch_data esearch;
		struct imap_vanished_data vanished;
		struct imap_fetch fetch;
	} u;
};

/* ------------------------------------------------------------- parser */

struct imap_parser;

/* A new parser; lim NULL means the defaults. Never NULL. */
struct imap_parser *imap_parser_new(const struct imap_parser_limits *lim);
/* Free the parser and its last response; sets *p to NULL. */
void imap_parser_free(struct imap_parser **p);
/* Append received bytes (copied). Memory is bounded by the limits as
 * long as the caller drains imap_parser_next() after each feed. */
void imap_parser_feed(struct imap_parser *p, const void *data, size_t len);
/* Parse the next complete response. Returns 0 and sets *resp_r (owned
 * by the parser, valid until the next call), -2 when more input is
 * needed, -1 on a malformed or oversized response (err->code PT_E_PROTO,
 * message with a sanitized excerpt); see the file comment for what can
 * follow an error. */
int imap_parser_next(struct imap_parser *p, const struct imap_response **resp_r,
                     struct pt_error *err);
/* The connection closed: 0 if no partial response is buffered, else -1
 * with an error naming what was cut off (truncated literal, line). */
int imap_parser_eof(struct imap_parser *p, struct pt_error *err);
/* True once framing is lost for good (see the file comment). */
bool imap_parser_broken(const struct imap_parser *p);
/* Bytes received but not yet returned as responses. */
size_t imap_parser_pending(const struct imap_parser *p);

/* Parse one complete response held in data[0..len) (final CRLF optional)
 * without the streaming machinery; used by imap_parser_next() and tests.
 * Ownership as for imap_parser_next(). */
int imap_parser_parse(struct imap_parser *p, const char *data, size_t len,
                      const struct imap_response **resp_r,
                      struct pt_error *err);

/* Names for logs ("OK", "FETCH", "HIGHESTMODSEQ"). */
const char *imap_resp_status_name(enum imap_resp_status st);
const char *imap_code_kind_name(enum imap_code_kind kind);

#endif
