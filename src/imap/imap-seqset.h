/* imap-seqset.h: IMAP sequence sets (RFC 3501 §9 sequence-set, RFC 7162
 * known-uids and seq-match-data) as sorted, merged uint32 ranges.
 *
 * struct imap_seqset is used by value. Invariant: r[0..n) is sorted,
 * ranges neither overlap nor touch (3:5,6 is stored as 3:6), and no
 * operation ever expands a range into single numbers, so 1:4294967295
 * costs one range (RFC 7162 Q-60).
 *
 * Ownership: a set owns r when cap > 0. A set with cap == 0 and r != NULL
 * is a read-only view into someone else's memory (for example the sets
 * inside a parsed response, which live in the parser's arena); every
 * modifying function first copies such a view into owned memory, and
 * imap_seqset_clear() never frees it. Use imap_seqset_copy() to keep a
 * set beyond the lifetime of the memory it views. Not thread-safe.
 *
 * struct imap_seqset_list keeps ranges in the order the server sent them
 * (COPYUID pairs the Nth source UID with the Nth destination UID, RFC 4315
 * §3), each range from first to last as written (first may exceed last). */
#ifndef PETREL_IMAP_SEQSET_H
#define PETREL_IMAP_SEQSET_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

struct imap_seqset_range {
	uint32_t lo;
	uint32_t hi;
};

struct imap_seqset {
	struct imap_seqset_range *r;
	size_t n;
	size_t cap;
};

#define IMAP_SEQSET_INIT   \
	{                  \
		NULL, 0, 0 \
	}

/* The longest single range as text: "4294967294:4294967295". */
#define IMAP_SEQSET_MAX_RANGE_LEN 21

void imap_seqset_init(struct imap_seqset *s);
/* Free owned storage (views are left alone) and make s empty. */
void imap_seqset_clear(struct imap_seqset *s);
/* Replace dst by an owned copy of src (dst must be initialised). */
void imap_seqset_copy(struct imap_seqset *dst, const struct imap_seqset *src);

/* Parse text[0..len) ("1:4,7,9:*") and add it to s. star is the value
 * of "*" (the caller's highest UID or message count); star == 0 means
 * "*" is not allowed (known-uids, MODIFIED, VANISHED). Reversed ranges
 * (9:3) are normalised, overlaps merged. Rejects 0, numbers above
 * 4294967295, empty elements and any other byte. On error s is unchanged
 * and err says why (PT_E_PROTO). */
int imap_seqset_parse(struct imap_seqset *s, const char *text, size_t len,
                      uint32_t star, struct pt_error *err);

void imap_seqset_add(struct imap_seqset *s, uint32_t n);
/* Add lo..hi inclusive; lo > hi is accepted and swapped. */
void imap_seqset_add_range(struct imap_seqset *s, uint32_t lo, uint32_t hi);
void imap_seqset_remove(struct imap_seqset *s, uint32_t n);
void imap_seqset_remove_range(struct imap_seqset *s, uint32_t lo, uint32_t hi);
bool imap_seqset_contains(const struct imap_seqset *s, uint32_t n);
/* Number of members (up to 2^32, hence 64 bits). */
uint64_t imap_seqset_count(const struct imap_seqset *s);
bool imap_seqset_empty(const struct imap_seqset *s);
/* Smallest/largest member; 0 for an empty set. */
uint32_t imap_seqset_min(const struct imap_seqset *s);
uint32_t imap_seqset_max(const struct imap_seqset *s);
bool imap_seqset_equal(const struct imap_seqset *a,
                       const struct imap_seqset *b);
/* Iterate: for (i = 0; i < imap_seqset_nranges(s); i++)
 * imap_seqset_get(s, i)->lo ... (ranges ascending). */
size_t imap_seqset_nranges(const struct imap_seqset *s);
const struct imap_seqset_range *imap_seqset_get(const struct imap_seqset *s,
                                                size_t i);

/* Append the compressed form ("3:5,7") to out; nothing for an empty set. */
void imap_seqset_print(const struct imap_seqset *s, struct buf *out);
/* Print the next chunk, starting at range *cursor (start with 0), into
 * out (appended), using at most max_bytes bytes, and advance *cursor.
 * Returns 1 when a chunk was printed, 0 when all ranges have been
 * printed, -1 when max_bytes cannot hold even the next single range
 * (never for max_bytes >= IMAP_SEQSET_MAX_RANGE_LEN). The chunks together
 * cover the set exactly (RFC 7162 §4, Q-76/Q-77). */
int imap_seqset_print_chunk(const struct imap_seqset *s, size_t *cursor,
                            size_t max_bytes, struct buf *out);

/* seq-match-data helper (RFC 7162 §3.2.5.2, Q-51/Q-52): uids[0..n) are
 * the cached UIDs in ascending order, uids[i] having sequence number
 * i + 1. Adds O(log n) pairs, denser towards the end of the mailbox, to
 * seqs_r and uids_r (both ascending with the same number of members). */
void imap_seqset_sample(const uint32_t *uids, size_t n,
                        struct imap_seqset *seqs_r, struct imap_seqset *uids_r);

/* Ordered range list (COPYUID / APPENDUID uid-set). */
struct imap_seqset_list {
	struct imap_seqset_range *r; /* lo = first, hi = last as sent */
	size_t n;
};

/* Parse like imap_seqset_parse() without sorting or merging; "*" is never
 * allowed. On success list->r is malloc'ed (imap_seqset_list_free()). */
int imap_seqset_list_parse(struct imap_seqset_list *list, const char *text,
                           size_t len, struct pt_error *err);
void imap_seqset_list_free(struct imap_seqset_list *list);
uint64_t imap_seqset_list_count(const struct imap_seqset_list *list);
/* The idx-th number (0-based) in sent order; false when out of range. */
bool imap_seqset_list_nth(const struct imap_seqset_list *list, uint64_t idx,
                          uint32_t *n_r);

#endif
