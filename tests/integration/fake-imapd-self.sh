# fake-imapd-self.sh: the scripted fake IMAP server (tests/fixture/fake-imapd)
# does what tests/fixture/fake-imapd.md promises. A small Perl client plays
# a list of steps against it through pipes, the way petrel's tunnel would.
. "$PETREL_SRCDIR/tests/lib.sh"

command -v perl >/dev/null 2>&1 || skip "perl not found"
FAKE="$PETREL_SRCDIR/tests/fixture/fake-imapd"
DATA="$PETREL_SRCDIR/tests/data/fake"

# drive.pl FAKE SCRIPT TRANSCRIPT STEPS: run FAKE on SCRIPT, play STEPS.
# Steps, one a line (TEXT takes \r \n \t \\ \xHH escapes):
#   > TEXT       send TEXT and CRLF         >> TEXT     send TEXT only
#   < REGEX      read one line (CRLF removed); it must match REGEX whole
#   <rest TEXT   read to EOF; the bytes must be exactly TEXT
#   <eof         the server closed its output
#   close        close our output (the server sees EOF)
#   exit N       the server must exit with status N
cat >"$TMPD/drive.pl" <<'EOF'
use strict;
use warnings;
use IPC::Open2;
my ($fake, $script, $transcript, $steps) = @ARGV;
$SIG{PIPE} = 'IGNORE';
$SIG{ALRM} = sub { die "timeout\n" };
alarm(20);
my $pid = open2(my $from, my $to, 'perl', $fake, $script, $transcript);
binmode($from);
binmode($to);
my $buf = '';
my $n = 0;
sub unesc {
	my ($s) = @_;
	$s =~ s/\\(x[0-9a-fA-F]{2}|[rnt\\])/my $e = $1;
	    $e eq 'r' ? "\r" : $e eq 'n' ? "\n" : $e eq 't' ? "\t"
	    : $e eq '\\' ? '\\' : chr(hex(substr($e, 1)))/ge;
	return $s;
}
sub bad { print STDERR "drive: step $n: @_\n"; kill('TERM', $pid); exit 1 }
sub more {
	my $r = sysread($from, $buf, 65536, length $buf);
	bad("read: $!") unless defined $r;
	return $r;
}
sub put {
	my ($s) = @_;
	syswrite($to, $s) == length $s or bad("write: $!");
}
open(my $fh, '<', $steps) or die "$steps: $!";
while (my $step = <$fh>) {
	$n++;
	chomp $step;
	next if $step =~ /^\s*(?:#|\z)/;
	if ($step =~ /^> (.*)\z/) {
		put(unesc($1) . "\r\n");
	} elsif ($step =~ /^>> (.*)\z/) {
		put(unesc($1));
	} elsif ($step =~ /^<rest (.*)\z/) {
		my $want = unesc($1);
		1 while more();
		$buf eq $want or bad("got \"$buf\" before EOF, expected \"$want\"");
		$buf = '';
	} elsif ($step eq '<eof') {
		more() and bad("expected EOF, got \"$buf\"");
		$buf eq '' or bad("unread bytes before EOF: \"$buf\"");
	} elsif ($step =~ /^< ?(.*)\z/) {
		my $re = $1;
		while (index($buf, "\r\n") < 0) {
			more() or bad("EOF, expected /$re/; got \"$buf\"");
		}
		my $line = substr($buf, 0, index($buf, "\r\n") + 2, '');
		$line =~ s/\r\n\z//;
		$line =~ /\A(?:$re)\z/ or bad("got \"$line\", expected /$re/");
	} elsif ($step eq 'close') {
		close($to);
	} elsif ($step =~ /^exit (\d+)\z/) {
		waitpid($pid, 0);
		my $rc = $? >> 8;
		$rc == $1 or bad("fake-imapd exited $rc, expected $1");
	} else {
		bad("bad step: $step");
	}
}
EOF

# play NAME SCRIPT: play $TMPD/NAME.steps against SCRIPT; the transcript
# goes to $TMPD/NAME.tr ($TR) and the server's stderr to $ERR.
play() {
	TR="$TMPD/$1.tr"
	perl "$TMPD/drive.pl" "$FAKE" "$2" "$TR" "$TMPD/$1.steps" \
		2>"$TMPD/$1.err"
	_rc=$?
	ERR=$(cat "$TMPD/$1.err")
	[ "$_rc" -eq 0 ] || fail "$1: $ERR"
}

# transcript: $TR without the START line (it holds a process id).
transcript() { grep -v '^# START ' "$TR"; }

# --- Greeting, ${tag}, captures, literals both ways, transcript ----------
cat >"$TMPD/basic.script" <<'EOF'
# Greeting, then tag and capture substitution.
S: * PREAUTH ready
C: \S+ CAPABILITY
S: * CAPABILITY IMAP4rev1
S: ${tag} OK done
C: \S+ SELECT (\S+) \((?<param>\w+)\)
S: ${tag} OK selected ${1} with ${param}, costs $$5 $${x}
# A synchronizing literal gets the continuation, a non-synchronizing one
# does not; the regex sees the literal bytes inline.
C: \S+ LOGIN \{5\}\r\nalice \{6\+\}\r\nsecret
S: ${tag} OK logged in
C: \S+ APPEND INBOX \{12\}\r\nSubject: x\r\n
S: ${tag} OK appended
# IDLE's DONE has one word: ${tag} stays the IDLE command's.
C: \S+ IDLE
S: + idling
C: DONE
S: ${tag} OK IDLE done
SLIT: * 1 FETCH (UID 7 BODY[] {} <<EOT
Subject: hi

body
EOT
S: )
SLIT: * 2 FETCH (UID 8 BODY[HEADER] {} X: \x00\\\r\n
S: )
SX: * 3 bare\n
S: ${tag} OK fetched
EOF
cat >"$TMPD/basic.steps" <<'EOF'
< \* PREAUTH ready
> a1 CAPABILITY
< \* CAPABILITY IMAP4rev1
< a1 OK done
> a2 SELECT INBOX (QRESYNC)
< a2 OK selected INBOX with QRESYNC, costs \$\$5 \$\{x\}
> a3 LOGIN {5}
< \+ OK
> alice {6+}
> secret
< a3 OK logged in
> a4 APPEND INBOX {12}
< \+ OK
>> Subject: x\r\n\r\n
< a4 OK appended
> a5 IDLE
< \+ idling
> DONE
< a5 OK IDLE done
< \* 1 FETCH \(UID 7 BODY\[\] \{21\}
< Subject: hi
<
< body
< \)
< \* 2 FETCH \(UID 8 BODY\[HEADER\] \{7\}
close
<rest X: \x00\\\r\n)\r\n* 3 bare\na5 OK fetched\r\n
exit 0
EOF
play basic "$TMPD/basic.script"
cat >"$TMPD/want" <<'EOF'
S: * PREAUTH ready
C: a1 CAPABILITY
S: * CAPABILITY IMAP4rev1
S: a1 OK done
C: a2 SELECT INBOX (QRESYNC)
S: a2 OK selected INBOX with QRESYNC, costs $$5 ${x}
C: a3 LOGIN {5}
S: + OK
C: alice {6+}
C: secret
S: a3 OK logged in
C: a4 APPEND INBOX {12}
S: + OK
C: Subject: x\r\n
S: a4 OK appended
C: a5 IDLE
S: + idling
C: DONE
S: a5 OK IDLE done
S: * 1 FETCH (UID 7 BODY[] {21}\r\nSubject: hi\r\n\r\nbody\r\n
S: )
S: * 2 FETCH (UID 8 BODY[HEADER] {7}\r\nX: \x00\\r\n
S: )
S: * 3 bare\n
S: a5 OK fetched
# EOF
# END ok
EOF
expect_eq "$(transcript)" "$(cat "$TMPD/want")" "basic transcript"
expect_lines 1 "$(grep '^# START .*basic.script pid [0-9]' "$TR")" "START line"
perl "$FAKE" --wait "$TR" 1 || fail "--wait on a good session exited $?"

# --- A mismatch: diagnostic on stderr and in the transcript, BYE, exit 1 --
cat >"$TMPD/mismatch.script" <<'EOF'
S: * OK ready
C: \S+ NOOP
S: ${tag} OK
EOF
cat >"$TMPD/mismatch.steps" <<'EOF'
< \* OK ready
> a1 FOO bar
< \* BYE fake-imapd: script failed at line 2
<eof
exit 1
EOF
play mismatch "$TMPD/mismatch.script"
expect_match "$ERR" \
	'^fake-imapd: .*/mismatch\.script:2: client sent "a1 FOO bar" but the script expects /\\S\+ NOOP/$' \
	"mismatch diagnostic"
expect_match "$(transcript)" \
	'^# ERROR .*mismatch\.script:2: client sent "a1 FOO bar"' \
	"mismatch in the transcript"
expect_match "$(tail -n 1 "$TR")" '^# END fail exit=1: ' "mismatch END line"
expect_exit 1 perl "$FAKE" --wait "$TR" 1
expect_match "$ERR" 'client sent "a1 FOO bar"' "--wait names the failure"

# --- The client closes while the script expects a command: exit 1 --------
cat >"$TMPD/early-eof.steps" <<'EOF'
< \* OK ready
close
< \* BYE fake-imapd: script failed at line 2
<eof
exit 1
EOF
play early-eof "$TMPD/mismatch.script"
expect_match "$ERR" \
	'mismatch\.script:2: client closed the connection; script expected /\\S\+ NOOP/' \
	"EOF diagnostic"

# --- Input after the end of the script: BYE script ended, exit 1 ----------
cat >"$TMPD/after-end.steps" <<'EOF'
< \* OK ready
> a1 NOOP
< a1 OK
> a2 LOGOUT
< \* BYE script ended
<eof
exit 1
EOF
play after-end "$TMPD/mismatch.script"
expect_match "$ERR" 'client sent "a2 LOGOUT" after the end of the script' \
	"after-end diagnostic"

# --- A client that never sends: timeout, exit 3 ---------------------------
printf 'OPTION timeout 0.3\nS: * OK ready\nC: \\S+ NOOP\n' >"$TMPD/slow.script"
cat >"$TMPD/slow.steps" <<'EOF'
< \* OK ready
< \* BYE fake-imapd: script failed at line 3
<eof
exit 3
EOF
play slow "$TMPD/slow.script"
expect_match "$ERR" \
	'slow\.script:3: timeout after 0\.3s waiting for /\\S\+ NOOP/' \
	"timeout diagnostic"

# --- DROP mid-literal: exactly the partial bytes, then EOF ----------------
cat >"$TMPD/drop.script" <<'EOF'
S: * PREAUTH ready
SLIT: * 1 FETCH (UID 1 BODY[] {30} abc
DROP
EOF
cat >"$TMPD/drop.steps" <<'EOF'
< \* PREAUTH ready
< \* 1 FETCH \(UID 1 BODY\[\] \{30\}
<rest abc
exit 0
EOF
play drop "$TMPD/drop.script"
expect_eq "$(tail -n 3 "$TR")" "$(printf '%s\n' \
	'S: * 1 FETCH (UID 1 BODY[] {30}\r\nabc' '# DROP' '# END ok')" \
	"DROP transcript"

# HALF cuts an ordinary line too.
printf 'S: * PREAUTH ready\nHALF 5\nS: * 1 FETCH (FLAGS (\\Seen))\n' \
	>"$TMPD/half.script"
printf '< \\* PREAUTH ready\n<rest * 1 F\nexit 0\n' >"$TMPD/half.steps"
play half "$TMPD/half.script"
expect_match "$(transcript)" '^# DROP after 5 of 27 bytes$' "HALF transcript"

# --- Blocks: ALL-OF in any order, REPEAT, LOOP/BREAK, ONE-OF, WHEN-EOF ----
cat >"$TMPD/blocks.script" <<'EOF'
OPTION nocase
S: * PREAUTH ready
ALL-OF
  WHEN \S+ list .*
    S: ${tag} OK list
  WHEN \S+ status (\S+) .*
    S: * STATUS ${1} (MESSAGES 1)
    S: ${tag} OK status
END
REPEAT 2
  C: \S+ noop
  S: ${tag} OK noop
END
LOOP
  ONE-OF
    WHEN \S+ CHECK
      S: ${tag} OK check
    WHEN \S+ SELECT INBOX
      S: ${tag} OK selected
      BREAK
  END
END
SLEEP 20
LOG after the loop
ONE-OF
  WHEN \S+ LOGOUT
    S: ${tag} OK bye
  WHEN-EOF
END
EOF
cat >"$TMPD/blocks.steps" <<'EOF'
< \* PREAUTH ready
> a1 STATUS Work (MESSAGES)
> a2 LIST "" *
< \* STATUS Work \(MESSAGES 1\)
< a1 OK status
< a2 OK list
> a3 NOOP
> a4 noop
< a3 OK noop
< a4 OK noop
> a5 CHECK
< a5 OK check
> a6 CHECK
< a6 OK check
> a7 select inbox
< a7 OK selected
close
<eof
exit 0
EOF
play blocks "$TMPD/blocks.script"
expect_eq "$(tail -n 3 "$TR")" "$(printf '%s\n' '# after the loop' '# EOF' \
	'# END ok')" "blocks transcript"

# WAIT-EOF ignores (and records) what the client still sends.
printf 'S: * BYE shutting down\nWAIT-EOF\n' >"$TMPD/wait.script"
printf '< \\* BYE shutting down\n> a1 LOGOUT\nclose\n<eof\nexit 0\n' \
	>"$TMPD/wait.steps"
play wait "$TMPD/wait.script"
expect_match "$(transcript)" '^# ignored while waiting for EOF$' "WAIT-EOF"

# --- Line ends: a bare LF fails unless OPTION lax-eol ---------------------
printf '< \\* OK ready\n>> a1 NOOP\\n\n< \\* BYE .*\n<eof\nexit 1\n' \
	>"$TMPD/lf.steps"
play lf "$TMPD/mismatch.script"
expect_match "$ERR" 'mismatch\.script:2: client line ends in a bare LF: a1 NOOP\\n$' \
	"bare LF diagnostic"
printf '%s\n' 'OPTION lax-eol' 'OPTION continuation + go on' 'S: * OK ready' \
	'C: \S+ NOOP \{3\}\r\nabc' 'S: ${tag} OK' >"$TMPD/lax.script"
printf '%s\n' '< \* OK ready' '>> a1 NOOP {3}\n' '< \+ go on' '>> abc\n' \
	'< a1 OK' close '<eof' 'exit 0' >"$TMPD/lax.steps"
play lax "$TMPD/lax.script"

# --- Script errors: exit 2 with file and line -----------------------------
check_bad() { # PRINTF-TEXT ERE
	printf "$1" >"$TMPD/bad.script"
	expect_exit 2 perl "$FAKE" --check "$TMPD/bad.script"
	expect_match "$ERR" "^fake-imapd: .*/bad\\.script:$2" "--check: $1"
}
check_bad 'S: x\nFROB\n' '2: unknown directive .FROB.'
check_bad 'LOOP\nC: x\n' '1: LOOP has no END'
check_bad 'ONE-OF\nS: x\nEND\n' '1: ONE-OF must be followed by WHEN'
check_bad 'ALL-OF\nWHEN x\nWHEN-EOF\nEND\n' '3: WHEN-EOF is only allowed in ONE-OF'
check_bad 'HALF 3\nC: x\n' '2: HALF must be followed by'
check_bad 'C: (x\n' '1: bad regex'
check_bad 'SX: a\\qb\n' '1: bad escape \\q'
check_bad 'BREAK\n' '1: BREAK outside LOOP'
check_bad 'S: x\nOPTION nocase\n' '2: OPTION must come before'
check_bad 'SLIT: x\n' '1: SLIT: needs'
check_bad 'SLIT: {} <<EOT\nabc\n' '1: heredoc <<EOT has no closing EOT'
expect_exit 0 perl "$FAKE" --check "$DATA"/*.script
expect_exit 2 perl "$FAKE"
expect_exit 3 perl "$FAKE" --wait "$TMPD/none" 0.1

# --- The example scripts play as documented --------------------------------
cat >"$TMPD/qresync.steps" <<'EOF'
< \* PREAUTH .*
> a1 CAPABILITY
< \* CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS
< a1 OK .*
> a2 ENABLE QRESYNC
< \* ENABLED QRESYNC
< a2 OK .*
> a3 SELECT INBOX (QRESYNC (1234 100 1:10))
< \* 7 EXISTS
< \* OK \[UIDVALIDITY 1234\].*
< \* OK \[UIDNEXT 11\].*
< \* OK \[HIGHESTMODSEQ 120\].*
< \* FLAGS .*
< \* OK \[PERMANENTFLAGS .*
< \* VANISHED \(EARLIER\) 3,5:6
< \* 1 FETCH \(UID 1 FLAGS \(\\Seen\) MODSEQ \(110\)\)
< \* 6 FETCH \(UID 9 FLAGS \(\\Answered \$Forwarded\) MODSEQ \(118\)\)
< \* 7 FETCH \(UID 10 FLAGS \(\) MODSEQ \(120\)\)
< a3 OK \[READ-WRITE\] .*
> a4 LOGOUT
< \* BYE .*
< a4 OK .*
close
<eof
exit 0
EOF
play qresync "$DATA/qresync-basic.script"
# T-1: the script refuses a QRESYNC select with modseq 0.
cat >"$TMPD/qresync0.steps" <<'EOF'
< \* PREAUTH .*
> a1 CAPABILITY
< \* CAPABILITY .*
< a1 OK .*
> a2 ENABLE QRESYNC
< \* ENABLED QRESYNC
< a2 OK .*
> a3 SELECT INBOX (QRESYNC (1234 0))
< \* BYE fake-imapd: script failed at line .*
<eof
exit 1
EOF
play qresync0 "$DATA/qresync-basic.script"

cat >"$TMPD/modified.steps" <<'EOF'
< \* PREAUTH .*
> a1 CAPABILITY
< \* CAPABILITY .*
< a1 OK .*
> a2 SELECT INBOX (CONDSTORE)
< \* 10 EXISTS
< \* OK \[UIDVALIDITY 1234\].*
< \* OK \[UIDNEXT 11\].*
< \* OK \[HIGHESTMODSEQ 200\].*
< \* FLAGS .*
< a2 OK .*
> a3 UID STORE 5,7,9 (UNCHANGEDSINCE 150) +FLAGS.SILENT (\\Seen)
< \* 5 FETCH \(UID 5 MODSEQ \(201\) FLAGS \(\\Seen\)\)
< \* 7 FETCH \(UID 7 MODSEQ \(190\) FLAGS \(\\Flagged\)\)
< \* 9 FETCH \(UID 9 MODSEQ \(195\) FLAGS \(\\Answered\)\)
< a3 OK \[MODIFIED 7,9\] .*
close
<eof
exit 0
EOF
play modified "$DATA/modified-partial.script"

cat >"$TMPD/dropmid.steps" <<'EOF'
< \* PREAUTH .*
> a1 CAPABILITY
< \* CAPABILITY IMAP4rev1 UIDPLUS
< a1 OK .*
> a2 EXAMINE INBOX
< \* 3 EXISTS
< \* OK \[UIDVALIDITY 1234\].*
< \* OK \[UIDNEXT 4\].*
< \* FLAGS .*
< a2 OK .*
> a3 UID FETCH 2 (UID BODY.PEEK[])
< \* 2 FETCH \(UID 2 BODY\[\] \{154\}
<rest From: Alice <alice@example.org>\r\nTo: Bob
exit 0
EOF
play dropmid "$DATA/drop-mid-literal.script"
expect_match "$(transcript)" '^# DROP after 40 of 154 bytes$' "mid-literal DROP"

cat >"$TMPD/noext.steps" <<'EOF'
< \* OK fake-imapd IMAP4rev1 ready
> a1 CAPABILITY
< \* CAPABILITY IMAP4rev1 AUTH=PLAIN
< a1 OK .*
> a2 LOGIN {8}
< \+ OK
> testuser "secret"
< a2 OK LOGIN completed
> a3 SELECT INBOX
< \* 2 EXISTS
< \* 0 RECENT
< \* OK \[UIDVALIDITY 42\].*
< \* OK \[UIDNEXT 3\].*
< \* FLAGS .*
< \* OK \[PERMANENTFLAGS .*
< a3 OK .*
> a4 LIST "" "*"
< \* LIST \(\\HasNoChildren\) "/" INBOX
< a4 OK .*
> a5 UID FETCH 1:* (UID FLAGS)
< \* 1 FETCH \(UID 1 FLAGS \(\\Seen\)\)
< \* 2 FETCH \(UID 2 FLAGS \(\)\)
< a5 OK .*
> a6 LOGOUT
< \* BYE .*
< a6 OK .*
close
<eof
exit 0
EOF
play noext "$DATA/no-extensions.script"
# Q-8 and friends: a CONDSTORE select parameter is a mismatch here.
cat >"$TMPD/noext-condstore.steps" <<'EOF'
< \* OK .*
> a1 CAPABILITY
< \* CAPABILITY .*
< a1 OK .*
> a2 LOGIN testuser secret
< a2 OK .*
> a3 SELECT INBOX (CONDSTORE)
< \* BYE fake-imapd: script failed at line .*
<eof
exit 1
EOF
play noext-condstore "$DATA/no-extensions.script"
pass
