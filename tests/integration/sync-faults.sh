# sync-faults.sh: `petrel sync` against a scripted server
# (tests/fixture/fake-imapd as the tunnel) that misbehaves. After each
# fault the cache holds only complete rows and a consistent mailbox line,
# and a following sync against a well-behaved server converges to exactly
# the server's state. Cases (RFC 7162 client checklist items):
#   1-4  connection lost mid-FETCH, mid-literal, in the second of two
#        pipelined chunks; always (exit 69) or once (exit 0)  Q-67, Q-68
#   5    a malformed line in a FETCH chunk: exit 76, nothing of the chunk
#        stored, also when it follows a completed chunk
#   6    BYE during the FETCH and as the answer to STATUS: exit 69, one
#        line with the server's reason
#   7    ENABLE answered OK without "* ENABLED": CONDSTORE-only   T-4, Q-6
#   8    FETCH MODSEQs above the SELECT's HIGHESTMODSEQ, out of order: the
#        code's value is stored                         Q-66, T-18, T-20
#   9    HIGHESTMODSEQ 0 on SELECT: no QRESYNC (uv 0), no CHANGEDSINCE 0
#                                                         T-1, Q-20, Q-45
#   10   VANISHED (EARLIER) ranges up to 2^32-1        Q-54, Q-60, T-12
#   11   HIGHESTMODSEQ lower than the cached one: full flag resync  T-7
#   12   a malformed line in a QRESYNC SELECT answer: the cache unchanged
#   13   a malformed line while syncing the first of two mailboxes: the
#        second is synced all the same, exit 76 (INTERFACE.md)
#
# Each petrel run gets its own script; a one-shot sync reconnects at most
# twice after a lost connection (INTERFACE.md), and every reconnect plays
# the same script again, so a script that always fails gives three
# sessions and exit 69.
#
# The server's mailbox: INBOX, UIDVALIDITY 1234. Message N has the
# subject "Message N", From Alice <alice@example.org>, and the Date
# 2024-01-01T10:00:00Z; its flags and MODSEQ are given per script.
. "$PETREL_SRCDIR/tests/lib.sh"

command -v perl >/dev/null 2>&1 || skip "perl not found"
FAKE="$PETREL_SRCDIR/tests/fixture/fake-imapd"

