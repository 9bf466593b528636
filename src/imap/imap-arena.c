/* imap-arena.c: bump allocator backing parsed IMAP responses. */
#include "imap/imap-arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Small allocations share chunks of this size; bigger ones (literal data,
 * long SEARCH results) get a chunk of their own that reset() frees. */
#define IMAP_ARENA_CHUNK 16384
#define IMAP_ARENA_BIG 4096
#define IMAP_ARENA_ALIGN alignof(max_align_t)

struct imap_arena_chunk {
	struct imap_arena_chunk *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

static struct imap_arena_chunk *imap_arena_chunk_new(size_t size)
{
	struct imap_arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		abort(); /* not reachable: callers bound sizes */
	c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *imap_arena_alloc(struct imap_arena *a, size_t size)
{
	struct imap_arena_chunk *c = a->head;
	size_t need = (size + IMAP_ARENA_ALIGN - 1) & ~(IMAP_ARENA_ALIGN - 1);
	void *p;

	if (need < size)
		abort(); /* size near SIZE_MAX: an internal bug */
	if (need > IMAP_ARENA_BIG) {
		/* Link big chunks behind the current one so the small
		 * chunk at the head keeps serving small requests. */
		struct imap_arena_chunk *big = imap_arena_chunk_new(need);

		big->used = need;
		if (c != NULL) {
			big->next = c->next;
			c->next = big;
		} else {
			a->head = big;
		}
		return big->data;
	}
	if (c == NULL || c->size - c->used < need) {
		c = imap_arena_chunk_new(IMAP_ARENA_CHUNK);
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *imap_arena_calloc(struct imap_arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		abort(); /* callers bound n by the input size */
	p = imap_arena_alloc(a, n * size);
	memset(p, 0, n * size);
	return p;
}

char *imap_arena_strndup(struct imap_arena *a, const char *s, size_t len)
{
	char *p = imap_arena_alloc(a, len + 1);

	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void imap_arena_reset(struct imap_arena *a)
{
	struct imap_arena_chunk *c = a->head, *keep = NULL, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		if (keep == NULL && c->size == IMAP_ARENA_CHUNK) {
			keep = c;
			continue;
		}
		free(c);
	}
	if (keep != NULL) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
}

void imap_arena_free(struct imap_arena *a)
{
	imap_arena_reset(a);
	free(a->head);
	a->head = NULL;
}
