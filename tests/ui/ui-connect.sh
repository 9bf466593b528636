#!/bin/sh
# What the interface asks while the sync thread is still connecting (the
# mailbox it opens at start) waits for the connection instead of breaking
# it off: with a server slow to greet, the first attempt succeeds, with no
# "connection interrupted" error and no reconnect delay.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
ui_msg "$TMPD/m1" "after a slow greeting" "body"
dovecot_append INBOX "$TMPD/m1" >/dev/null
{
	echo "[account slow]"
	echo "tunnel = sleep 1; $DOVE_TUNNEL"
	echo "cache = $TMPD/cache/slow.sqlite"
} >"$TMPD/config"
chmod 600 "$TMPD/config"

ui_start -F "$TMPD/config"
# Watch the status line until the first sync is done: never an error.
n=0
while :; do
	screen=$(ui_screen)
	case $screen in
	*interrupted* | *retrying*)
		printf '%s\n' "$screen" >&2
		fail "the connect was broken off" ;;
	*"after a slow greeting"*) break ;;
	esac
	n=$((n + 1))
	[ "$n" -lt 200 ] || fail "no index after 10 s: $screen"
	sleep 0.05
done
ui_wait "online"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
