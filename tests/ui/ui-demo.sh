#!/bin/sh
# petrel --demo: a private Dovecot with sample mail; the interface opens on
# its INBOX, lists special-use mailboxes after INBOX, reads a message, and
# removes everything it made when it quits.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

[ -x /usr/lib/dovecot/imap ] || [ -x /usr/libexec/dovecot/imap ] ||
	skip "Dovecot's imap binary not found (install dovecot-imapd)"
chmod o+x "$TMPD"
UI_ENV="TMPDIR=$TMPD"
ui_start --demo
ui_wait "Welcome to petrel"
ui_wait "INBOX [6 new, 40 messages]"
ui_wait "online"
ls "$TMPD" | grep -q '^petrel-demo\.' || fail "no demo directory in TMPDIR"
ui_keys c
ui_wait_re '^ +[0-9]+ +40 +INBOX'
order=$(ui_screen | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ { printf "%s ", $3 }')
expect_eq "$order" "INBOX Sent Archive Trash " "mailbox order"
ui_keys q Enter
ui_wait "Subject: Welcome to petrel"
ui_wait "Nothing you do here leaves this computer."
ui_keys q
ui_quit
expect_eq "$UI_RC" 0 "exit status"
ls "$TMPD" | grep -q '^petrel-demo\.' && fail "the demo directory was left behind"
pass
