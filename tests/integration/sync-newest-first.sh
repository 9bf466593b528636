# sync-newest-first.sh: the first sync of a mailbox of more than two
# chunks fetches the newest 500 messages first (the interface shows the
# latest mail at once), then the others in UID order. UIDNEXT moves only
# with those, so a sync cut off after the newest chunk resumes below it
# and converges to the server's state (Q-67: nothing of an unfinished
# chunk is stored).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 1300 5

# A connection that ends after 600,000 bytes from the server: past the
# answer to the newest chunk (about 400,000 bytes), inside the next one.
# (Not head -c: it holds back what it read until its buffer is full.)
cat >"$TMPD/cut.pl" <<'PL'
my $left = 600000;
while ($left > 0) {
	my $n = sysread(STDIN, my $b, $left < 65536 ? $left : 65536);
	last unless $n;
	syswrite(STDOUT, $b) == $n or exit 1;
	$left -= $n;
}
PL
{
	echo "[account cut]"
	echo "tunnel = $DOVE_TUNNEL | perl $TMPD/cut.pl"
	echo "cache = $TMPD/cache.sqlite"
} >"$TMPD/cut"
chmod 600 "$TMPD/cut"
trace=$TMPD/trace
expect_exit 69 "$PETREL" -F "$TMPD/cut" -d "$trace" sync INBOX
fetches=$(grep -E ' C: [a-z0-9]+ UID FETCH ' "$trace" | sed 's/^.* UID FETCH \([^ ]*\) .*/\1/')
expect_eq "$(printf '%s\n' "$fetches" | head -n 1)" "801:1300" "the first FETCH"
expect_eq "$(printf '%s\n' "$fetches" | sed -n 2p)" "1:500" "the second FETCH"
expect_exit 0 "$PETREL" -F "$TMPD/cut" ls INBOX
expect_eq "$(printf '%s\n' "$OUT" | cut -f1 | sort -n | sed -n '1p;$p' | paste -sd' ')" \
	"801 1300" "cached after the cut: the newest chunk only"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 500 "messages cached after the cut"

# The same cache on an unbroken connection.
petrel_config_tunnel "$TMPD/config"
sed -i "s|^cache = .*|cache = $TMPD/cache.sqlite|" "$TMPD/config"
expect_exit 0 "$PETREL" -F "$TMPD/config" sync INBOX
"$PETREL" -F "$TMPD/config" ls INBOX | cut -f1-3 >"$TMPD/ls"
dovecot_truth INBOX >"$TMPD/truth"
diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "INBOX differs from the server"
expect_exit 0 "$PETREL" -F "$TMPD/config" mailboxes
expect_eq "$(printf '%s\n' "$OUT" | grep '^INBOX	')" \
	"INBOX	$(dovecot_status INBOX)" "INBOX line"

# With gaps in the UIDs (expunged mail), "the newest 500" are the last 500
# UIDs the server has, whatever ranges they make.
dovecot_seed Holes 1200 6
dovecot_expunge Holes 1,650,700:710,999,1150,1199 >/dev/null
: >"$trace"
expect_exit 0 "$PETREL" -F "$TMPD/config" -d "$trace" sync Holes
first=$(grep -E ' C: [a-z0-9]+ UID FETCH ' "$trace" | head -n 1 |
	sed 's/^.* UID FETCH \([^ ]*\) .*/\1/')
# expand SET: one UID per line.
expand() {
	printf '%s\n' "$1" | tr , '\n' | awk -F: '{ for (u = $1; u <= ($2 ? $2 : $1); u++) print u }'
}
dovecot_truth Holes | cut -f1 | tail -n 500 >"$TMPD/want"
expand "$first" >"$TMPD/got"
diff "$TMPD/want" "$TMPD/got" >&2 || fail "the first FETCH ($first) is not the newest 500"
"$PETREL" -F "$TMPD/config" ls Holes | cut -f1-3 >"$TMPD/ls"
dovecot_truth Holes >"$TMPD/truth"
diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "Holes differs from the server"
pass