# mkscript NAME < TEXT: write $TMPD/NAME.script from TEXT, a fake-imapd
# script with these macro lines:
#   @HELLO [CAPS]   PREAUTH greeting, CAPABILITY (default: IMAP4rev1
#                   ENABLE CONDSTORE QRESYNC UIDPLUS), ENABLE answered with
#                   "* ENABLED QRESYNC" (when QRESYNC is offered)
#   @LIST           LIST (INBOX only) and LSUB (nothing subscribed); petrel
#                   sends it after the STATUS of a cached mailbox
#   @LISTED         the same after the LIST command (as a WHEN matched it)
#   @MSG SEQ UID MODSEQ [FLAG...]
#                   the FETCH of a new message (ENVELOPE, BODYSTRUCTURE and
#                   the References literal), as petrel asks for it
#   @OKMSG SEQ UID MODSEQ [FLAG...]
#                   "${tag} OK FETCH completed" and the FETCH of a new
#                   message, in one write
#   @MSGS FIRST LAST MODSEQ
#                   @MSG for UIDs FIRST..LAST (SEQ = UID), no flags
#   @SEARCH FIRST LAST
#                   "* SEARCH FIRST ... LAST"
#   @END            accept LOGOUT or the end of the connection
mkscript() {
	perl -e '
	my $refs = "References: <0\@example.org>\r\n\r\n";
	# The FETCH response of a new message, up to its literal.
	sub head {
		my ($seq, $uid, $modseq, @flags) = @_;
		my $f = join(" ", @flags);
		my $ms = $modseq ? " MODSEQ ($modseq)" : "";
		return "* $seq FETCH (UID $uid FLAGS ($f)$ms"
		    . " INTERNALDATE \"01-Jan-2024 10:00:00 +0000\""
		    . " RFC822.SIZE 120 ENVELOPE (\"Mon, 1 Jan 2024 10:00:00"
		    . " +0000\" \"Message $uid\" ((\"Alice\" NIL \"alice\""
		    . " \"example.org\")) NIL NIL ((\"Bob\" NIL \"bob\""
		    . " \"example.org\")) NIL NIL NIL \"<$uid\@example.org>\")"
		    . " BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\""
		    . " \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)"
		    . " BODY[HEADER.FIELDS (REFERENCES)] ";
	}
	sub msg {
		(my $lit = $refs) =~ s/\r\n/\\r\\n/g;
		return "SLIT: " . head(@_) . "{} $lit\nS: )\n";
	}
	# The tagged OK and a message after it, in one write (so that they
	# arrive together).
	sub okmsg {
		my $bytes = "\${tag} OK FETCH completed\r\n" . head(@_)
		    . "{" . length($refs) . "}\r\n$refs)\r\n";
		$bytes =~ s/\\/\\\\/g;
		$bytes =~ s/\r/\\r/g;
		$bytes =~ s/\n/\\n/g;
		return "SX: $bytes\n";
	}
	while (my $l = <STDIN>) {
		if ($l =~ /^\s*\@HELLO\s*(.*)$/) {
			my $caps = $1 ne "" ? $1
			    : "IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS";
			print "S: * PREAUTH fake-imapd ready\n",
			    "C: (?i)\\S+ CAPABILITY\n",
			    "S: * CAPABILITY $caps\n",
			    "S: \${tag} OK CAPABILITY completed\n";
			print "C: (?i)\\S+ ENABLE QRESYNC CONDSTORE\n",
			    "S: * ENABLED QRESYNC\n",
			    "S: \${tag} OK ENABLE completed\n"
			    if $caps =~ /\bQRESYNC\b/ && $caps =~ /\bENABLE\b/;
		} elsif ($l =~ /^\s*\@(LIST|LISTED)\s*$/) {
			print "C: (?i)\\S+ LIST \"\" \"\\*\"\n" if $1 eq "LIST";
			print "S: * LIST () \"/\" INBOX\n",
			    "S: \${tag} OK LIST completed\n",
			    "C: (?i)\\S+ LSUB \"\" \"\\*\"\n",
			    "S: \${tag} OK LSUB completed\n";
		} elsif ($l =~ /^\s*\@MSG\s+(.*)$/) {
			print msg(split " ", $1);
		} elsif ($l =~ /^\s*\@OKMSG\s+(.*)$/) {
			print okmsg(split " ", $1);
		} elsif ($l =~ /^\s*\@MSGS\s+(\d+)\s+(\d+)\s+(\d+)/) {
			my ($lo, $hi, $ms) = ($1, $2, $3);
			print msg($_, $_, $ms) for $lo .. $hi;
		} elsif ($l =~ /^\s*\@SEARCH\s+(\d+)\s+(\d+)/) {
			print "S: * SEARCH ", join(" ", $1 .. $2), "\n";
		} elsif ($l =~ /^\s*\@END\s*$/) {
			print "ONE-OF\nWHEN (?i)\\S+ LOGOUT\n",
			    "S: * BYE logging out\n",
			    "S: \${tag} OK LOGOUT completed\n",
			    "WHEN-EOF\nEND\n";
		} else {
			print $l;
		}
	}' >"$TMPD/$1.script" || fail "mkscript $1"
	perl "$FAKE" --check "$TMPD/$1.script" >&2 || fail "script $1 is invalid"
}

# run_sync CACHE SCRIPT STATUS [MAILBOXES]: `petrel sync` of MAILBOXES
# (default INBOX) with the cache CACHE and the fake server playing SCRIPT;
# it must exit STATUS, and every session of the fake must have followed
# the script. The transcript is $TMPD/SCRIPT.tr.
run_sync() {
	_cfg=$TMPD/$2.cfg
	cat >"$_cfg" <<EOF
[account fake]
tunnel = perl $FAKE $TMPD/$2.script $TMPD/$2.tr
cache = $TMPD/$1.sqlite
mailboxes = ${4:-INBOX}
EOF
	: >"$TMPD/$2.tr"
	expect_exit "$3" "$PETREL" -F "$_cfg" -d "$TMPD/$2.trace" sync
	SYNC_ERR=$ERR
	perl "$FAKE" --wait "$TMPD/$2.tr" ||
		fail "$2: the fake server saw a deviation (transcript $TMPD/$2.tr)"
	CFG=$_cfg
}

# sessions SCRIPT: how many connections the fake served.
sessions() {
	grep -c '^# START ' "$TMPD/$1.tr"
}

# row UID MODSEQ FLAGS: the `ls` line of message UID.
row() {
	printf '%s\t%s\t%s\t2024-01-01T10:00:00Z\tAlice <alice@example.org>\tMessage %s\n' \
		"$1" "$2" "$3" "$1"
}

