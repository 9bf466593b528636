#!/bin/sh
# Another device's changes reach the open index within seconds while the
# sync thread waits in IDLE: a flag change (applied from the untagged FETCH
# without moving the stored HIGHESTMODSEQ, Q-69), new mail and an expunge
# (both through a resync).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
for i in 1 2 3; do
	ui_msg "$TMPD/m$i" "idle test $i" "body $i"
	dovecot_append INBOX "$TMPD/m$i" >/dev/null
done
petrel_config_tunnel "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "INBOX [3 new, 3 messages]"
ui_wait "online"
hms_before=$("$PETREL" -F "$TMPD/config" mailboxes | cut -f3)

dovecot_flag INBOX 2 add '\Flagged' '\Seen'
ui_wait_re '^  !.*idle test 2' 10
ui_wait "INBOX [2 new, 3 messages]"
# the baseline did not move with the pushed FETCH.
hms_after=$("$PETREL" -F "$TMPD/config" mailboxes | cut -f3)
expect_eq "$hms_after" "$hms_before" "HIGHESTMODSEQ during IDLE"

ui_msg "$TMPD/m4" "idle test 4 arrives" "new"
dovecot_append INBOX "$TMPD/m4" >/dev/null
ui_wait "idle test 4 arrives" 10
ui_wait "INBOX [3 new, 4 messages]"

dovecot_expunge INBOX 1
ui_wait_gone "idle test 1" 10
ui_wait "INBOX [2 new, 3 messages]"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
