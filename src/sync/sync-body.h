/* sync-body.h: body fetching inside the sync engine (sync-body.c), for
 * the engine's own files; the public entry points are in sync.h.
 *
 * Internal to src/sync/. */
#ifndef PETREL_SYNC_BODY_H
#define PETREL_SYNC_BODY_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include "sync/sync-private.h"

/* prefetch_days inside a selection that is already active with m as its
 * context (sync_mailbox(), before it leaves the mailbox): fetch and store
 * the bodies that sync_prefetch_bodies() would, without another SELECT.
 * m's FETCH hook is restored afterwards; the batch of flag changes that
 * came along is written. Nothing is done when prefetch_days is 0, m is
 * being discarded, or every body is cached. *fetched_r may be NULL. */
int sync_prefetch_selected(struct sync *s, struct sync_mbox *m,
                           uint64_t *fetched_r, struct pt_error *err);

#endif
