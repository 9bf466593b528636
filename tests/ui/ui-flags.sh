#!/bin/sh
# Flag edits from the index: F toggles \Flagged, N toggles \Seen, d marks
# \Deleted and moves down, u undeletes (even at once, while the delete's
# STORE may still be on its way), $ syncs and expunges what the user
# deleted. Each edit shows at once (the user's view, from the queue) and
# reaches the server through the sync thread's replay (conditional
# STORE); the expunge is a UID EXPUNGE of the user's own deletions only:
# a message another device marked \Deleted stays.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
for i in 1 2 3 4; do
	ui_msg "$TMPD/m$i" "flag test $i" "body $i"
	dovecot_append INBOX "$TMPD/m$i" >/dev/null
done
petrel_config_tunnel "$TMPD/config"

ui_start -F "$TMPD/config"
dovecot_flag INBOX 4 add '\Seen' '\Deleted' # another device
ui_wait "INBOX [3 new, 4 messages]"
ui_wait "online"
# Row 1 is UID 4 (newest first); go to UID 3.
ui_keys j F
ui_wait_re '^ N!.*flag test 3'
ui_keys N
ui_wait_re '^  !.*flag test 3'
ui_wait "INBOX [2 new, 4 messages]"
ui_keys d
ui_wait_re '^ D!.*flag test 3'
# d moved the cursor to UID 2; go back up and undelete at once.
ui_keys k u
ui_wait_re '^  !.*flag test 3'
ui_keys j d
ui_wait_re '^ D .*flag test 2'
ui_keys '$'

_server() {
	t=$(dovecot_truth INBOX)
	[ "$(printf '%s\n' "$t" | cut -f1 | tr '\n' ' ')" = "1 3 4 " ] &&
		printf '%s\n' "$t" | grep -q '^3	[0-9]*	\\Flagged \\Seen$' &&
		printf '%s\n' "$t" | grep -q '^4	[0-9]*	\\Deleted \\Seen$'
}
wait_until 10 _server || fail "server: $(dovecot_truth INBOX)"
ui_wait_gone "queued"
expect_exit 0 "$PETREL" -F "$TMPD/config" ls INBOX
expect_match "$OUT" '^3	[0-9]+	\\Flagged \\Seen	' "ls: UID 3"
printf '%s\n' "$OUT" | grep -q '^2	' && fail "ls: UID 2 was not expunged"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
