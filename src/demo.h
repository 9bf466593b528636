/* demo.h: `petrel --demo`: a throw-away account on a private Dovecot.
 *
 * demo_start() makes a fresh directory (under $TMPDIR, else /tmp) with a
 * Maildir seeded with sample mail, a Dovecot configuration of its own
 * (its own base_dir and state_dir, nothing read from /etc/dovecot), and a
 * petrel configuration whose only account reaches that Maildir through a
 * PREAUTH tunnel to Dovecot's imap binary. No daemon is started: each
 * connection runs the imap binary. When petrel runs as root, the mail
 * belongs to "nobody" and the binary runs as that user (setpriv), since
 * Dovecot refuses to access mail as root. demo_stop() removes it all.
 *
 * The imap binary is $PETREL_DEMO_IMAP, else the first of
 * /usr/lib/dovecot/imap and /usr/libexec/dovecot/imap (Debian's
 * dovecot-imapd); nothing else is needed, so the demo works from the
 * source tree and after `make install` alike. */
#ifndef PETREL_DEMO_H
#define PETREL_DEMO_H

#include "common/error.h"

struct demo;

/* PT_E_CONN (exit 69) when Dovecot is missing; PT_E_INTERNAL when the
 * directory cannot be made. */
int demo_start(struct demo **d_r, struct pt_error *err);
/* The configuration file to load (borrowed from d). */
const char *demo_config(const struct demo *d);
/* Remove the directory and free d; sets *dp to NULL. Accepts NULL. */
void demo_stop(struct demo **dp);

#endif
