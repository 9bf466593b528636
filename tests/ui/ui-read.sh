#!/bin/sh
# The interface against a real Dovecot: it opens INBOX, moves the cursor,
# reads a message (decoded body shown), goes back, and quits; reading sets
# \Seen through a queued edit (in the cache at once, on the server once the
# queue is replayed).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
for i in 1 2 3; do
	ui_msg "$TMPD/m$i" "subject number $i" "body text of message $i, with =C3=A9 and ünïcödé"
	dovecot_append INBOX "$TMPD/m$i" >/dev/null
done
petrel_config_tunnel "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "INBOX [3 new, 3 messages]"
ui_wait "online"
# Newest first: the cursor starts on message 3.
ui_wait "subject number 1"
# The sender column shows the name, not the address.
ui_wait_re '^ N  [0-9-]+  Tester +subject number 1 *$'
ui_screen | grep -q 'tester@' && fail "the index shows the sender's address"
ui_keys j
ui_keys Enter
ui_wait "Subject: subject number 2"
ui_wait "body text of message 2, with =C3=A9 and ünïcödé"
ui_wait "From: Tester <tester@example.org>"
ui_keys q
ui_wait "INBOX [2 new, 3 messages]"

# The edit is in the cache at once (the user's view).
expect_exit 0 "$PETREL" -F "$TMPD/config" ls INBOX
expect_match "$OUT" '^2	[0-9]+	\\Seen	' "ls after reading"

if replay_built; then
	_seen() { dovecot_truth INBOX | grep -q '^2	[0-9]*	\\Seen$'; }
	wait_until 10 _seen || fail "UID 2 not \\Seen on the server: $(dovecot_truth INBOX)"
	# Fetching the body used BODY.PEEK: only the read set \Seen.
	dovecot_truth INBOX | grep -q '^1	[0-9]*	$' ||
		fail "UID 1 changed on the server: $(dovecot_truth INBOX)"
fi

ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
