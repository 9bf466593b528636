/* imap-arg.h: the generic token/argument layer of the IMAP response parser.
 *
 * A struct imap_reader walks the bytes of one complete response (framed by
 * imap-parser.c, literals included) and turns them into struct imap_arg
 * trees: atoms, quoted strings, literals ({n}, {n+}, ~{n}), NIL and
 * parenthesised lists, nested up to a depth limit. All keywords compare
 * case-insensitively (RFC 7162 Q-79).
 *
 * Ownership: every string and list an arg points to lives in the reader's
 * arena (see imap-arena.h) and is NUL-terminated (len is authoritative for
 * literals, which may contain NUL). Not thread-safe. */
#ifndef PETREL_IMAP_ARG_H
#define PETREL_IMAP_ARG_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "imap/imap-arena.h"

enum imap_arg_type {
	IMAP_ARG_NIL,
	IMAP_ARG_ATOM,    /* includes numbers, flags (\Seen, \*) and
	                     BODY[section]<origin> tokens */
	IMAP_ARG_STRING,  /* quoted string, escapes removed */
	IMAP_ARG_LITERAL, /* {n} or ~{n} (binary set) */
	IMAP_ARG_LIST,
};

struct imap_arg {
	enum imap_arg_type type;
	bool binary; /* literal8 (~{n}, RFC 3516) */
	size_t len;  /* bytes of str, or number of list elements */
	union {
		const char *str; /* NIL: "NIL" */
		const struct imap_arg *list;
	} v;
};

/* Largest number the generic layer accepts (mod-sequences are 63-bit,
 * RFC 7162 §7, Q-15). */
#define IMAP_NUMBER_MAX 9223372036854775807ULL

/* How a mod-sequence value was received (RFC 7162 §7, T-1, T-2, T-16).
 * Only IMAP_MODSEQ_OK carries a usable value (1..2^63-1). */
enum imap_modseq_status {
	IMAP_MODSEQ_OK,
	IMAP_MODSEQ_ZERO,    /* 0: legal in STATUS, else "unknown" */
	IMAP_MODSEQ_INVALID, /* negative or not a number */
	IMAP_MODSEQ_TOO_BIG, /* above 2^63-1 (RFC 4551-era servers) */
};

/* Scratch stack for list elements, reused across responses (owned by
 * the parser; its size is bounded by the line length limit). */
struct imap_arg_stack {
	struct imap_arg *v;
	size_t n;
	size_t cap;
};

struct imap_reader {
	const char *start; /* first byte of the response (for excerpts) */
	const char *p;     /* next byte to read */
	const char *end;   /* end of the response, final CRLF excluded */
	struct imap_arena *arena;
	struct imap_arg_stack *stack;
	unsigned depth;
	unsigned max_depth;
	bool in_code; /* inside "[...]": atoms stop at ']' */
	struct pt_error *err;
};

/* Record a PT_E_PROTO error that names what went wrong and quotes a
 * sanitized excerpt around r->p (control and 8-bit bytes escaped, long
 * input shortened). Returns -1. */
int imap_reader_fail(struct imap_reader *r, const char *what);

/* Like imap_reader_fail() but quotes the start of the response; for
 * errors found after tokenizing (the typed layer). */
int imap_reader_fail_line(struct imap_reader *r, const char *what);

bool imap_reader_eol(const struct imap_reader *r);
/* Skip one or more SP; false (nothing consumed) if none. */
bool imap_reader_sp(struct imap_reader *r);
/* Expect at least one SP: -1 with an error when absent. */
int imap_reader_need_sp(struct imap_reader *r);
/* Read the atom at r->p (without copying): -1 if none. */
int imap_reader_atom(struct imap_reader *r, const char **s_r, size_t *len_r);
/* Read one argument (atom, string, literal, NIL or list). */
int imap_reader_arg(struct imap_reader *r, struct imap_arg *arg);
/* Read SP-separated arguments up to the end of the response into a list
 * arg (IMAP_ARG_LIST, possibly empty). */
int imap_reader_rest(struct imap_reader *r, struct imap_arg *list_r);
/* Copy the bytes from r->p to the end (the human text of resp-text). */
const char *imap_reader_text(struct imap_reader *r);

/* Helpers over parsed args. The string accessors return NULL when arg
 * has another type. */
bool imap_arg_is_atom(const struct imap_arg *arg, const char *name);
bool imap_arg_is_nil(const struct imap_arg *arg);
bool imap_arg_is_list(const struct imap_arg *arg);
/* Atom, string or literal (not NIL). */
bool imap_arg_is_string(const struct imap_arg *arg);
const char *imap_arg_atom(const struct imap_arg *arg);
/* astring / nstring: atom, quoted or literal; NIL gives NULL. */
const char *imap_arg_nstring(const struct imap_arg *arg);
/* An atom made of digits only, at most max: 0, else -1. */
int imap_arg_number(const struct imap_arg *arg, uint64_t max, uint64_t *n_r);
/* Classify a mod-sequence value (RFC 7162 §7) and set *v_r to the
 * value only for IMAP_MODSEQ_OK (1..2^63-1), else to 0. */
enum imap_modseq_status imap_arg_modseq(const struct imap_arg *arg,
                                        uint64_t *v_r);
/* Parse decimal digits s[0..len) (no sign) up to max. */
int imap_number_parse(const char *s, size_t len, uint64_t max, uint64_t *n_r);

#endif
