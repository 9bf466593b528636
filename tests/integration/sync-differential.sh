# sync-differential.sh: randomized differential test of `petrel sync`
# against a real Dovecot. For many rounds another device adds and removes
# flags and keywords, expunges and appends mail, and now and then deletes
# and recreates a mailbox (a new UIDVALIDITY); after each round `petrel
# sync` runs and `ls`/`mailboxes` must equal the server's truth exactly.
# Run for the three resync paths: QRESYNC, CONDSTORE only (Q-75) and
# neither extension (Q-73). Reproduce a failure with
# PETREL_TEST_SEED=<seed printed below>.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

seed=${PETREL_TEST_SEED:-$(date +%s)}
rounds=${PETREL_TEST_ROUNDS:-12}
echo "seed $seed, $rounds rounds"

# plan SEED MAILBOX: print this round's operations, one per line, from the
# server's current truth on stdin.
plan() {
	perl -e '
	my ($seed, $mb) = @ARGV;
	srand($seed);
	my @uids = map { (split /\t/)[0] } <STDIN>;
	my @flags = ("\\Seen", "\\Flagged", "\\Answered", "\\Deleted",
	             "\\Draft", "\$Junk", "\$NotJunk", "todo", "Work-Item");
	my $pick = sub { @uids ? $uids[int(rand(@uids))] : undef };
	for (1 .. 1 + int(rand(6))) {
		my $r = rand();
		my $u = $pick->();
		if ($r < 0.45 && defined $u) {
			my $v = $pick->();
			my $set = $u == $v ? $u : ($u < $v ? "$u:$v" : "$v:$u");
			$set = $u if rand() < 0.5;
			my $op = rand() < 0.6 ? "add" : "remove";
			print "flag $op $set $flags[int(rand(@flags))]\n";
		} elsif ($r < 0.65 && defined $u) {
			print "expunge $u\n";
			@uids = grep { $_ != $u } @uids;
		} elsif ($r < 0.95) {
			print "append ", 1 + int(rand(4)), "\n";
		} else {
			print "recreate\n";
		}
	}' "$1" "$2"
}

check() { # MAILBOX...
	expect_exit 0 "$PETREL" -F "$cfg" mailboxes
	mbs=$OUT
	for mb in "$@"; do
		"$PETREL" -F "$cfg" ls "$mb" | cut -f1-3 >"$TMPD/ls"
		# Without CONDSTORE the client knows no modseqs: 0 (INTERFACE.md).
		dovecot_truth "$mb" | awk -F '\t' -v OFS='\t' -v z="$nomodseq" \
			'{ if (z) $2 = 0; print }' >"$TMPD/truth"
		st=$(dovecot_status "$mb" | awk -F '\t' -v OFS='\t' -v z="$nomodseq" \
			'{ if (z) $2 = 0; print }')
		diff "$TMPD/truth" "$TMPD/ls" >&2 ||
			fail "$variant round $round seed $seed: $mb ls differs"
		expect_eq "$(printf '%s\n' "$mbs" | grep "^$mb	")" \
			"$mb	$st" \
			"$variant round $round seed $seed: mailboxes line of $mb"
	done
}

run_variant() { # NAME DOVECOT-OPTIONS...
	variant=$1
	nomodseq=
	[ "$variant" = plain ] && nomodseq=1
	shift
	dovecot_start "$@"
	cfg=$TMPD/config.$variant
	rm -rf "$TMPD/cache"
	petrel_config_tunnel "$cfg"
	dovecot_seed INBOX 40 "$seed"
	dovecot_seed Lists 15 "$((seed + 1))"
	n=0
	round=0
	while [ "$round" -lt "$rounds" ]; do
		round=$((round + 1))
		for mb in INBOX Lists; do
			dovecot_truth "$mb" | plan "$((seed * 100 + round))$mb" "$mb" >"$TMPD/ops"
			while read -r op a b c; do
				case $op in
				flag) dovecot_flag "$mb" "$b" "$a" "$c" ;;
				expunge) dovecot_expunge "$mb" "$a" ;;
				append)
					n=$((n + 1))
					dovecot_seed "$mb" "$a" "$((seed + 1000 + n))"
					;;
				recreate)
					dovecot_delete "$mb"
					dovecot_seed "$mb" 5 "$((seed + 2000 + round))"
					;;
				esac
			done <"$TMPD/ops"
		done
		expect_exit 0 "$PETREL" -F "$cfg" sync INBOX Lists
		check INBOX Lists
	done
	dovecot_stop
	DOVE_PID=
}

run_variant qresync
run_variant condstore --without QRESYNC
run_variant plain --without "CONDSTORE QRESYNC"
pass