# expect_ls WHAT EXPECTED: `petrel ls INBOX` prints EXPECTED exactly.
expect_ls() {
	expect_exit 0 "$PETREL" -F "$CFG" ls INBOX
	[ "$OUT" = "$2" ] || {
		printf '%s\n' "$2" >"$TMPD/want"
		printf '%s\n' "$OUT" >"$TMPD/got"
		diff "$TMPD/want" "$TMPD/got" >&2
		fail "$1: ls INBOX differs (see the diff above)"
	}
}

# expect_mailboxes WHAT LINE: `petrel mailboxes` prints exactly LINE.
expect_mailboxes() {
	expect_exit 0 "$PETREL" -F "$CFG" mailboxes
	expect_eq "$OUT" "$2" "$1: mailboxes"
}

# expect_one_line WHAT TEXT: a failing sync says why in one line.
expect_one_line() {
	expect_lines 1 "$2" "$1: stderr"
}

# A first sync of INBOX with UIDs 1..6 (HIGHESTMODSEQ 120, UIDNEXT 7):
# SELECT (CONDSTORE) (no cached baseline, Q-46), UID SEARCH, one UID FETCH.
mkscript initial <<'EOF'
@HELLO
@LIST
C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 120] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 6
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:6 \(UID FLAGS MODSEQ .*\)
@MSG 1 1 101 \Seen
@MSG 2 2 102 \Seen
@MSG 3 3 103
@MSG 4 4 104 \Flagged
@MSG 5 5 105
@MSG 6 6 106 \Answered \Seen
S: ${tag} OK FETCH completed
@END
EOF
ROWS_A=$(row 1 101 '\Seen'; row 2 102 '\Seen'; row 3 103 ''; row 4 104 '\Flagged'
	row 5 105 ''; row 6 106 '\Answered \Seen')

# ---------------------------------------------------------------------
# 1. The connection is lost after 3 of the 6 FETCH responses of a chunk,
# in every session: exit 69 after two reconnects, and none of the chunk is
# stored: the baseline moves only at a tagged OK (Q-67, Q-68).
mkscript drop-fetch <<'EOF'
@HELLO
# The first session has no baseline; later ones resume with QRESYNC
# (the baseline of the SELECT is stored, no message is).
ONE-OF
WHEN (?i)\S+ LIST "" "\*"
	@LISTED
	C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
WHEN (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
	S: * STATUS INBOX (MESSAGES 6 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 120)
	S: ${tag} OK STATUS completed
	@LIST
	C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120\)\)
END
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 120] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 6
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:6 \(.*\)
@MSG 1 1 101 \Seen
@MSG 2 2 102 \Seen
@MSG 3 3 103
DROP
EOF
run_sync c1 drop-fetch 69
expect_eq "$(sessions drop-fetch)" 3 "drop-fetch: sessions (1 + 2 reconnects)"
expect_one_line drop-fetch "$SYNC_ERR"
expect_ls "drop-fetch" ""
expect_mailboxes "drop-fetch" "INBOX	1234	120	0	0"

# The cache above holds the baseline (UIDVALIDITY 1234, HIGHESTMODSEQ 120)
# and no message; a well-behaved server completes it: STATUS (Q-44),
# SELECT ... (QRESYNC (1234 120)) with no known UIDs (Q-46), then the
# new messages from UID 1.
mkscript resume <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 6 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 120)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120\)\)
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 120] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 6
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:6 \(UID FLAGS MODSEQ .*\)
@MSG 1 1 101 \Seen
@MSG 2 2 102 \Seen
@MSG 3 3 103
@MSG 4 4 104 \Flagged
@MSG 5 5 105
@MSG 6 6 106 \Answered \Seen
S: ${tag} OK FETCH completed
@END
EOF
run_sync c1 resume 0
expect_ls "drop-fetch, then resume" "$ROWS_A"
expect_mailboxes "drop-fetch, then resume" "INBOX	1234	120	6	3"

# ---------------------------------------------------------------------
# 2. The same loss in the first session only: the reconnect resumes from
# the stored baseline and the one run converges (exit 0).
mkscript drop-once <<'EOF'
@HELLO
ONE-OF
WHEN (?i)\S+ LIST "" "\*"
	@LISTED
	C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
	S: * 6 EXISTS
	S: * OK [UIDVALIDITY 1234] UIDs valid
	S: * OK [UIDNEXT 7] Predicted next UID
	S: * OK [HIGHESTMODSEQ 120] Highest
	S: ${tag} OK [READ-WRITE] SELECT completed
	C: (?i)\S+ UID SEARCH UID 1:\*
	@SEARCH 1 6
	S: ${tag} OK SEARCH completed
	C: (?i)\S+ UID FETCH 1:6 \(.*\)
	@MSG 1 1 101 \Seen
	@MSG 2 2 102 \Seen
	DROP
