/* wake.h: a wake-up descriptor between threads.
 *
 * One thread sleeps in poll() on wake_fd(); another calls wake_notify()
 * to make it readable. Notifications coalesce: many notifies before one
 * drain wake the sleeper once. Backed by an eventfd (Linux) or a
 * non-blocking pipe. Safe to call wake_notify() from any thread and from
 * a signal handler. */
#ifndef PETREL_WAKE_H
#define PETREL_WAKE_H

struct wake;

/* Returns NULL (with errno set) if no descriptor could be made. */
struct wake *wake_new(void);
void wake_free(struct wake *w);
/* The descriptor to poll for POLLIN. */
int wake_fd(const struct wake *w);
void wake_notify(struct wake *w);
/* Clear pending notifications; returns 1 if there were any, else 0. */
int wake_drain(struct wake *w);

#endif
