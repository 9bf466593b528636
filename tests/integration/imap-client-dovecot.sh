# imap-client-dovecot.sh: the IMAP command layer against a real Dovecot:
# runs tests/unit/test-imap-client in its Dovecot mode (PETREL_TEST_DOVECOT=1),
# which logs in through the tunnel, implicit TLS and STARTTLS, checks that
# ENABLE QRESYNC is answered "* ENABLED QRESYNC" (RFC 7162 ), that
# SELECT ... (QRESYNC (...)) reports another device's expunges as VANISHED
# (EARLIER), and that a conditional STORE succeeds on an
# unchanged message and gets MODIFIED for a changed one (Q-24..Q-27). The
# server does not advertise UNSELECT, so switching mailboxes goes through
# [CLOSED], and the client must still never send CLOSE.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

bin=$PETREL_BUILDDIR/tests/unit/test-imap-client
[ -x "$bin" ] || skip "no $bin (tests disabled at configure time?)"

dovecot_start --tls --without UNSELECT
dovecot_seed INBOX 10
dovecot_seed Work 2

PETREL_TEST_DOVECOT=1 "$bin" || fail "test-imap-client against Dovecot failed"

# What the client sent, as Dovecot recorded it.
sent=$(dovecot_client_sent)
expect_match "$sent" '^[^ ]+ ENABLE QRESYNC CONDSTORE$' "ENABLE"
expect_match "$sent" \
	'^[^ ]+ SELECT INBOX \(QRESYNC \([0-9]+ [0-9]+ 1:10\)\)$' \
	"SELECT with QRESYNC"
expect_match "$sent" \
	'^[^ ]+ UID STORE 2 \(UNCHANGEDSINCE [0-9]+\) \+FLAGS\.SILENT \(\\Flagged\)$' \
	"conditional STORE"
printf '%s\n' "$sent" | grep -Eiq '^[^ ]+ (CLOSE|EXPUNGE|UNSELECT)$' &&
	fail "the client sent CLOSE, EXPUNGE or UNSELECT: $sent"
pass