WHEN (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
	S: * STATUS INBOX (MESSAGES 6 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 120)
	S: ${tag} OK STATUS completed
	@LIST
	C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120\)\)
	S: * 6 EXISTS
	S: * OK [UIDVALIDITY 1234] UIDs valid
	S: * OK [UIDNEXT 7] Predicted next UID
	S: * OK [HIGHESTMODSEQ 120] Highest
	S: ${tag} OK [READ-WRITE] SELECT completed
	C: (?i)\S+ UID SEARCH UID 1:\*
	@SEARCH 1 6
	S: ${tag} OK SEARCH completed
	C: (?i)\S+ UID FETCH 1:6 \(.*\)
	@MSG 1 1 101 \Seen
	@MSG 2 2 102 \Seen
	@MSG 3 3 103
	@MSG 4 4 104 \Flagged
	@MSG 5 5 105
	@MSG 6 6 106 \Answered \Seen
	S: ${tag} OK FETCH completed
END
@END
EOF
run_sync c2 drop-once 0
expect_eq "$(sessions drop-once)" 2 "drop-once: sessions"
expect_ls "drop-once" "$ROWS_A"
expect_mailboxes "drop-once" "INBOX	1234	120	6	3"

# ---------------------------------------------------------------------
# 3. Lost inside the References literal of the third message (HALF): the
# two complete messages before it are not stored either (their chunk never
# completed), nothing half-parsed is.
mkscript drop-literal <<'EOF'
@HELLO
ONE-OF
WHEN (?i)\S+ LIST "" "\*"
	@LISTED
	C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
WHEN (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
	S: * STATUS INBOX (MESSAGES 6 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 120)
	S: ${tag} OK STATUS completed
	@LIST
	C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120\)\)
END
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 120] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 6
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:6 \(.*BODY\.PEEK\[HEADER\.FIELDS \(REFERENCES\)\].*\)
@MSG 1 1 101 \Seen
@MSG 2 2 102 \Seen
HALF 15
@MSG 3 3 103
EOF
run_sync c3 drop-literal 69
expect_eq "$(sessions drop-literal)" 3 "drop-literal: sessions"
grep -q '^# DROP after 15 of ' "$TMPD/drop-literal.tr" ||
	fail "drop-literal: the fake did not cut the literal"
expect_one_line drop-literal "$SYNC_ERR"
expect_ls "drop-literal" ""
expect_mailboxes "drop-literal" "INBOX	1234	120	0	0"
run_sync c3 resume 0
expect_ls "drop-literal, then resume" "$ROWS_A"

# ---------------------------------------------------------------------
# 4. 600 new messages are fetched in two chunks (1:500, 501:600); the
# connection is lost after 50 messages of the second chunk, every time.
# The first chunk stays stored with its UIDNEXT progress, so the
# reconnects (QRESYNC with the 500 known UIDs) ask only for 501:600;
# nothing of the second chunk is stored.
mkscript drop-chunk <<'EOF'
@HELLO
ONE-OF
WHEN (?i)\S+ LIST "" "\*"
	@LISTED
	C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
	S: * 600 EXISTS
	S: * OK [UIDVALIDITY 1234] UIDs valid
	S: * OK [UIDNEXT 601] Predicted next UID
	S: * OK [HIGHESTMODSEQ 700] Highest
	S: ${tag} OK [READ-WRITE] SELECT completed
	C: (?i)\S+ UID SEARCH UID 1:\*
	@SEARCH 1 600
	S: ${tag} OK SEARCH completed
	C: (?i)\S+ UID FETCH 1:500 \(.*\)
	@MSGS 1 500 650
	# The OK of 1:500 arrives with the first message of 501:600.
	@OKMSG 501 501 650
	C: (?i)\S+ UID FETCH 501:600 \(.*\)
WHEN (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
	S: * STATUS INBOX (MESSAGES 600 UIDNEXT 601 UIDVALIDITY 1234 HIGHESTMODSEQ 700)
	S: ${tag} OK STATUS completed
	@LIST
	C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 700 1:500(?: \([\d:,]+ [\d:,]+\))?\)\)
	S: * 600 EXISTS
	S: * OK [UIDVALIDITY 1234] UIDs valid
	S: * OK [UIDNEXT 601] Predicted next UID
	S: * OK [HIGHESTMODSEQ 700] Highest
	S: ${tag} OK [READ-WRITE] SELECT completed
	C: (?i)\S+ UID SEARCH UID 501:\*
	@SEARCH 501 600
	S: ${tag} OK SEARCH completed
	C: (?i)\S+ UID FETCH 501:600 \(.*\)
	@MSG 501 501 650
