# fixture-dovecot.sh: the real-Dovecot test bench (tests/fixture/dovecot.sh)
# works: PREAUTH tunnel with CONDSTORE/QRESYNC, implicit TLS and STARTTLS
# with certificate checks, seeding, the server's truth, changes from
# another device, capability variants, and cleanup of every process.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

command -v openssl >/dev/null || skip "openssl not found"

# has_cap CAPS WORD: WORD is one of the space-separated CAPS.
has_cap() {
	case " $1 " in *" $2 "*) return 0 ;; esac
	return 1
}

# caps_of OUTPUT: the last untagged CAPABILITY list in OUTPUT.
caps_of() {
	printf '%s\n' "$1" | sed -n 's/^\* CAPABILITY //p' | tail -n 1
}

# child SCRIPT: run SCRIPT in a fresh test process (own $TMPD, own exit
# trap) with lib.sh and the fixture loaded.
child() {
	sh -c ". \"\$PETREL_SRCDIR/tests/lib.sh\"
. \"\$PETREL_SRCDIR/tests/fixture/dovecot.sh\"
$1"
}

# all_gone PIDS WHAT: none of PIDS is a live Dovecot process.
all_gone() {
	for p in $1; do
		_dove_alive "$p" && fail "$2: dovecot process $p is still running"
	done
	return 0
}

t0=$(date +%s%N)
dovecot_start --tls
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 3000 ] ||
	fail "dovecot_start took $(((t1 - t0) / 1000000)) ms"
for v in DOVE_DIR DOVE_CONF DOVE_USER DOVE_PASS DOVE_TUNNEL DOVE_CA \
	DOVE_BAD_CA DOVE_PORT_IMAP DOVE_PORT_IMAPS DOVE_PID; do
	eval "[ -n \"\${$v:-}\" ]" || fail "$v is not set"
done
[ "$DOVE_PORT_IMAP" != "$DOVE_PORT_IMAPS" ] || fail "one port for both listeners"

# The config is self-contained: nothing from /etc, everything under DOVE_DIR.
grep -v '^#' "$DOVE_CONF" | grep -q '/etc\|!include' && fail "config refers to /etc or includes"
for k in base_dir state_dir log_path mail_location; do
	expect_match "$(grep "^$k = " "$DOVE_CONF")" " = (maildir:)?$DOVE_DIR/" "$k"
done

# ---- PREAUTH tunnel: CONDSTORE and QRESYNC advertised, ENABLE QRESYNC works.
out=$(dovecot_imap_session 'a CAPABILITY' 'b ENABLE QRESYNC')
expect_match "$out" '^\* PREAUTH ' "tunnel greeting"
caps=$(caps_of "$out")
for c in IMAP4rev1 ENABLE CONDSTORE QRESYNC UIDPLUS; do
	has_cap "$caps" "$c" || fail "tunnel CAPABILITY lacks $c: $caps"
done
expect_match "$out" '^\* ENABLED QRESYNC$' "ENABLE QRESYNC"
expect_match "$out" '^b OK ' "ENABLE QRESYNC tagged OK"
expect_match "$out" '^ZZ OK ' "LOGOUT"
expect_match "$(dovecot_client_sent)" '^b ENABLE QRESYNC$' "dovecot_client_sent"

