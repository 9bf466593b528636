# expunge-own.sh: `petrel expunge` removes only the messages the user
# deleted with petrel, with UID EXPUNGE (RFC 4315; RFC 7162 Q-61, Q-63);
# another device's \Deleted messages stay, and no EXPUNGE or CLOSE is ever
# sent. Without UIDPLUS nothing is expunged and the user is told.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 10 5
dovecot_flag INBOX 1:10 remove '\Deleted'
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_exit 0 "$PETREL" -F "$cfg" flag INBOX 2,4 +'\Deleted'
dovecot_flag INBOX 6 add '\Deleted' # another device

trace=$TMPD/trace
expect_exit 0 "$PETREL" -F "$cfg" -d "$trace" expunge INBOX
c_lines=$(grep ' C: ' "$trace" | sed 's/^[^ ]* C: //')
expect_match "$c_lines" '^[a-z0-9]+ UID EXPUNGE 2,4$' "UID EXPUNGE of our own"
printf '%s\n' "$c_lines" | grep -Eiq '^[a-z0-9]+ (EXPUNGE|CLOSE)' &&
	fail "a plain EXPUNGE or CLOSE was sent"
dovecot_truth INBOX | cut -f1 | tr '\n' ' ' >"$TMPD/uids"
expect_eq "$(cat "$TMPD/uids")" "1 3 5 6 7 8 9 10 " "messages left on the server"
"$PETREL" -F "$cfg" ls INBOX | cut -f1-3 >"$TMPD/ls"
dovecot_truth INBOX >"$TMPD/truth"
diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "cache differs after expunge"
expect_exit 0 "$PETREL" -F "$cfg" mailboxes
expect_eq "$(printf '%s\n' "$OUT" | grep '^INBOX	')" \
	"INBOX	$(dovecot_status INBOX)" "mailboxes after expunge"

# A second expunge has nothing of ours left: no UID EXPUNGE at all.
: >"$trace"
expect_exit 0 "$PETREL" -F "$cfg" -d "$trace" expunge INBOX
grep -q 'EXPUNGE' "$trace" && fail "expunged again"
dovecot_stop
DOVE_PID=

# Without UIDPLUS: nothing is expunged; one notice.
dovecot_start --without UIDPLUS
dovecot_seed INBOX 4 6
dovecot_flag INBOX 1:4 remove '\Deleted'
rm -rf "$TMPD/cache"
cfg=$TMPD/config2
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_exit 0 "$PETREL" -F "$cfg" flag INBOX 1 +'\Deleted'
expect_exit 0 "$PETREL" -F "$cfg" -d "$trace" expunge INBOX
expect_lines 1 "$ERR" "no-UIDPLUS notice"
expect_match "$ERR" 'UIDPLUS' "no-UIDPLUS notice"
expect_eq "$(dovecot_truth INBOX | wc -l)" 4 "nothing expunged without UIDPLUS"
pass
