/* imap-arena.h: a bump allocator for one parsed IMAP response.
 *
 * Every string, list and array a parsed response points to lives in one
 * arena; imap_arena_reset() releases all of it at once, so parsing a long
 * FETCH stream costs no per-item free(). Not thread-safe: an arena belongs
 * to one parser. Allocation aborts on out-of-memory (xmalloc). */
#ifndef PETREL_IMAP_ARENA_H
#define PETREL_IMAP_ARENA_H

#ifdef PETREL_LAYER_UI
#error "ui/ must not include imap/ or sync/ headers"
#endif

#include <stddef.h>

struct imap_arena_chunk;

struct imap_arena {
	struct imap_arena_chunk *head;
};

#define IMAP_ARENA_INIT \
	{               \
		NULL    \
	}

/* Uninitialised memory of size bytes, aligned for any type. Valid until
 * the next imap_arena_reset()/imap_arena_free(). size may be 0. */
void *imap_arena_alloc(struct imap_arena *a, size_t size);
/* Zeroed array of n elements of size bytes (overflow-checked). */
void *imap_arena_calloc(struct imap_arena *a, size_t n, size_t size);
/* Copy of s[0..len) with a NUL appended. */
char *imap_arena_strndup(struct imap_arena *a, const char *s, size_t len);
/* Forget every allocation; keeps one small chunk for reuse. */
void imap_arena_reset(struct imap_arena *a);
/* Release all memory; the arena may be reused afterwards. */
void imap_arena_free(struct imap_arena *a);

#endif