END
@MSGS 502 550 650
DROP
EOF
run_sync c4 drop-chunk 69
expect_eq "$(sessions drop-chunk)" 3 "drop-chunk: sessions"
ROWS_500=$(i=1; while [ $i -le 500 ]; do row $i 650 ''; i=$((i + 1)); done)
expect_ls "drop-chunk" "$ROWS_500"
expect_mailboxes "drop-chunk" "INBOX	1234	700	500	500"
mkscript drop-chunk-resume <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 600 UIDNEXT 601 UIDVALIDITY 1234 HIGHESTMODSEQ 700)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 700 1:500(?: \([\d:,]+ [\d:,]+\))?\)\)
S: * 600 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 601] Predicted next UID
S: * OK [HIGHESTMODSEQ 700] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 501:\*
@SEARCH 501 600
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 501:600 \(.*\)
@MSGS 501 600 650
S: ${tag} OK FETCH completed
@END
EOF
run_sync c4 drop-chunk-resume 0
expect_ls "drop-chunk, then resume" "$ROWS_500
$(i=501; while [ $i -le 600 ]; do row $i 650 ''; i=$((i + 1)); done)"
expect_mailboxes "drop-chunk, then resume" "INBOX	1234	700	600	600"

# ---------------------------------------------------------------------
# 5. A malformed line in the middle of a FETCH chunk (an ENVELOPE cut off
# at the end of the line): exit 76 at once (no reconnect), one line on
# stderr, and nothing of the chunk is stored (INTERFACE.md: "the cache is
# unchanged"). Then the same resume as above converges.
mkscript malformed <<'EOF'
@HELLO
@LIST
C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 120] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 6
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:6 \(.*\)
@MSG 1 1 101 \Seen
@MSG 2 2 102 \Seen
# One write: the bad line, then the rest of the chunk.
SX: * 3 FETCH (UID 3 FLAGS () MODSEQ (103) ENVELOPE ("Mon, 1 Jan 2024\r\n* 4 FETCH (UID 4 FLAGS () MODSEQ (104))\r\n${tag} OK FETCH completed\r\n
WAIT-EOF
EOF
run_sync c5 malformed 76
expect_eq "$(sessions malformed)" 1 "malformed: sessions"
expect_one_line malformed "$SYNC_ERR"
expect_ls "malformed" ""
expect_mailboxes "malformed" "INBOX	1234	120	0	0"
run_sync c5 resume 0
expect_ls "malformed, then resume" "$ROWS_A"

# The same in the second of two pipelined chunks, whose first message
# arrives together with the OK of the first chunk: the first chunk is
# stored, nothing of the second.
mkscript malformed-chunk <<'EOF'
@HELLO
@LIST
C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
S: * 600 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 601] Predicted next UID
S: * OK [HIGHESTMODSEQ 700] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 600
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:500 \(.*\)
@MSGS 1 500 650
@OKMSG 501 501 650
C: (?i)\S+ UID FETCH 501:600 \(.*\)
@MSGS 502 510 650
SX: * 511 FETCH (UID 511 FLAGS () MODSEQ (650) ENVELOPE ("Mon, 1 Jan 2024\r\n${tag} OK FETCH completed\r\n
WAIT-EOF
EOF
run_sync c6 malformed-chunk 76
expect_one_line malformed-chunk "$SYNC_ERR"
expect_ls "malformed-chunk" "$ROWS_500"
expect_mailboxes "malformed-chunk" "INBOX	1234	700	500	500"

# ---------------------------------------------------------------------
# 6. BYE in the middle of the sync: exit 69 after the reconnects, one line
# on stderr that gives the server's reason; nothing of the chunk stored.
mkscript bye <<'EOF'
@HELLO
ONE-OF
WHEN (?i)\S+ LIST "" "\*"
	@LISTED
	C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
WHEN (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
	S: * STATUS INBOX (MESSAGES 6 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 120)
	S: ${tag} OK STATUS completed
	@LIST
	C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120\)\)
END
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 120] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 6
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:6 \(.*\)
@MSG 1 1 101 \Seen
S: * BYE going down for maintenance
DROP
EOF
run_sync c7 bye 69
expect_eq "$(sessions bye)" 3 "bye: sessions"
expect_one_line bye "$SYNC_ERR"
expect_match "$SYNC_ERR" 'going down for maintenance' "bye: stderr"
expect_ls "bye" ""

# A BYE as the answer to the STATUS that precedes the SELECT: the same.
mkscript bye-status <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * BYE going down for maintenance
DROP
EOF
run_sync c7 bye-status 69
expect_eq "$(sessions bye-status)" 3 "bye-status: sessions"
expect_one_line bye-status "$SYNC_ERR"
expect_match "$SYNC_ERR" 'going down for maintenance' "bye-status: stderr"
run_sync c7 resume 0
expect_ls "bye, then resume" "$ROWS_A"

# ---------------------------------------------------------------------
# 7. ENABLE answered OK without "* ENABLED" (T-4): QRESYNC is not on
# (Q-6), so no QRESYNC select parameter and no VANISHED modifier are sent;
# the CONDSTORE-only resync (Q-75) runs instead: SELECT (CONDSTORE),
# UID FETCH 1:<max> (CHANGEDSINCE <cached>) (Q-21, Q-23), and a UID
# SEARCH for expunges. The server: UID 3 expunged, UID 5 \Flagged.
run_sync c8 initial 0
expect_ls "initial" "$ROWS_A"
expect_mailboxes "initial" "INBOX	1234	120	6	3"
mkscript no-enabled <<'EOF'
S: * PREAUTH fake-imapd ready
C: (?i)\S+ CAPABILITY
S: * CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS
S: ${tag} OK CAPABILITY completed
C: (?i)\S+ ENABLE QRESYNC CONDSTORE
S: ${tag} OK ENABLE completed
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 5 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 125)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
S: * 5 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 125] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID FETCH 1:6 \(UID FLAGS\) \(CHANGEDSINCE 120\)
S: * 4 FETCH (UID 5 FLAGS (\Flagged) MODSEQ (125))
S: ${tag} OK FETCH completed
C: (?i)\S+ UID SEARCH UID 1:6
S: * SEARCH 1 2 4 5 6
S: ${tag} OK SEARCH completed
@END
EOF
run_sync c8 no-enabled 0
grep -Eiq '^C: [^ ]+ (SELECT|EXAMINE) .*QRESYNC' "$TMPD/no-enabled.tr" &&
	fail "no-enabled: a QRESYNC select parameter without * ENABLED (Q-6)"
