#!/bin/sh
# Reading a message during the first sync of a large mailbox: the body is
# fetched before the rest of the headers (the sync yields after the chunks
# in flight, serves the body, then goes on from what it stored), and the
# sync still ends with every message cached. The server is a real Dovecot
# behind a tunnel slowed to about 250 kB/s, so the header sync of 3,000
# messages lasts several seconds.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
dovecot_seed INBOX 3000 7
cat >"$TMPD/slow.pl" <<'PL'
use Time::HiRes qw(usleep);
$| = 1;
while ((my $n = sysread(STDIN, my $b, 4096)) > 0) {
	syswrite(STDOUT, $b) == $n or exit 1;
	usleep(16000);
}
PL
{
	echo "[account slow]"
	echo "tunnel = $DOVE_TUNNEL | perl $TMPD/slow.pl"
	echo "cache = $TMPD/cache/slow.sqlite"
} >"$TMPD/config"
chmod 600 "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "syncing INBOX: 500/3000 messages" 30
ui_keys Enter
ui_wait "Subject:"
# The body, not a placeholder, while the header sync is still running.
n=0
while :; do
	screen=$(ui_screen)
	case $screen in
	*"Fetching the message"*) ;;
	*"syncing INBOX"*) break ;;
	*) printf '%s\n' "$screen" >&2
	   fail "the header sync ended before the body was shown" ;;
	esac
	n=$((n + 1))
	[ "$n" -lt 200 ] || fail "no body after 10 s: $screen"
	sleep 0.05
done
for s in "no longer in the mailbox" "not available offline" "could not be fetched"; do
	case $screen in *"$s"*) fail "the pager says: $s" ;; esac
done
ui_keys q
ui_wait "online" 60
ui_quit
expect_eq "$UI_RC" 0 "exit status"
"$PETREL" -F "$TMPD/config" ls INBOX | cut -f1-3 >"$TMPD/ls"
dovecot_truth INBOX >"$TMPD/truth"
diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "INBOX differs from the server"
pass
