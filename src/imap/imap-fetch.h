/* imap-fetch.h: typed FETCH msg-att parsing (RFC 3501 §7.4.2, RFC 9051
 * §7.5.2, RFC 7162 §3.1.4.2), used by imap-parser.c.
 *
 * Everything produced points into the reader's arena (see imap-parser.h
 * for its lifetime). Not thread-safe. */
#ifndef PETREL_IMAP_FETCH_H
#define PETREL_IMAP_FETCH_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <time.h>

#include "imap/imap-arg.h"
#include "imap/imap-parser.h"

/* Fill f from the generic msg-att list. Items may come in any order
 * unknown items are skipped. A bad UID or a broken list is an
 * error (-1, via imap_reader_fail_line); a bad MODSEQ (T-2, T-16), date,
 * size, envelope or body structure only sets *warning_r (first one
 * wins) and leaves that item out of f->present (MODSEQ: status). */
int imap_fetch_parse(struct imap_reader *r, const struct imap_arg *items,
                     struct imap_fetch *f, const char **warning_r);

/* RFC 3501 date-time ("17-Jul-1996 02:44:25 -0700", day may be
 * space-padded) to UTC seconds. 0 on success, -1 if malformed. */
int imap_fetch_date(const char *s, time_t *t_r);

/* ENVELOPE list (10 elements) into a new envelope; NULL if malformed. */
struct imap_envelope *imap_fetch_envelope(struct imap_arena *a,
                                          const struct imap_arg *arg);

/* BODYSTRUCTURE/BODY tree into typed parts; NULL if malformed. */
struct imap_bodypart *imap_fetch_body(struct imap_arena *a,
                                      const struct imap_arg *arg);

#endif
