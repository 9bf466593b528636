# sync-kill.sh: `petrel sync` killed with SIGKILL at random points (and
# as soon as part of the mail is cached), during the initial sync of 3000
# messages and during resyncs after another device changed many flags and
# expunged mail. Whatever the moment, the
# cache holds only complete rows that the server had, and the next sync
# converges: `ls` UID/MODSEQ/FLAGS equal the server's truth and
# `mailboxes` its status (RFC 7162 Q-67, Q-68: the baseline moves only in
# the transaction of the tagged OK it comes with; a kill leaves the old
# one, and the resync repeats idempotently). Checks use petrel itself.
# Reproduce a failure with PETREL_TEST_SEED=<the seed printed below>.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

seed=${PETREL_TEST_SEED:-$(date +%s)}
echo "seed $seed"

dovecot_start
dovecot_seed INBOX 3000 "$seed"
cfg=$TMPD/config
petrel_config_tunnel "$cfg"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# rand KEY N MAX: N uniform random integers in [0, MAX), one a line,
# from the seed and KEY (each call site passes its own KEY).
rand() {
	perl -e 'my ($s, $k, $n, $m) = @ARGV; srand($s * 1000 + $k);
		print int(rand($m)), "\n" for 1 .. $n;' "$seed" "$1" "$2" "$3"
}

# killed_sync MS: start `petrel sync INBOX`, SIGKILL it after MS
# milliseconds (unless it finished first).
killed_sync() {
	"$PETREL" -F "$cfg" sync INBOX >"$TMPD/k.out" 2>&1 &
	_pid=$!
	sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"
	if kill -KILL "$_pid" 2>/dev/null; then
		wait "$_pid" 2>/dev/null
		echo "  killed after ${1} ms"
	else
		wait "$_pid"
		_rc=$?
		[ "$_rc" -eq 0 ] || fail "sync exited $_rc before the kill: $(cat "$TMPD/k.out")"
		echo "  finished before ${1} ms"
	fi
}

# sync_killed_midway: start `petrel sync INBOX` on an empty cache and
# SIGKILL it as soon as `petrel mailboxes` shows some of the messages
# cached but not all (a window random kills often miss).
sync_killed_midway() {
	"$PETREL" -F "$cfg" sync INBOX >"$TMPD/k.out" 2>&1 &
	_pid=$!
	while kill -0 "$_pid" 2>/dev/null; do
		_n=$("$PETREL" -F "$cfg" mailboxes 2>/dev/null | cut -f4)
		if [ -n "$_n" ] && [ "$_n" -gt 0 ] && [ "$_n" -lt 3000 ]; then
			kill -KILL "$_pid" 2>/dev/null
			echo "  killed with $_n messages cached"
			break
		fi
	done
	wait "$_pid" 2>/dev/null
}

# check_partial WHAT: the cache after a kill, while the server did not
# change: every row is a complete copy of a server message (subset of the
# truth and of the expected DATE/FROM/SUBJECT), and `mailboxes` counts
# exactly those rows.
check_partial() {
	expect_exit 0 "$PETREL" -F "$cfg" ls INBOX
	printf '%s\n' "$OUT" | sed '/^$/d' >"$TMPD/ls"
	n=$(grep -c '' "$TMPD/ls")
	cut -f1-3 "$TMPD/ls" | grep -vxF -f "$TMPD/truth" >"$TMPD/bad"
	[ -s "$TMPD/bad" ] && fail "$1: rows unlike the server's: $(head -3 "$TMPD/bad")"
	cut -f1,4-6 "$TMPD/ls" | grep -vxF -f "$TMPD/expected" >"$TMPD/bad"
	[ -s "$TMPD/bad" ] && fail "$1: incomplete rows: $(head -3 "$TMPD/bad")"
	expect_exit 0 "$PETREL" -F "$cfg" mailboxes
	echo "  $n messages cached"
	if [ -n "$OUT" ]; then
		expect_eq "$(printf '%s\n' "$OUT" | cut -f1,4)" "INBOX	$n" \
			"$1: mailboxes MESSAGES vs ls"
	fi
}

