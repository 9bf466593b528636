# flag-race.sh: an edit the user cancels while its STORE is on the way
# (delete, then undelete at once) is not lost: when the server confirms
# the STORE, the user's view wins and the undo is queued (and sent by the
# next sync), so the message does not stay \Deleted.
. "$PETREL_SRCDIR/tests/lib.sh"

fake="perl $PETREL_SRCDIR/tests/fixture/fake-imapd"
data=$PETREL_SRCDIR/tests/data/fake
cfg() { # SCRIPT
	cat >"$TMPD/config" <<CFG
[account fake]
tunnel = $fake $data/$1 $TMPD/transcript.$1
cache = $TMPD/cache/fake.sqlite
CFG
}

cfg merge-setup.script
expect_exit 0 "$PETREL" -F "$TMPD/config" sync INBOX
expect_exit 0 "$PETREL" -F "$TMPD/config" --offline flag INBOX 1 +'\Deleted'

cfg race-cancel.script
"$PETREL" -F "$TMPD/config" sync INBOX >"$TMPD/sync.out" 2>&1 &
pid=$!
# Undelete while the server holds the STORE's answer back.
n=0
until grep -q 'UID STORE' "$TMPD/transcript.race-cancel.script" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 200 ] || fail "the STORE was never sent"
	sleep 0.02
done
expect_exit 0 "$PETREL" -F "$TMPD/config" --offline flag INBOX 1 -'\Deleted'
wait $pid || fail "sync failed: $(cat "$TMPD/sync.out")"
$fake --wait "$TMPD/transcript.race-cancel.script" || fail "race script"

expect_exit 0 "$PETREL" -F "$TMPD/config" ls INBOX
expect_match "$OUT" '^1	11		' "the user's view: UID 1 not deleted"
expect_exit 0 "$PETREL" -F "$TMPD/config" pending
expect_eq "$OUT" "INBOX	1		\\Deleted	11" "the undo is queued"
pass
