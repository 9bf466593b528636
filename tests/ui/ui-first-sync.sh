#!/bin/sh
# The first sync of a large mailbox: the newest messages are fetched
# first and the index shows them, with the progress on the status line,
# while the rest is still on its way. The server (tests/fixture/fake-imapd)
# answers the FETCH of the newest 500 of 1200 messages, then never the
# next ones: what the screen shows then is what the user sees during a
# long first sync.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

command -v perl >/dev/null 2>&1 || skip "perl not found"
FAKE="$PETREL_SRCDIR/tests/fixture/fake-imapd"

perl -e '
print <<"EOS";
S: * PREAUTH [CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS] ready
C: \\S+ ENABLE QRESYNC CONDSTORE
S: * ENABLED QRESYNC CONDSTORE
S: \${tag} OK enabled
C: \\S+ LIST "" "\\*"
S: * LIST (\\HasNoChildren) "/" INBOX
S: \${tag} OK list
C: \\S+ LSUB "" "\\*"
S: * LSUB () "/" INBOX
S: \${tag} OK lsub
C: \\S+ SELECT INBOX \\(CONDSTORE\\)
S: * 1200 EXISTS
S: * OK [UIDVALIDITY 7] ok
S: * OK [UIDNEXT 1201] ok
S: * OK [HIGHESTMODSEQ 1300] ok
S: \${tag} OK [READ-WRITE] selected
C: \\S+ UID SEARCH UID 1:\\*
S: * SEARCH @{[join " ", 1 .. 1200]}
S: \${tag} OK search
C: \\S+ UID FETCH 701:1200 \\(.*\\)
EOS
for my $u (701 .. 1200) {
	my $min = sprintf "%02d:%02d", int($u / 60) % 24, $u % 60;
	my $d = sprintf "%d Jan 2024 %s:00 +0000", 1 + int($u / 1440), $min;
	print "SLIT: * $u FETCH (UID $u FLAGS () MODSEQ ($u)",
	    " INTERNALDATE \"01-Jan-2024 10:00:00 +0000\" RFC822.SIZE 120",
	    " ENVELOPE (\"$d\" \"Message $u\" ((\"Alice\" NIL \"alice\"",
	    " \"example.org\")) NIL NIL ((\"Bob\" NIL \"bob\" \"example.org\"))",
	    " NIL NIL NIL \"<$u\@example.org>\") BODYSTRUCTURE (\"TEXT\"",
	    " \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL",
	    " NIL NIL NIL) BODY[HEADER.FIELDS (REFERENCES)] {} \\r\\n\n",
	    "S: )\n";
}
print "S: \${tag} OK fetched\n",
    "# The older ones: no answer until the interface quits.\n",
    "WAIT-EOF\n";
' >"$TMPD/first.script" || fail "cannot write the script"
perl "$FAKE" --check "$TMPD/first.script" >&2 || fail "script is invalid"
{
	echo "[account fake]"
	echo "tunnel = perl $FAKE $TMPD/first.script $TMPD/first.tr"
	echo "cache = $TMPD/cache/fake.sqlite"
} >"$TMPD/config"
chmod 600 "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "syncing INBOX: 500/1200 messages"
ui_wait "INBOX [500 new, 500 messages]"
# Newest first: the top row is the newest message; the oldest are not
# there yet.
ui_wait_re '^ N .*Message 1200 *$'
ui_screen | grep -q 'Message 700 *$' && fail "an old message is in the index"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
