/* cache-flags.h: the canonical text form of IMAP flag lists.
 *
 * The cache stores a message's flags, and the flags a queued edit adds or
 * removes, as one string: the flags separated by single spaces, sorted by
 * byte value, without duplicates (compared case-insensitively, as IMAP
 * flags are; the first spelling wins), with the system flags spelled
 * \Answered \Deleted \Draft \Flagged \Seen, and without \Recent, which is
 * session state the cache never stores. "" is the empty list. This is also
 * the `ls` FLAGS column.
 *
 * These functions are pure and thread-safe. */
#ifndef PETREL_CACHE_FLAGS_H
#define PETREL_CACHE_FLAGS_H

#include <stdbool.h>

#include "common/error.h"

/* Longest flag list accepted, and most flags in one list. */
#define CACHE_FLAGS_MAX_LEN 65536
#define CACHE_FLAGS_MAX_COUNT 1000

/* Normalize a list of flags separated by spaces or tabs (NULL is the empty
 * list). Each flag must be an IMAP atom, optionally preceded by one
 * backslash (RFC 3501 §9 flag). On success *out_r is a new canonical
 * string the caller frees; otherwise PT_E_DATA. */
int cache_flags_normalize(const char *in, char **out_r, struct pt_error *err);
/* (flags + add) - remove, canonical; the inputs must be canonical (NULL is
 * the empty list). Returns a new string. */
char *cache_flags_apply(const char *flags, const char *add, const char *remove);
/* Whether the canonical list has flag (case-insensitive). */
bool cache_flags_has(const char *flags, const char *flag);
/* Whether two canonical lists hold the same flags. */
bool cache_flags_equal(const char *a, const char *b);
/* a - b, canonical, as a new string. */
char *cache_flags_minus(const char *a, const char *b);

#endif
