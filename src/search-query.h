/* search-query.h: the query language of `petrel search` (doc/petrel.1),
 * translated into what the cache's search takes: an FTS5 MATCH expression
 * and a struct cache_search_filter.
 *
 * Language: terms separated by white space, all of which must match (AND):
 *   word            the word in From, To, Cc, Subject or the body
 *   "some words"    the words next to each other (a phrase)
 *   from:X to:X cc:X subject:X body:X
 *                   X (a word or a "quoted phrase") in that field only
 *   is:unread       without \Seen in the user's view (queued edits applied)
 *   is:flagged      with \Flagged in the user's view
 *   before:DATE     dated before DATE (YYYY-MM-DD, UTC; exclusive)
 *   after:DATE      dated on or after DATE (inclusive)
 * Operator names are case-insensitive. Words match whole words, case- and
 * accent-insensitively (the cache's tokenizer). A term without any letter
 * or digit (e.g. "-") is ignored, as the index holds no such word.
 *
 * Safety: every user word goes into the MATCH expression as an FTS5
 * string ("..." with '"' doubled), so nothing the user types is FTS5
 * syntax; column names are fixed by this module.
 *
 * Errors: a malformed query (unknown operator, bad date, unterminated
 * quote, operator without a value) is PT_E_DATA with a message naming
 * the offending term. Reentrant. */
#ifndef PETREL_SEARCH_QUERY_H
#define PETREL_SEARCH_QUERY_H

#include <stdint.h>

#include "cache/cache.h"
#include "common/error.h"

/* Longest query accepted, in bytes. */
#define SEARCH_QUERY_MAX 4096

struct search_query {
	/* FTS5 MATCH expression, NULL when the query has no text terms.
	 * Owned. */
	char *match;
	struct cache_search_filter filter;
};

/* Parse text (UTF-8) into *q_r. On failure -1, err set (PT_E_DATA), and
 * *q_r is empty. Release with search_query_clear(). */
int search_query_parse(const char *text, struct search_query *q_r,
                       struct pt_error *err);
void search_query_clear(struct search_query *q);

/* "YYYY-MM-DD" (a real calendar date, years 1..9999) to the epoch seconds
 * of its midnight UTC. 0 on success, -1 if malformed. */
int search_query_date(const char *s, size_t len, int64_t *t_r);

#endif