grep -Eiq '^C: .*VANISHED' "$TMPD/no-enabled.tr" &&
	fail "no-enabled: VANISHED modifier without * ENABLED (Q-6)"
expect_ls "no-enabled" "$(row 1 101 '\Seen'; row 2 102 '\Seen'
	row 4 104 '\Flagged'; row 5 125 '\Flagged'; row 6 106 '\Answered \Seen')"
expect_mailboxes "no-enabled" "INBOX	1234	125	5	2"

# ---------------------------------------------------------------------
# 8. A QRESYNC SELECT whose FETCH responses carry MODSEQs above the
# HIGHESTMODSEQ code, out of order (the server holds back an expunge,
# RFC 7162 §6): each message keeps its own MODSEQ, and the stored
# HIGHESTMODSEQ is the code's, 125, not 131 (Q-66 (a), Q-67, T-18, T-20).
# The next sync proves it: it must send QRESYNC (1234 125 ...), and gets
# the held-back expunge of UID 3.
run_sync c9 initial 0
mkscript modseq-order <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 6 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 125)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120 1:6(?: \([\d:,]+ [\d:,]+\))?\)\)
S: * 6 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 125] Highest
S: * 5 FETCH (UID 5 FLAGS (\Flagged) MODSEQ (131))
S: * 2 FETCH (UID 2 FLAGS () MODSEQ (127))
S: ${tag} OK [READ-WRITE] SELECT completed
@END
EOF
run_sync c9 modseq-order 0
expect_ls "modseq-order" "$(row 1 101 '\Seen'; row 2 127 ''; row 3 103 ''
	row 4 104 '\Flagged'; row 5 131 '\Flagged'; row 6 106 '\Answered \Seen')"
expect_mailboxes "modseq-order" "INBOX	1234	125	6	4"
mkscript modseq-order-next <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 5 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 132)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 125 1:6(?: \([\d:,]+ [\d:,]+\))?\)\)
S: * 5 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 132] Highest
S: * VANISHED (EARLIER) 3
S: * 4 FETCH (UID 5 FLAGS (\Flagged) MODSEQ (131))
S: * 2 FETCH (UID 2 FLAGS () MODSEQ (127))
S: ${tag} OK [READ-WRITE] SELECT completed
@END
EOF
run_sync c9 modseq-order-next 0
expect_ls "modseq-order-next" "$(row 1 101 '\Seen'; row 2 127 ''
	row 4 104 '\Flagged'; row 5 131 '\Flagged'; row 6 106 '\Answered \Seen')"
