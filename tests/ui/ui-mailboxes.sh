#!/bin/sh
# Changing mailbox (c and y), the mailbox list's counts and order (INBOX
# first), the help screen listing the current bindings
# (including one remapped with [bind]), and Ctrl-L.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
ui_msg "$TMPD/a" "in the inbox" "x"
dovecot_append INBOX "$TMPD/a" >/dev/null
for i in 1 2; do
	ui_msg "$TMPD/w$i" "work item $i" "y"
	dovecot_append Work "$TMPD/w$i" >/dev/null
done
dovecot_create Archive
for m in Work Archive; do dovecot_subscribe $m; done
petrel_config_tunnel "$TMPD/config"
printf '[bind]\nindex.x = toggle-flagged\n' >>"$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "in the inbox"
ui_wait "online"
ui_keys c
ui_wait_re '^ +1 +1 +INBOX'
ui_wait_re '^ +2 +2 +Work'
# INBOX first, then by name (special-use order: see ui-demo.sh).
order=$(ui_screen | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ { printf "%s ", $3 }')
expect_eq "$order" "INBOX Archive Work " "mailbox order"
ui_keys j j Enter
ui_wait "work item 2"
ui_wait "Work [2 new, 2 messages]"

ui_keys '?'
ui_wait "Keys of the index screen:"
ui_wait_re '^F, x +toggle-flagged'
ui_wait_re '^c, y +change-mailbox'
ui_keys q
ui_wait "work item 1"
ui_keys C-l
ui_wait "work item 1"

ui_keys y
ui_wait "Archive"
ui_keys Home Enter
ui_wait "in the inbox"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
