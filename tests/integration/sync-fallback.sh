# sync-fallback.sh: the resync paths for servers without QRESYNC, with a
# real Dovecot advertising less:
#  - CONDSTORE only: SELECT (CONDSTORE), UID FETCH 1:<max> (UID FLAGS)
#    (CHANGEDSINCE <cached HIGHESTMODSEQ>) and always a UID SEARCH for
#    expunges (RFC 7162 ); never ENABLE or QRESYNC;
#  - neither extension: nothing petrel sends names MODSEQ, CHANGEDSINCE,
#    CONDSTORE or QRESYNC (Q-8, T-22); every flag is fetched and compared;
#    the MODSEQ column and HIGHESTMODSEQ are 0 (INTERFACE.md);
#  - a NOMODSEQ mailbox (Dovecot with in-memory indexes answers
#    "OK [NOMODSEQ]"): after it, no MODSEQ fetch or CHANGEDSINCE,
#    no stored HIGHESTMODSEQ, a full flag comparison.
# Each converges to the server's UIDs and flags after another device's
# changes: flags added and removed, expunges, new mail.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

cfg=$TMPD/config

# check VARIANT: ls UID/MODSEQ/FLAGS and the mailboxes line equal the
# server's; without modseqs ($zero), MODSEQ and HIGHESTMODSEQ must be 0.
check() {
	"$PETREL" -F "$cfg" ls INBOX | cut -f1-3 >"$TMPD/ls"
	dovecot_truth INBOX | awk -F '\t' -v OFS='\t' -v z="$zero" \
		'{ if (z) $2 = 0; print }' >"$TMPD/truth"
	diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "$1: ls INBOX differs from the server"
	expect_exit 0 "$PETREL" -F "$cfg" mailboxes
	st=$(dovecot_status INBOX | awk -F '\t' -v OFS='\t' -v z="$zero" \
		'{ if (z) $2 = 0; print }')
	expect_eq "$OUT" "INBOX	$st" "$1: mailboxes"
}

# changes: another device flags, unflags, expunges and delivers.
changes() {
	dovecot_flag INBOX 2,5,9:12 add '\Flagged' '$Work'
	dovecot_flag INBOX 1:4 remove '\Seen'
	dovecot_flag INBOX 20 replace '\Answered'
	dovecot_expunge INBOX 7,15:16
	printf 'From: x@example.org\r\nSubject: late\r\n\r\nhi\r\n' >"$TMPD/m"
	dovecot_append INBOX "$TMPD/m" >/dev/null
	dovecot_append INBOX "$TMPD/m" >/dev/null
}

# sent PATTERN: the lines petrel sent to the server (all sessions
# so far, from Dovecot's raw log) that match the ERE PATTERN.
sent() {
	dovecot_client_sent | grep -Ei -- "$1"
}

# traced: the commands of petrel's trace $TMPD/trace, without time stamps.
traced() {
	grep -E '^[^ ]+ C: ' "$TMPD/trace" | sed 's/^[^ ]* C: //'
}

# 1. CONDSTORE only.
zero=
dovecot_start --without QRESYNC
dovecot_seed INBOX 40 11
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
check "condstore, first sync"
hms=$("$PETREL" -F "$cfg" mailboxes | cut -f3)
changes
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX
c=$(traced)
expect_match "$c" '^[a-z0-9]+ SELECT INBOX \(CONDSTORE\)$' "condstore: SELECT"
expect_match "$c" "^[a-z0-9]+ UID FETCH 1:40 \\(UID FLAGS\\) \\(CHANGEDSINCE $hms\\)\$" \
	"condstore: flag changes since the cached HIGHESTMODSEQ (Q-21, Q-23)"
expect_match "$c" '^[a-z0-9]+ UID SEARCH (RETURN \(ALL\) )?UID 1:40$' \
	"condstore: expunges found by a UID SEARCH (Q-75)"
printf '%s\n' "$c" | grep -Ei '(ENABLE|QRESYNC|VANISHED)' &&
	fail "condstore: the trace shows ENABLE, QRESYNC or VANISHED (Q-6)"
check "condstore, after changes"
# Only an expunge: found although no flag changed.
dovecot_expunge INBOX 30
: >"$TMPD/trace"
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX
expect_match "$(traced)" '^[a-z0-9]+ UID SEARCH ' "condstore: expunge-only resync"
check "condstore, after an expunge"
sent '(ENABLE|QRESYNC|VANISHED)' &&
	fail "condstore: ENABLE, QRESYNC or VANISHED sent to a server without QRESYNC"
dovecot_stop
rm -rf "$TMPD/cache" "$cfg"

# 2. Neither CONDSTORE nor QRESYNC.
zero=1
dovecot_start --without "CONDSTORE QRESYNC"
dovecot_seed INBOX 40 12
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
check "plain, first sync"
changes
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX
expect_match "$(traced)" '^[a-z0-9]+ UID FETCH 1:40 \(UID FLAGS\)$' \
	"plain: every flag fetched (Q-73)"
check "plain, after changes"
sent '(MODSEQ|CHANGEDSINCE|CONDSTORE|QRESYNC|ENABLE)' &&
	fail "plain: CONDSTORE/QRESYNC syntax sent to a server without them (Q-8)"
dovecot_stop
rm -rf "$TMPD/cache" "$cfg"

# 3. A NOMODSEQ mailbox: in-memory indexes give Dovecot no permanent
# modseqs, although it advertises CONDSTORE and QRESYNC. dovecot_seed needs
# an index on disk, so the messages are delivered one by one.
zero=1
dovecot_start --conf "mail_location = maildir:%h/Maildir:INDEX=MEMORY"
i=0
while [ "$i" -lt 24 ]; do
	i=$((i + 1))
	printf 'From: x@example.org\r\nSubject: m%s\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nhi\r\n' \
		"$i" >"$TMPD/m"
	dovecot_append INBOX "$TMPD/m" >/dev/null
done
dovecot_flag INBOX 1:10 add '\Seen'
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX
grep -q ' S: \* OK \[NOMODSEQ\]' "$TMPD/trace" || skip "Dovecot did not answer NOMODSEQ"
check "nomodseq, first sync"
changes
: >"$TMPD/trace"
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX
c=$(traced)
expect_match "$c" '^[a-z0-9]+ UID FETCH 1:24 \(UID FLAGS\)$' \
	"nomodseq: every flag fetched (Q-12)"
printf '%s\n' "$c" | grep -Ev ' (SELECT|EXAMINE|ENABLE) ' |
	grep -Ei '(MODSEQ|CHANGEDSINCE)' &&
	fail "nomodseq: MODSEQ or CHANGEDSINCE after NOMODSEQ (Q-11)"
printf '%s\n' "$c" | grep -Eiq 'QRESYNC \(' &&
	fail "nomodseq: QRESYNC select without a stored HIGHESTMODSEQ (Q-46)"
check "nomodseq, after changes"
pass
