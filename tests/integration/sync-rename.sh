# sync-rename.sh: renamed and deleted mailboxes are followed. A renamed
# mailbox (same UIDVALIDITY under a new name) keeps its cached messages and
# queued edits, without refetching its headers; a deleted one leaves the
# cache, and its queued edits are reported (exit 75).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 5 1
dovecot_seed Work 12 2
dovecot_seed Lists 4 3
dovecot_flag Work 1:12 remove '\Flagged'
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX Work Lists
expect_exit 0 "$PETREL" -F "$cfg" --offline flag Work 3 +'\Flagged'
expect_exit 0 "$PETREL" -F "$cfg" --offline flag Lists 2 +'$Todo'

dove_adm mailbox rename Work Projects || fail "rename"
dovecot_delete Lists
trace=$TMPD/trace
expect_exit 75 "$PETREL" -F "$cfg" -d "$trace" sync INBOX Projects
expect_lines 1 "$ERR" "report of the dropped edit"
expect_match "$ERR" 'Lists: UID 2: edit not applied' "dropped edit"
grep -q 'ENVELOPE' "$trace" && fail "headers were fetched again after a rename"

expect_exit 0 "$PETREL" -F "$cfg" mailboxes
expect_eq "$(printf '%s\n' "$OUT" | cut -f1)" "INBOX
Projects" "mailboxes after rename and delete"
"$PETREL" -F "$cfg" ls Projects | cut -f1-3 >"$TMPD/ls"
dovecot_truth Projects >"$TMPD/truth"
diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "Projects differs from the server"
grep -q '^3	[0-9]*	.*\\Flagged' "$TMPD/truth" ||
	fail "the queued edit did not follow the rename"
expect_exit 0 "$PETREL" -F "$cfg" pending
expect_eq "$OUT" "" "pending"
expect_exit 66 "$PETREL" -F "$cfg" ls Work
pass
