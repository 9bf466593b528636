#!/bin/sh
# Losing the server: the status line says offline (with the retry
# countdown), and browsing, reading cached bodies and flagging go on; an
# uncached body is "not available offline". When the server is back the
# sync thread reconnects by itself and replays the queued edits. Then
# --offline: the thread is not started at all.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start --tls
for i in 1 2 3; do
	ui_msg "$TMPD/m$i" "offline test $i" "cached body $i"
	dovecot_append INBOX "$TMPD/m$i" >/dev/null
done
petrel_config_tls "$TMPD/config" implicit
# Bodies are fetched on demand only (the messages are not recent anyway).
printf 'prefetch_days = 0\n' >>"$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "INBOX [3 new, 3 messages]"
ui_wait "online"
# Read UID 3 while online: its body is cached.
ui_keys Enter
ui_wait "cached body 3"
ui_keys q

dovecot_stop
ui_wait_re '-- offline, retrying in [0-9]+ s' 15
ui_keys Enter
ui_wait "cached body 3"
ui_keys q j Enter
ui_wait "Subject: offline test 2"
ui_wait "This message is not available offline."
ui_keys q
ui_keys F
ui_wait_re '^ N!.*offline test 2'
ui_wait_re '-- [0-9]+ queued'

dovecot_restart
# The thread retries by itself (backoff of a few seconds at this point);
# $ makes it retry at once.
ui_keys '$'
ui_wait "online" 20
if replay_built; then
	_flagged() { dovecot_truth INBOX | grep -q '^2	[0-9]*	\\Flagged$'; }
	wait_until 10 _flagged || fail "server flags: $(dovecot_truth INBOX)"
	ui_wait_gone "queued"
fi
ui_quit
expect_eq "$UI_RC" 0 "exit status"
ui_end

# --offline: nothing is sent, the cache is browsed.
dovecot_stop
ui_start -F "$TMPD/config" --offline
ui_wait "-- dovecot: INBOX [2 new, 3 messages] -- offline"
ui_keys Enter
ui_wait "cached body 3"
ui_keys q '$'
ui_wait "Offline (--offline): nothing is sent"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