expect_mailboxes "modseq-order-next" "INBOX	1234	132	5	3"

# ---------------------------------------------------------------------
# 9. HIGHESTMODSEQ 0 on the SELECT of an empty mailbox (T-1): no usable
# baseline. The mailbox shows HIGHESTMODSEQ 0, and the next sync (two
# messages arrived) selects with (CONDSTORE) again: never QRESYNC (uv 0)
# (Q-45) nor CHANGEDSINCE 0 (Q-20), and modseqs are used again.
mkscript hms0 <<'EOF'
@HELLO
@LIST
C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
S: * 0 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 1] Predicted next UID
S: * OK [HIGHESTMODSEQ 0] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
@END
EOF
run_sync c10 hms0 0
expect_ls "hms0" ""
expect_mailboxes "hms0" "INBOX	1234	0	0	0"
mkscript hms0-next <<'EOF'
@HELLO
@LIST
C: (?i)\S+ SELECT INBOX \(CONDSTORE\)
S: * 2 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 3] Predicted next UID
S: * OK [HIGHESTMODSEQ 102] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID SEARCH UID 1:\*
@SEARCH 1 2
S: ${tag} OK SEARCH completed
C: (?i)\S+ UID FETCH 1:2 \(UID FLAGS MODSEQ .*\)
@MSG 1 1 101 \Seen
@MSG 2 2 102
S: ${tag} OK FETCH completed
@END
EOF
run_sync c10 hms0-next 0
cat "$TMPD/hms0.tr" "$TMPD/hms0-next.tr" |
	grep -Ei '^C: .*(QRESYNC \([0-9]+ 0[ )]|CHANGEDSINCE 0\))' &&
	fail "hms0: a zero mod-sequence was sent (T-1)"
expect_ls "hms0-next" "$(row 1 101 '\Seen'; row 2 102 '')"
expect_mailboxes "hms0-next" "INBOX	1234	102	2	1"

# ---------------------------------------------------------------------
# 10. VANISHED (EARLIER) ranges far beyond the cache (Q-54, Q-60, T-12,
# T-20: a minimal-state server lists every expunged UID up to 2^32-1, one
# range descending): only cached UIDs in them go, quickly.
run_sync c11 initial 0
mkscript vanished-huge <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 4 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 130)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120 1:6(?: \([\d:,]+ [\d:,]+\))?\)\)
S: * 4 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 130] Highest
S: * VANISHED (EARLIER) 3:4,4294967295:7
S: * VANISHED (EARLIER) 100000:3000000000
S: * 3 FETCH (UID 5 FLAGS (\Seen) MODSEQ (130))
S: ${tag} OK [READ-WRITE] SELECT completed
@END
EOF
start=$(date +%s)
run_sync c11 vanished-huge 0
[ $(($(date +%s) - start)) -le 10 ] || fail "vanished-huge: too slow (Q-60)"
expect_ls "vanished-huge" "$(row 1 101 '\Seen'; row 2 102 '\Seen'
	row 5 130 '\Seen'; row 6 106 '\Answered \Seen')"
expect_mailboxes "vanished-huge" "INBOX	1234	130	4	0"

# ---------------------------------------------------------------------
# 11. HIGHESTMODSEQ went down under the same UIDVALIDITY (a server restored
# from a backup, T-7): the QRESYNC answer cannot be trusted, so every flag
# is fetched and compared (UID 4 is gone, all flags changed), and the new,
# lower value is adopted; the next sync uses it.
run_sync c12 initial 0
mkscript hms-down <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 5 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 110)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120 1:6(?: \([\d:,]+ [\d:,]+\))?\)\)
S: * 5 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 110] Highest
S: ${tag} OK [READ-WRITE] SELECT completed
C: (?i)\S+ UID FETCH 1:6 \(UID FLAGS MODSEQ\)
S: * 1 FETCH (UID 1 FLAGS () MODSEQ (91))
S: * 2 FETCH (UID 2 FLAGS (\Seen \Flagged) MODSEQ (92))
S: * 3 FETCH (UID 3 FLAGS (\Seen) MODSEQ (93))
S: * 4 FETCH (UID 5 FLAGS (\Draft) MODSEQ (95))
S: * 5 FETCH (UID 6 FLAGS ($Junk) MODSEQ (110))
S: ${tag} OK FETCH completed
@END
EOF
run_sync c12 hms-down 0
expect_ls "hms-down" "$(row 1 91 ''; row 2 92 '\Flagged \Seen'; row 3 93 '\Seen'
	row 5 95 '\Draft'; row 6 110 '$Junk')"
