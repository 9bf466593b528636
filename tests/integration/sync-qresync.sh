# sync-qresync.sh: a resync after changes costs one SELECT ... (QRESYNC
# (...)) per changed mailbox, no full-mailbox FETCH, and no SELECT at
# all for an unchanged mailbox (RFC 7162 Q-44, Q-49, Q-74; T-5). The
# STATUS that decides it is asked once per mailbox, pipelined before the
# LIST (Dovecot answers it from its index there; after a LIST it rescans
# a Maildir mailbox's whole directory).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 200 3
dovecot_seed Work 20 4
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX Work

# Another device: flags on 3 messages, 2 expunged, 1 new message.
dovecot_flag INBOX 10,20,30 add '\Flagged'
dovecot_flag INBOX 40 remove '\Seen'
dovecot_expunge INBOX 50,60
printf 'From: x@example.org\r\nSubject: new one\r\n\r\nhello\r\n' >"$TMPD/m"
dovecot_append INBOX "$TMPD/m" >/dev/null

trace=$TMPD/trace
expect_exit 0 "$PETREL" -F "$cfg" -d "$trace" sync INBOX Work
c_lines=$(grep -E '^[^ ]+ C: ' "$trace" | sed 's/^[^ ]* C: //')
selects=$(printf '%s\n' "$c_lines" | grep -Eic '^[a-z0-9]+ (SELECT|EXAMINE) ')
expect_eq "$selects" 1 "SELECT commands"
expect_match "$c_lines" '^[a-z0-9]+ SELECT INBOX \(QRESYNC \([0-9]+ [0-9]+ ' \
	"QRESYNC select of INBOX"
# status_order LINES: the commands' verbs in order, one per line.
status_order() {
	printf '%s\n' "$1" | awk '{ print toupper($2) }' |
		grep -E '^(STATUS|LIST|LSUB|SELECT)$' | paste -sd' ' -
}
expect_eq "$(status_order "$c_lines")" "STATUS STATUS LIST LSUB SELECT" \
	"one STATUS per mailbox, before the LIST"
printf '%s\n' "$c_lines" | grep -Eiq 'UID FETCH 1:' &&
	fail "a full-mailbox FETCH was sent: $c_lines"
printf '%s\n' "$c_lines" | grep -Eiq 'CHANGEDSINCE' &&
	fail "CHANGEDSINCE used although QRESYNC was enabled"
expect_match "$(grep ' S: ' "$trace")" 'VANISHED \(EARLIER\) 50,60' \
	"VANISHED (EARLIER) in the SELECT answer"

for mb in INBOX Work; do
	"$PETREL" -F "$cfg" ls "$mb" | cut -f1-3 >"$TMPD/ls"
	dovecot_truth "$mb" >"$TMPD/truth"
	diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "$mb differs from the server"
done
expect_exit 0 "$PETREL" -F "$cfg" mailboxes
expect_eq "$(printf '%s\n' "$OUT" | grep '^INBOX	')" \
	"INBOX	$(dovecot_status INBOX)" "INBOX line"

# Nothing changed: no SELECT at all, only STATUS.
: >"$trace"
expect_exit 0 "$PETREL" -F "$cfg" -d "$trace" sync INBOX Work
grep -Eiq ' C: [a-z0-9]+ (SELECT|EXAMINE) ' "$trace" &&
	fail "an unchanged mailbox was selected"
c_lines=$(grep -E '^[^ ]+ C: ' "$trace" | sed 's/^[^ ]* C: //')
expect_eq "$(status_order "$c_lines")" "STATUS STATUS LIST LSUB" \
	"unchanged: one STATUS per mailbox, before the LIST"
pass