# converge WHAT: a complete sync makes the cache equal the server.
converge() {
	expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
	"$PETREL" -F "$cfg" ls INBOX | cut -f1-3 >"$TMPD/ls"
	dovecot_truth INBOX >"$TMPD/truth"
	diff "$TMPD/truth" "$TMPD/ls" >"$TMPD/diff" ||
		fail "$1 (seed $seed): ls differs from the server: $(head -5 "$TMPD/diff")"
	expect_exit 0 "$PETREL" -F "$cfg" mailboxes
	expect_eq "$OUT" "INBOX	$(dovecot_status INBOX)" "$1 (seed $seed): mailboxes"
}

dovecot_truth INBOX >"$TMPD/truth"
dovecot_expected INBOX >"$TMPD/expected"

# How long a whole initial sync takes here (sanitizers are slower).
t0=$(now_ms)
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
full=$(($(now_ms) - t0))
converge "reference sync"
echo "initial sync: $full ms"
rm -rf "$TMPD/cache"

# 1. Initial sync: eight runs from an empty cache, each killed at a random
# moment (after the first fifth of a sync, which is mostly start-up),
# then killed once more while it resumes, then completed.
i=0
for t in $(rand 1 8 "$((full * 4 / 5))"); do
	i=$((i + 1))
	rm -rf "$TMPD/cache"
	killed_sync "$((t + full / 5))"
	check_partial "initial sync killed after $t ms"
	killed_sync "$(rand "$((10 + i))" 1 "$full")"
	check_partial "resumed sync killed"
	converge "initial sync killed after $t ms"
done

# The same, killed as soon as some messages are cached, three times.
for i in 1 2 3; do
	rm -rf "$TMPD/cache"
	sync_killed_midway
	check_partial "initial sync killed midway"
	converge "initial sync killed midway"
done

# 2. Resyncs: another device flags about a third of the messages, clears
# \Seen on others and expunges some; the resync is killed three times,
# then completed. Three rounds.
round=0
while [ "$round" -lt 3 ]; do
	round=$((round + 1))
	dovecot_truth INBOX | cut -f1 >"$TMPD/uids"
	perl -e '
	my ($s, $f) = @ARGV;
	srand($s);
	open(my $fh, "<", $f) or die;
	chomp(my @u = <$fh>);
	my (@flag, @unseen, @gone);
	for (@u) {
		my $r = rand();
		push @flag, $_ if $r < 0.33;
		push @unseen, $_ if $r >= 0.33 && $r < 0.5;
		push @gone, $_ if $r >= 0.5 && $r < 0.53;
	}
	print join(",", @flag), "\n", join(",", @unseen), "\n",
	    join(",", @gone), "\n";' "$((seed + round))" "$TMPD/uids" >"$TMPD/plan"
	dovecot_flag INBOX "$(sed -n 1p "$TMPD/plan")" add '\Flagged' '$Round'"$round"
	dovecot_flag INBOX "$(sed -n 2p "$TMPD/plan")" remove '\Seen'
	dovecot_expunge INBOX "$(sed -n 3p "$TMPD/plan")"
	t0=$(now_ms)
	# A complete resync on a copy of the cache, to learn how long one
	# takes; the kills then run on the original.
	rm -rf "$TMPD/cache.copy"
	cp -a "$TMPD/cache" "$TMPD/cache.copy"
	expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
	resync=$(($(now_ms) - t0))
	rm -rf "$TMPD/cache"
	mv "$TMPD/cache.copy" "$TMPD/cache"
	echo "round $round: resync $resync ms"
	for t in $(rand "$((20 + round))" 3 "$resync"); do
		killed_sync "$t"
	done
	converge "resync round $round"
done
pass