expect_mailboxes "hms-down" "INBOX	1234	110	5	3"

# ---------------------------------------------------------------------
# 12. A malformed line in a QRESYNC SELECT answer, after a VANISHED
# (EARLIER) and a FETCH: exit 76 and the cache is exactly as before
# (neither the expunge nor the flag change nor a new baseline is stored).
run_sync c13 initial 0
mkscript malformed-select <<'EOF'
@HELLO
C: (?i)\S+ STATUS INBOX \(UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ\)
S: * STATUS INBOX (MESSAGES 5 UIDNEXT 7 UIDVALIDITY 1234 HIGHESTMODSEQ 130)
S: ${tag} OK STATUS completed
@LIST
C: (?i)\S+ SELECT INBOX \(QRESYNC \(1234 120 1:6(?: \([\d:,]+ [\d:,]+\))?\)\)
S: * 5 EXISTS
S: * OK [UIDVALIDITY 1234] UIDs valid
S: * OK [UIDNEXT 7] Predicted next UID
S: * OK [HIGHESTMODSEQ 130] Highest
S: * VANISHED (EARLIER) 2
SX: * 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ (130))\r\n* 2 FETCH (UID 3 FLAGS (\\Seen MODSEQ (129))\r\n${tag} OK [READ-WRITE] SELECT completed\r\n
WAIT-EOF
EOF
run_sync c13 malformed-select 76
expect_one_line malformed-select "$SYNC_ERR"
expect_ls "malformed-select" "$ROWS_A"
expect_mailboxes "malformed-select" "INBOX	1234	120	6	3"

# ---------------------------------------------------------------------
# 13. Two mailboxes; INBOX's FETCH answer is malformed. The sync goes on
# with Work on a new connection and exits with INBOX's status, 76.
mkscript two-mailboxes <<'EOF'
S: * PREAUTH fake-imapd ready
C: (?i)\S+ CAPABILITY
S: * CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS
S: ${tag} OK CAPABILITY completed
C: (?i)\S+ ENABLE QRESYNC CONDSTORE
S: * ENABLED QRESYNC
S: ${tag} OK ENABLE completed
C: (?i)\S+ LIST "" "\*"
S: * LIST () "/" INBOX
S: * LIST () "/" Work
S: ${tag} OK LIST completed
C: (?i)\S+ LSUB "" "\*"
S: ${tag} OK LSUB completed
ONE-OF
WHEN (?i)\S+ SELECT INBOX \(CONDSTORE\)
	S: * 1 EXISTS
	S: * OK [UIDVALIDITY 1234] UIDs valid
	S: * OK [UIDNEXT 2] Predicted next UID
	S: * OK [HIGHESTMODSEQ 120] Highest
	S: ${tag} OK [READ-WRITE] SELECT completed
	C: (?i)\S+ UID SEARCH UID 1:\*
	S: * SEARCH 1
	S: ${tag} OK SEARCH completed
	C: (?i)\S+ UID FETCH 1 \(.*\)
	SX: * 1 FETCH (UID 1 ENVELOPE (\r\n
	WAIT-EOF
WHEN (?i)\S+ SELECT Work \(CONDSTORE\)
	S: * 1 EXISTS
	S: * OK [UIDVALIDITY 99] UIDs valid
	S: * OK [UIDNEXT 2] Predicted next UID
	S: * OK [HIGHESTMODSEQ 120] Highest
	S: ${tag} OK [READ-WRITE] SELECT completed
	C: (?i)\S+ UID SEARCH UID 1:\*
	S: * SEARCH 1
	S: ${tag} OK SEARCH completed
	C: (?i)\S+ UID FETCH 1 \(.*\)
	@MSG 1 1 101 \Seen
	S: ${tag} OK FETCH completed
	@END
END
EOF
run_sync c14 two-mailboxes 76 "INBOX Work"
expect_eq "$(sessions two-mailboxes)" 2 "two-mailboxes: sessions"
expect_one_line two-mailboxes "$SYNC_ERR"
expect_mailboxes "two-mailboxes" "INBOX	1234	120	0	0
Work	99	120	1	0"
expect_exit 0 "$PETREL" -F "$CFG" ls Work
expect_eq "$OUT" "$(row 1 101 '\Seen')" "two-mailboxes: ls Work"
pass
