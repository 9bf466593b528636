# sync-basic.sh: a first `petrel sync` over a PREAUTH tunnel fills the
# cache; `ls` and `mailboxes` then equal the server's truth exactly
# (INTERFACE.md formats), and work with no server at all.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 60 7
dovecot_seed Work 12 8
dovecot_flag INBOX 1:5 add '\Flagged' '$Label1'
cfg=$TMPD/config
petrel_config_tunnel "$cfg"

expect_exit 0 "$PETREL" -F "$cfg" sync INBOX Work
expect_eq "$ERR" "" "sync stderr"

for mb in INBOX Work; do
	expect_exit 0 "$PETREL" -F "$cfg" ls "$mb"
	printf '%s\n' "$OUT" | cut -f1-3 >"$TMPD/ls.$mb"
	dovecot_truth "$mb" >"$TMPD/truth.$mb"
	diff "$TMPD/truth.$mb" "$TMPD/ls.$mb" >&2 ||
		fail "$mb: ls UID/MODSEQ/FLAGS differ from the server"
	printf '%s\n' "$OUT" | cut -f1,4-6 >"$TMPD/lsh.$mb"
	dovecot_expected "$mb" >"$TMPD/exp.$mb"
	diff "$TMPD/exp.$mb" "$TMPD/lsh.$mb" >&2 ||
		fail "$mb: ls DATE/FROM/SUBJECT differ from the messages"
	expect_exit 0 "$PETREL" -F "$cfg" mailboxes
	line=$(printf '%s\n' "$OUT" | grep "^$mb	")
	expect_eq "$line" "$mb	$(dovecot_status "$mb")" "mailboxes line of $mb"
done

# The cache is private (0600 in a 0700 directory).
expect_eq "$(stat -c %a "$TMPD/cache/dovecot.sqlite")" 600 "cache mode"
expect_eq "$(stat -c %a "$TMPD/cache")" 700 "cache directory mode"
# The write-ahead log and its index stay after petrel exits: private too.
for side in wal shm; do
	[ -e "$TMPD/cache/dovecot.sqlite-$side" ] || fail "no -$side file"
	expect_eq "$(stat -c %a "$TMPD/cache/dovecot.sqlite-$side")" 600 "-$side mode"
done

# ls and mailboxes read only the cache: they work with the server gone.
dovecot_stop
expect_exit 0 "$PETREL" -F "$cfg" ls INBOX
expect_lines 60 "$OUT" "offline ls"
expect_exit 0 "$PETREL" -F "$cfg" mailboxes
expect_exit 66 "$PETREL" -F "$cfg" ls NoSuchBox
expect_lines 1 "$ERR" "no such mailbox"
pass
