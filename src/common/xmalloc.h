/* xmalloc.h: allocation helpers that never return NULL.
 *
 * Running out of memory is not a condition petrel tries to recover from:
 * every helper here prints one line and exits with status 70. */
#ifndef PETREL_XMALLOC_H
#define PETREL_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* Resize an array of nmemb elements of size bytes, checking overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap)
        __attribute__((format(printf, 1, 0)));

#endif