# The tunnel also works when its stdin/stdout are a socket (as root, the
# imap binary refuses a socket on stdout unless it runs as the mail user).
out=$(perl -MSocket -e '
	socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die "socketpair: $!";
	my $pid = fork // die;
	if (!$pid) {
		close $a;
		open(STDIN, "<&", $b) && open(STDOUT, ">&", $b) or die;
		exec "/bin/sh", "-c", $ARGV[0] or die;
	}
	close $b;
	syswrite $a, "a NOOP\r\nb LOGOUT\r\n";
	print while <$a>;
	waitpid $pid, 0;' "$DOVE_TUNNEL" | tr -d '\r')
expect_match "$out" '^\* PREAUTH ' "tunnel over a socket"
expect_match "$out" '^b OK ' "tunnel over a socket: LOGOUT"

# ---- Implicit TLS: verifies against DOVE_CA for localhost, LOGIN works.
out=$(dovecot_tls_session implicit "a LOGIN $DOVE_USER $DOVE_PASS" 'b CAPABILITY')
expect_match "$out" '^a OK ' "LOGIN over implicit TLS"
caps=$(caps_of "$out")
has_cap "$caps" CONDSTORE && has_cap "$caps" QRESYNC ||
	fail "post-login CAPABILITY lacks CONDSTORE/QRESYNC: $caps"
out=$(dovecot_tls_session implicit "a LOGIN $DOVE_USER wrong-password")
expect_match "$out" '^a NO ' "LOGIN with a wrong password"
out=$(dovecot_tls_session implicit "a AUTHENTICATE PLAIN $(printf '\0%s\0%s' "$DOVE_USER" "$DOVE_PASS" | openssl base64 -A)")
expect_match "$out" '^a OK ' "AUTHENTICATE PLAIN"

# ---- STARTTLS on the plain port.
out=$(perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new("127.0.0.1:$ARGV[0]") or die "connect: $!";
	print $s "a CAPABILITY\r\nb LOGOUT\r\n";
	print while <$s>;' "$DOVE_PORT_IMAP" | tr -d '\r')
expect_match "$out" '^\* OK .*STARTTLS' "plain port greeting offers STARTTLS"
out=$(dovecot_tls_session starttls "a LOGIN $DOVE_USER $DOVE_PASS" 'b ENABLE QRESYNC')
expect_match "$out" '^a OK ' "LOGIN after STARTTLS"
expect_match "$out" '^\* ENABLED QRESYNC$' "ENABLE QRESYNC after STARTTLS"

# ---- Certificate checks: the good CA verifies both names, the bad CA and a
# name not in the certificate fail.
verify() { # CAFILE HOST-TO-VERIFY ADDRESS [s_client options]
	_ca=$1 _name=$2 _addr=$3
	shift 3
	echo 'a LOGOUT' | openssl s_client -quiet -connect "$_addr" -CAfile "$_ca" \
		-verify_return_error "$@" >"$TMPD/sc.out" 2>"$TMPD/sc.err" &&
		grep -q '^a OK ' "$TMPD/sc.out"
}
verify "$DOVE_CA" localhost "127.0.0.1:$DOVE_PORT_IMAPS" -verify_hostname localhost ||
	fail "good CA, localhost: $(cat "$TMPD/sc.err")"
verify "$DOVE_CA" 127.0.0.1 "127.0.0.1:$DOVE_PORT_IMAPS" -verify_ip 127.0.0.1 ||
	fail "good CA, 127.0.0.1: $(cat "$TMPD/sc.err")"
verify "$DOVE_CA" localhost "127.0.0.1:$DOVE_PORT_IMAP" -starttls imap \
	-verify_hostname localhost || fail "good CA, STARTTLS: $(cat "$TMPD/sc.err")"
verify "$DOVE_BAD_CA" localhost "127.0.0.1:$DOVE_PORT_IMAPS" -verify_hostname localhost &&
	fail "the untrusted CA verified the server"
grep -qi 'verify' "$TMPD/sc.err" || fail "bad CA: no verify error: $(cat "$TMPD/sc.err")"
verify "$DOVE_BAD_CA" localhost "127.0.0.1:$DOVE_PORT_IMAP" -starttls imap \
	-verify_hostname localhost && fail "the untrusted CA verified STARTTLS"
if [ -n "$DOVE_WRONG_HOST" ]; then
	verify "$DOVE_CA" "$DOVE_WRONG_HOST" "$DOVE_WRONG_HOST:$DOVE_PORT_IMAPS" \
		-verify_ip "$DOVE_WRONG_HOST" && fail "$DOVE_WRONG_HOST verified"
fi

# ---- Seeding: truth and status agree; content is varied and deterministic.
dovecot_seed INBOX 50 3
truth=$(dovecot_truth INBOX)
expect_lines 50 "$truth" "dovecot_truth after seeding 50"
expect_match "$truth" '^1	[0-9]+	' "truth line format"
printf '%s\n' "$truth" | grep -q 'Recent' && fail "truth shows \\Recent"
printf '%s\n' "$truth" | cut -f1 | sort -n -c || fail "truth not sorted by UID"
printf '%s\n' "$truth" | awk -F'\t' '{ n = split($3, f, " ");
	for (i = 2; i <= n; i++) if (f[i - 1] >= f[i]) exit 1 }' ||
	fail "flags not sorted by byte value: $truth"
st=$(dovecot_status INBOX)
expect_match "$st" '^[0-9]+	[0-9]+	50	[0-9]+$' "dovecot_status after seeding"
unseen=$(printf '%s\n' "$truth" | grep -vc '\\Seen')
expect_eq "$(printf '%s\n' "$st" | cut -f4)" "$unseen" "UNSEEN vs truth"
maxmod=$(printf '%s\n' "$truth" | cut -f2 | sort -n | tail -n 1)
expect_eq "$(printf '%s\n' "$st" | cut -f2)" "$maxmod" "HIGHESTMODSEQ vs truth"
expected=$(dovecot_expected INBOX)
expect_lines 50 "$expected" "dovecot_expected"

# The manifest's DATE is what Dovecot itself parses from the Date header.
TZ=UTC dove_adm -f tab fetch 'uid date.sent' mailbox INBOX all >"$TMPD/sent"
bad=$(printf '%s\n' "$expected" | perl -e '
	open(my $s, "<", $ARGV[0]) or die;
	my %sent;
	while (<$s>) { $sent{$1} = "$2T$3Z" if /^(\d+)\t(\S+) (\S+) / }
	while (<STDIN>) {
		my ($uid, $date) = split /\t/;
		next if !$sent{$uid} || $sent{$uid} =~ /^1970/;    # missing/invalid
		print "$uid: $date vs $sent{$uid}\n" if $sent{$uid} ne $date;
	}' "$TMPD/sent")
[ -z "$bad" ] || fail "expected dates differ from Dovecot's: $bad"

cur=$(dove_adm mailbox path INBOX)/cur
for pat in '=?UTF-8?B?' '=?ISO-8859-1?Q?' 'multipart/alternative' \
	'multipart/mixed' 'Content-Transfer-Encoding: base64' 'In-Reply-To: <' \
	'References: <' 'Message-ID: <'; do
	grep -rqF -- "$pat" "$cur" || fail "no seeded message contains $pat"
done

dovecot_seed Again 50 3
expect_eq "$(dovecot_expected Again | cut -f2-)" "$(printf '%s\n' "$expected" | cut -f2-)" \
	"same seed, same messages"
expect_eq "$(dovecot_truth Again | cut -f1,3)" "$(printf '%s\n' "$truth" | cut -f1,3)" \
	"same seed, same flags"
dovecot_seed Other 50 4
[ "$(dovecot_expected Other | cut -f2-)" != "$(printf '%s\n' "$expected" | cut -f2-)" ] ||
	fail "another seed gave the same messages"

t0=$(date +%s)
dovecot_seed Big 1000
[ $(($(date +%s) - t0)) -le 10 ] || fail "seeding 1000 messages took $(($(date +%s) - t0)) s"
expect_eq "$(dovecot_status Big | cut -f3)" 1000 "MESSAGES after seeding 1000"
expect_lines 1000 "$(dovecot_truth Big)" "truth after seeding 1000"

# ---- Another device: flag changes raise MODSEQ and HIGHESTMODSEQ.
m1=$(printf '%s\n' "$truth" | awk -F'\t' '$1 == 1 { print $2 }')
h1=$(printf '%s\n' "$st" | cut -f2)
dovecot_flag INBOX 1 add '\Flagged' '$Work'
line=$(dovecot_truth INBOX | awk -F'\t' '$1 == 1')
m2=$(printf '%s\n' "$line" | cut -f2)
[ "$m2" -gt "$m1" ] || fail "MODSEQ did not rise: $m1 -> $m2"
h2=$(dovecot_status INBOX | cut -f2)
[ "$h2" -gt "$h1" ] || fail "HIGHESTMODSEQ did not rise: $h1 -> $h2"
expect_eq "$h2" "$m2" "HIGHESTMODSEQ is the new MODSEQ"
expect_eq "$(dovecot_truth INBOX | awk -F'\t' '$1 == 2 { print $2 }')" \
	"$(printf '%s\n' "$truth" | awk -F'\t' '$1 == 2 { print $2 }')" \
	"MODSEQ of an unchanged message"
old=$(printf '%s\n' "$truth" | awk -F'\t' '$1 == 1 { print $3 }')
want=$(printf '%s\n' $old '$Work' '\Flagged' | LC_ALL=C sort -u | paste -sd ' ')
expect_eq "$(printf '%s\n' "$line" | cut -f3)" "$want" "flags after add"
dovecot_flag INBOX 1:2 replace '\Answered'
expect_eq "$(dovecot_truth INBOX | awk -F'\t' '$1 <= 2 { print $3 }' | sort -u)" \
	'\Answered' "flags after replace"
dovecot_flag INBOX 2 remove '\Answered'
expect_eq "$(dovecot_truth INBOX | awk -F'\t' '$1 == 2 { print $3 }')" "" \
	"flags after remove"
expect_eq "$(dovecot_status INBOX | cut -f4)" \
	"$(dovecot_truth INBOX | grep -vc '\\Seen')" "UNSEEN after changes"

# ---- Expunge removes the line.
dovecot_expunge INBOX 3
truth=$(dovecot_truth INBOX)
expect_lines 49 "$truth" "truth after expunge"
printf '%s\n' "$truth" | grep -q '^3	' && fail "UID 3 still listed after expunge"
expect_eq "$(dovecot_status INBOX | cut -f3)" 49 "MESSAGES after expunge"
expect_lines 49 "$(dovecot_expected INBOX)" "dovecot_expected after expunge"

# ---- Append one message.
printf 'From: Test <t@example.org>\nSubject: appended\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n\nhi\n' \
	>"$TMPD/msg"
uid=$(dovecot_append INBOX "$TMPD/msg")
expect_eq "$uid" 51 "UID of the appended message"
dovecot_truth INBOX | grep -q '^51	' || fail "appended message not in truth"
uid=$(dovecot_append Fresh "$TMPD/msg")
expect_eq "$uid" 1 "append into a new mailbox"

# ---- Mailboxes: create, subscribe, delete (non-ASCII names, / separator).
dovecot_create 'Ünï/sub' || fail "dovecot_create"
dovecot_subscribe 'Ünï/sub' || fail "dovecot_subscribe"
out=$(dovecot_imap_session 'a LSUB "" "*"' 'b LIST "" "*"')
expect_match "$out" '^\* LSUB \(.*\) "/" "?&ANw-n&AO8-/sub"?$' "LSUB after subscribe"
expect_match "$out" '^\* LIST \(.*\) "/" "?&ANw-n&AO8-/sub"?$' "LIST after create"
dovecot_delete 'Ünï/sub' || fail "dovecot_delete"
out=$(dovecot_imap_session 'b LIST "" "*"')
printf '%s\n' "$out" | grep -q 'AO8-/sub' && fail "mailbox still listed after delete"

# ---- Config writers.
cfg=$TMPD/petrel.conf
petrel_config_tunnel "$cfg"
petrel_config_tls "$cfg" implicit localhost "" tls
petrel_config_tls "$cfg" starttls "" "$DOVE_BAD_CA" badca
expect_eq "$(stat -c %a "$cfg")" 600 "config mode"
expect_eq "$(grep -c '^\[account ' "$cfg")" 3 "config sections"
expect_match "$(cat "$cfg")" "^port = $DOVE_PORT_IMAPS$" "implicit port"
expect_match "$(cat "$cfg")" "^port = $DOVE_PORT_IMAP$" "starttls port"
expect_match "$(cat "$cfg")" "^ca_file = $DOVE_BAD_CA$" "ca_file"
expect_match "$(cat "$cfg")" "^password = $DOVE_PASS$" "password"
expect_match "$(cat "$cfg")" "^cache = $TMPD/cache/tls.sqlite$" "cache"
tun=$(sed -n 's/^tunnel = //p' "$cfg")
out=$(printf 'a LOGOUT\r\n' | /bin/sh -c "$tun" | tr -d '\r')
expect_match "$out" '^\* PREAUTH ' "the configured tunnel runs"

# ---- Capability variants, each in its own test process and Dovecot.
out=$(child 'dovecot_start --without QRESYNC
	dovecot_imap_session "a CAPABILITY" "b SELECT INBOX"') || fail "--without QRESYNC: $out"
caps=$(caps_of "$out")
has_cap "$caps" CONDSTORE || fail "CONDSTORE-only server lacks CONDSTORE: $caps"
has_cap "$caps" QRESYNC && fail "CONDSTORE-only server offers QRESYNC: $caps"
expect_match "$out" '^b OK ' "SELECT on the CONDSTORE-only server"
out=$(child 'dovecot_start --tls --without "CONDSTORE QRESYNC"
	dovecot_tls_session implicit "a LOGIN $DOVE_USER $DOVE_PASS" "b CAPABILITY"') ||
	fail "--without CONDSTORE QRESYNC: $out"
expect_match "$out" '^a OK ' "LOGIN on the plain IMAP4rev1 server"
caps=$(caps_of "$out")
has_cap "$caps" CONDSTORE && fail "server without extensions offers CONDSTORE: $caps"
has_cap "$caps" QRESYNC && fail "server without extensions offers QRESYNC: $caps"
has_cap "$caps" IMAP4rev1 || fail "server without extensions lacks IMAP4rev1: $caps"
out=$(child 'dovecot_start --caps "IMAP4rev1 LITERAL+ UIDPLUS" --sep .
	dovecot_create A.b
	dovecot_imap_session "a CAPABILITY" "b LIST \"\" \"*\""') || fail "--caps: $out"
expect_eq "$(caps_of "$out")" "IMAP4rev1 LITERAL+ UIDPLUS" "--caps list"
expect_match "$out" '^\* LIST \(.*\) "\." "?A\.b"?$' "--sep ."

# ---- Restart: the ports refuse connections while stopped, then the same
# mail is served again.
before=$(dovecot_truth INBOX)
dovecot_stop
perl -MIO::Socket::INET -e 'exit !!IO::Socket::INET->new("127.0.0.1:$ARGV[0]")' \
	"$DOVE_PORT_IMAPS" || fail "port $DOVE_PORT_IMAPS still accepts after dovecot_stop"
dovecot_restart
out=$(dovecot_tls_session implicit "a LOGIN $DOVE_USER $DOVE_PASS")
expect_match "$out" '^a OK ' "LOGIN after dovecot_restart"
expect_eq "$(dovecot_truth INBOX)" "$before" "mail after dovecot_restart"

# ---- Cleanup: a failing test leaves no Dovecot behind...
child "dovecot_start --tls
	dovecot_pids >'$TMPD/child.pids'
	fail 'deliberate failure'" >"$TMPD/child.out" 2>&1 &&
	fail "the deliberately failing child passed"
pids=$(cat "$TMPD/child.pids")
[ "$(printf '%s\n' "$pids" | wc -l)" -ge 2 ] || fail "child's dovecot_pids: $pids"
all_gone "$pids" "after a failing test"

# ... nor does one killed outright (no exit trap): the watchdog stops it.
sh -c ". \"\$PETREL_SRCDIR/tests/lib.sh\"
. \"\$PETREL_SRCDIR/tests/fixture/dovecot.sh\"
dovecot_start
echo \"\$TMPD \$DOVE_DIR\" >'$TMPD/killed.tmpd'
dovecot_pids >'$TMPD/killed.tmp'
mv '$TMPD/killed.tmp' '$TMPD/killed.pids'
exec sleep 60" >/dev/null 2>&1 &
kid=$!
n=0
while [ ! -f "$TMPD/killed.pids" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
pids=$(cat "$TMPD/killed.pids") || fail "the child did not start Dovecot"
kill -KILL "$kid"
n=0
while [ $n -lt 50 ]; do
	left=
	for p in $pids; do
		_dove_alive "$p" && left="$left $p"
	done
	[ -z "$left" ] && break
	sleep 0.1
	n=$((n + 1))
done
rm -rf $(cat "$TMPD/killed.tmpd")
all_gone "$pids" "after the test shell was killed"

# ... and dovecot_stop stops everything it started (twice is harmless).
pids=$(dovecot_pids)
[ "$(printf '%s\n' "$pids" | wc -l)" -ge 2 ] || fail "dovecot_pids: $pids"
dovecot_stop
all_gone "$pids" "after dovecot_stop"
dovecot_stop
pass
