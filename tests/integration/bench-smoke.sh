# bench-smoke.sh: bench/run still works end to end (tiny mailbox, one run
# each): every measurement has a wall time, a peak RSS and proxy counts,
# the other device's changes reach both clients (c. shows mutt's QRESYNC
# VANISHED fetch), and the table comes out with its targets section.
# Without mutt installed, the petrel half alone (--without-mutt).
. "$PETREL_SRCDIR/tests/lib.sh"

for t in perl tmux timeout /usr/sbin/dovecot; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not found"
done
with_mutt=1
command -v mutt >/dev/null 2>&1 || with_mutt=0
opt=
[ "$with_mutt" = 1 ] || opt=--without-mutt

raw=$TMPD/raw
TMPDIR=$TMPD timeout 120 sh "$PETREL_SRCDIR/bench/run" --quick --n 250 \
	--runs 1 --petrel "$PETREL" --raw "$raw" --out "$TMPD/table.txt" $opt \
	>"$TMPD/run.out" 2>"$TMPD/run.err" ||
	fail "bench/run failed: $(tail -n 5 "$TMPD/run.err")"
[ -s "$TMPD/table.txt" ] || fail "no table written"
cmp -s "$TMPD/table.txt" "$TMPD/run.out" || fail "printed table differs from the written one"
table=$(cat "$TMPD/table.txt")
expect_match "$table" '^N = 250 messages in INBOX' "table header"
expect_match "$table" '^Targets$' "targets section"
expect_match "$table" '^  (met|MISSED) +b\. petrel wall <= 40 ms' "b. target judged"

clients=petrel
[ "$with_mutt" = 1 ] && clients="petrel mutt"
for scen in a b c; do
	for client in $clients; do
		# N SCEN CLIENT RUN WALL RSS EXIT UP DOWN COMMANDS SERVER_MS
		line=$(awk -F'\t' -v s="$scen" -v c="$client" \
			'$2 == s && $3 == c && $4 == 1' "$raw/runs.tsv")
		expect_match "$line" \
			"^250	$scen	$client	1	[0-9.]+	[0-9]+~?	0	[0-9]+	[0-9]+	[0-9]+	[0-9]+$" \
			"runs.tsv line for $scen/$client"
		[ -s "$raw/n250/$scen-$client-1.imap" ] ||
			fail "no proxy log for $scen/$client"
	done
done
# The first sync fetched every message's headers: far more down than up.
down=$(awk -F'\t' '$2 == "a" && $3 == "petrel" && $4 == 1 { print $9 }' "$raw/runs.tsv")
[ "$down" -gt 50000 ] || fail "a. petrel received only $down bytes"
# The proxy never logs the password (the fixture's, see dovecot.sh).
pw=$(sed -n 's/^DOVE_PASS=//p' "$PETREL_SRCDIR/tests/fixture/dovecot.sh")
[ -n "$pw" ] || fail "cannot find the fixture's password"
grep -q -- "$pw" "$raw"/n250/*.imap && fail "a password in the proxy logs"
grep -Eq 'AUTHENTICATE PLAIN \*\*\*|LOGIN \*\*\*' "$raw/n250/b-petrel-1.imap" ||
	fail "the login line is not redacted"
# The other device's expunges reached the clients as VANISHED.
if [ "$with_mutt" = 1 ]; then
	grep -q 'ENABLE QRESYNC' "$raw/n250/c-mutt-1.imap" ||
		fail "mutt did not enable QRESYNC"
	grep -q 'VANISHED' "$raw/n250/c-mutt-1.imap" ||
		fail "mutt did not resynchronize with QRESYNC (no VANISHED)"
fi
grep -q 'QRESYNC' "$raw/n250/c-petrel-1.imap" ||
	fail "petrel did not resynchronize with QRESYNC"
# Nothing left behind: the scratch directory, and no process (Dovecot's
# master, the proxy, tmux) still running with it on its command line.
for d in "$TMPD"/petrel-bench.*; do
	[ -e "$d" ] && fail "bench/run left $d behind"
done
for f in /proc/[0-9]*/cmdline; do
	tr '\0' ' ' 2>/dev/null <"$f" | grep -q "$TMPD/petrel-bench" &&
		fail "still running: $(tr '\0' ' ' <"$f")"
done
pass
