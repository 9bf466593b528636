# flag-merge.sh: the per-flag merge after a conditional STORE answered
# [MODIFIED ...] for part of its set (DESIGN.md "Flag edits across
# devices"; RFC 7162 Q-25..Q-29, Q-36), with a scripted server: the
# modified messages are refetched; an edit the server already satisfies is
# dropped, one whose flag still has its old value is resent with the new
# modseq. Afterwards nothing is pending and the cache equals the server.
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
$fake --wait "$TMPD/transcript.merge-setup.script" || fail "setup script"
expect_exit 0 "$PETREL" -F "$TMPD/config" --offline flag INBOX 1:3 +'\Flagged'
expect_exit 0 "$PETREL" -F "$TMPD/config" pending
expect_lines 3 "$OUT" "queued edits"

cfg merge-modified.script
expect_exit 0 "$PETREL" -F "$TMPD/config" sync INBOX
$fake --wait "$TMPD/transcript.merge-modified.script" ||
	fail "the client did not follow the merge script"
expect_exit 0 "$PETREL" -F "$TMPD/config" pending
expect_eq "$OUT" "" "pending after the merge"
expect_exit 0 "$PETREL" -F "$TMPD/config" ls INBOX
expect_eq "$(printf '%s\n' "$OUT" | cut -f1-3)" "1	11	\\Flagged
2	12	\\Flagged
3	14	\\Flagged \\Seen" "cache after the merge"
expect_exit 0 "$PETREL" -F "$TMPD/config" mailboxes
expect_eq "$OUT" "INBOX	7	14	3	2" "mailboxes after the merge"
pass
