#!/usr/bin/perl
# bench/lib/table.pl: the benchmark's table, from the raw directory that
# bench/run filled.
#
#   table.pl RAWDIR
#
# Reads RAWDIR/machine.txt, RAWDIR/runs.tsv (one line per run: N SCENARIO
# CLIENT RUN WALL_MS PEAK_RSS_KB EXIT UP DOWN COMMANDS), RAWDIR/nN/seed.log
# and the proxy logs RAWDIR/nN/SCEN-CLIENT-1.imap, and prints one plain
# text table: petrel and mutt side by side with petrel/mutt ratios, the
# commands each client sent, the scaling between mailbox sizes, and the
# targets, each met or missed with its figures.
use strict;
use warnings;

my $raw = shift or die "usage: $0 RAWDIR\n";

my %m;
open(my $mf, '<', "$raw/machine.txt") or die "$raw/machine.txt: $!\n";
while (<$mf>) {
	chomp;
	my ($k, $v) = split /\t/, $_, 2;
	$m{$k} = $v;
}

# $r{N}{SCEN}{CLIENT} = [ {run, wall, rss, status, up, down, cmds}, ... ]
my %r;
open(my $rf, '<', "$raw/runs.tsv") or die "$raw/runs.tsv: $!\n";
while (<$rf>) {
	chomp;
	my ($n, $scen, $client, $run, $wall, $rss, $st, $up, $down, $cmds, $srv) = split /\t/;
	next if $scen eq 'a' && $run == 0;    # warm-up
	push @{$r{$n}{$scen}{$client}}, {run => $run, wall => $wall,
	    rss => $rss, status => $st, up => $up, down => $down, cmds => $cmds,
	    server => $srv // '-'};
}
my @ns = sort { $a <=> $b } keys %r;

# ------------------------------------------------------------ statistics

sub median {
	my @v = sort { $a <=> $b } @_;
	return undef unless @v;
	return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

# value(N, SCEN, CLIENT, FIELD): the median over the runs (max for peak
# RSS: the worst case is what a user meets); undef when not measured; the
# string "n/a" or "FAILED ..." when the client could not do it.
sub value {
	my ($n, $scen, $client, $f) = @_;
	my $runs = $r{$n}{$scen}{$client} or return undef;
	for my $x (@$runs) {
		return 'n/a' if $x->{status} eq 'na';
		return "FAILED (exit $x->{status}, run $x->{run})" if $x->{status} ne '0';
	}
	my @v = map { my $v = $_->{$f}; $v =~ s/~$//; $v } grep { $_->{$f} =~ /^[\d.]+~?$/ } @$runs;
	return undef unless @v;
	return $f eq 'rss' ? (sort { $b <=> $a } @v)[0] : median(@v);
}

sub num { return defined $_[0] && $_[0] =~ /^[\d.]+$/ }

sub commas {
	my ($x) = @_;
	1 while $x =~ s/^(\d+)(\d{3})/$1,$2/;
	return $x;
}

sub fmt {
	my ($v, $unit) = @_;
	return '-' unless defined $v;
	return $v unless num($v);
	if ($unit eq 'ms') {
		return sprintf('%.1f ms', $v) if $v < 100;
		return commas(sprintf('%.0f', $v)) . ' ms';
	}
	if ($unit eq 'kb') {    # RSS in KiB
		return sprintf('%.1f MiB', $v / 1024);
	}
	if ($unit eq 'bytes') {
		return commas(sprintf('%.0f', $v)) . ' B' if $v < 100000;
		return sprintf('%.1f kB', $v / 1e3) if $v < 1e7;
		return sprintf('%.1f MB', $v / 1e6);
	}
	return commas(sprintf('%.0f', $v));
}

sub ratio {
	my ($p, $q) = @_;
	return '' unless num($p) && num($q) && $q > 0;
	my $x = $p / $q;
	return sprintf('%.3f', $x) if $x < 0.1;
	return sprintf('%.2f', $x);
}

# ------------------------------------------------------------ the table

my $runs = $m{runs} // '?';
print "petrel against mutt on the same Dovecot ($m{date})\n\n";
print "machine   $m{cpu}, $m{ram} RAM\n";
print "system    $m{kernel}, Debian $m{debian}\n";
print "server    Dovecot $m{dovecot}\n";
print "clients   $m{petrel}\n          $m{mutt}\n";
print "load      1/5/15-minute load average $m{load_start} at the start, "
    . ($m{load_end} // '?') . " at the end\n" if $m{load_start};
print "method    wall time: median of $runs runs; peak RSS: the largest of\n"
    . "          the runs; bytes and commands: median, counted by a proxy on\n"
    . "          loopback (plain IMAP, no TLS; every run goes through it).\n"
    . "          a. has one more warm-up run per client, not counted.\n"
    . "          Dovecot's own time: what it reports in its tagged replies,\n"
    . "          summed (part of the wall time above; the median); the wall\n"
    . "          time minus it is what the client (and the proxy) cost.\n";

my @rows = (
	['a', 'a. first sync, empty cache (petrel sync; mutt opens INBOX and quits)'],
	['b', 'b. reconnect, nothing changed'],
	['c', 'c. reconnect after another device flagged 100 and expunged 10'],
);
my @metrics = (['wall', 'wall time', 'ms'], ['rss', 'peak RSS', 'kb'],
    ['up', 'bytes up', 'bytes'], ['down', 'bytes down', 'bytes'],
    ['cmds', 'client commands', 'n'], ['server', "  Dovecot's own time", 'ms']);
my $w = 34;

sub line {
	my ($label, $p, $q, $rt) = @_;
	my $s = sprintf("  %-${w}s %16s %16s", $label, $p, $q);
	$s .= sprintf(' %12s', $rt) if defined $rt && $rt ne '';
	$s =~ s/\s+$//;
	print "$s\n";
}

for my $n (@ns) {
	my %seed;
	if (open(my $sf, '<', "$raw/n$n/seed.log")) {
		while (<$sf>) {
			$seed{$1} = $2 if /^(\w+)\t(\S+)/;
		}
	}
	my $size = $seed{size} ? sprintf(', %.0f MB on disk', $seed{size} / 1024) : '';
	print "\n" . '=' x 78 . "\n";
	printf "N = %s messages in INBOX%s\n", commas($n), $size;
	print '=' x 78 . "\n";
	line('', 'petrel', 'mutt', 'petrel/mutt');
	for my $row (@rows) {
		my ($scen, $title) = @$row;
		print "$title\n";
		for my $mt (@metrics) {
			my ($f, $label, $unit) = @$mt;
			my $p = value($n, $scen, 'petrel', $f);
			my $q = value($n, $scen, 'mutt', $f);
			line($label, fmt($p, $unit), fmt($q, $unit), ratio($p, $q));
		}
		# The rest of the wall time: the client, the kernel, the proxy.
		my @rest = map {
			my ($wl, $sv) = (value($n, $scen, $_, 'wall'), value($n, $scen, $_, 'server'));
			num($wl) && num($sv) ? $wl - $sv : undef
		} qw(petrel mutt);
		# Below zero when pipelined commands overlap in Dovecot's time.
		line("  wall minus Dovecot's time",
		    (map { defined $_ && $_ < 0 ? '< 0 (overlap)' : fmt($_, 'ms') } @rest),
		    (grep { defined $_ && $_ < 0 } @rest) ? '-' : ratio(@rest));
	}
	my $s = value($n, 'search', 'petrel', 'wall');
	print "search (offline, over the cache)\n";
	line("petrel search INBOX $m{query}", $s && $s eq 'n/a' ? 'n/a: search not built' : fmt($s, 'ms'), '-');
	my $u = value($n, 'ui', 'petrel-ui', 'wall');
	my $urss = value($n, 'ui', 'petrel-ui', 'rss');
	my $mb = value($n, 'b', 'mutt', 'wall');
	my $mbr = value($n, 'b', 'mutt', 'rss');
	my $ma = value($n, 'a', 'mutt', 'wall');
	print "interface (through tmux, polled: upper bounds); mutt: as in a. and b.\n";
	if (defined $u && $u eq 'n/a') {
		line('wall time', 'n/a: UI not built', fmt($mb, 'ms'));
	} else {
		my $f = value($n, 'ui-first', 'petrel-ui', 'wall');
		line('first index painted, warm cache', fmt($f, 'ms'), fmt($mb, 'ms'), ratio($f, $mb));
		my $mv = value($n, 'ui-move', 'petrel-ui', 'wall');
		line('cursor move drawn (median)', fmt($mv, 'ms'), '-');
		line('peak RSS, warm cache', fmt($urss, 'kb'), fmt($mbr, 'kb'), ratio($urss, $mbr));
		my $af = value($n, 'a-ui-first', 'petrel-ui', 'wall');
		line('first index rows, empty cache', fmt($af, 'ms'), fmt($ma, 'ms'), ratio($af, $ma));
		my $ar = value($n, 'a-ui-ready', 'petrel-ui', 'wall');
		line('  all headers in (status online)', fmt($ar, 'ms'), fmt($ma, 'ms'), ratio($ar, $ma));
		my $arss = value($n, 'a-ui', 'petrel-ui', 'rss');
		my $mar = value($n, 'a', 'mutt', 'rss');
		line('peak RSS, empty cache', fmt($arss, 'kb'), fmt($mar, 'kb'), ratio($arss, $mar));
	}

	print "\nCommands sent, run 1 (from the proxy log; one line per command):\n";
	for my $scen (qw(b c)) {
		for my $client (qw(petrel mutt)) {
			my $f = "$raw/n$n/$scen-$client-1.imap";
			open(my $lf, '<', $f) or next;
			my @c = map { /^C: (.*)/ ? $1 : () } <$lf>;
			s/^\S+ // for @c;    # tags
			for (@c) {
				$_ = substr($_, 0, 60) . '...' if length > 63;
			}
			print "  $scen. $client:\n";
			print "      $_\n" for @c;
		}
	}
}

# ------------------------------------------------------------ scaling

my @targets;
sub target {
	my ($ok, $text) = @_;
	push @targets, sprintf('  %-7s %s', !defined $ok ? 'n/a' : $ok ? 'met' : 'MISSED', $text);
}

if (@ns >= 2) {
	my ($lo, $hi) = ($ns[0], $ns[-1]);
	printf "\nScaling: wall time at N=%s / wall time at N=%s\n", commas($hi), commas($lo);
	line('', 'petrel', 'mutt');
	for my $scen (qw(a b c)) {
		my @v;
		for my $client (qw(petrel mutt)) {
			my ($x, $y) = (value($hi, $scen, $client, 'wall'), value($lo, $scen, $client, 'wall'));
			push @v, num($x) && num($y) && $y > 0 ? sprintf('%.2f', $x / $y) : '-';
		}
		line("$scen.", @v);
		next if $scen eq 'a';
		my $x = value($hi, $scen, 'petrel', 'wall');
		my $y = value($lo, $scen, 'petrel', 'wall');
		target(num($x) && num($y) ? $x / $y <= 1.5 : undef,
		    sprintf('%s. petrel time at %s / time at %s <= 1.5: %s (%s / %s)', $scen,
		    commas($hi), commas($lo), num($x) && num($y) ? sprintf('%.2f', $x / $y) : '-',
		    fmt($x, 'ms'), fmt($y, 'ms')));
	}
}

# ------------------------------------------------------------ targets

# The targets are set for the largest mailbox (100,000 messages in a full
# run); smaller sizes are in the table above and in the scaling.
for my $n ($ns[-1]) {
	my $N = 'N=' . commas($n);
	my %p = map { my $s = $_; ($s => {map { $_ => value($n, $s, 'petrel', $_) } qw(wall rss down)}) } qw(a b c);
	my %q = map { my $s = $_; ($s => {map { $_ => value($n, $s, 'mutt', $_) } qw(wall rss down)}) } qw(a b c);
	my $both = sub { num($_[0]) && num($_[1]) };
	my ($x, $y) = ($p{c}{wall}, $q{c}{wall});
	target($both->($x, $y) ? $x <= 0.03 * $y : undef,
	    sprintf('c. petrel wall <= 3%% of mutt\'s, %s: %s (%s vs %s)', $N,
	    $both->($x, $y) ? sprintf('%.1f%%', 100 * $x / $y) : '-', fmt($x, 'ms'), fmt($y, 'ms')));
	($x, $y) = ($p{c}{down}, $q{c}{down});
	target($both->($x, $y) ? $x <= $y : undef,
	    sprintf('c. petrel bytes down <= mutt\'s, %s: %s vs %s', $N, fmt($x, 'bytes'), fmt($y, 'bytes')));
	$x = $p{b}{wall};
	target(num($x) ? $x <= 40 : undef, sprintf('b. petrel wall <= 40 ms, %s: %s', $N, fmt($x, 'ms')));
	$x = $p{b}{down};
	target(num($x) ? $x <= 1600 : undef, sprintf('b. petrel bytes down <= 1.6 kB, %s: %s', $N, fmt($x, 'bytes')));
	($x, $y) = ($p{a}{wall}, $q{a}{wall});
	target($both->($x, $y) ? $x < $y : undef,
	    sprintf('a. petrel full header sync faster than mutt\'s first open, %s: %s vs %s', $N,
	    fmt($x, 'ms'), fmt($y, 'ms')));
	($x, $y) = ($p{a}{rss}, $q{a}{rss});
	target($both->($x, $y) ? $x <= 0.25 * $y : undef,
	    sprintf('a. petrel sync peak RSS <= 25%% of mutt\'s, %s: %s (%s vs %s)', $N,
	    $both->($x, $y) ? sprintf('%.0f%%', 100 * $x / $y) : '-', fmt($x, 'kb'), fmt($y, 'kb')));
	$x = value($n, 'ui-first', 'petrel-ui', 'wall');
	target(num($x) ? $x <= 100 : undef,
	    sprintf('UI: first paint of the cached index <= 100 ms, %s: %s', $N, fmt($x, 'ms')));
	$x = value($n, 'ui-move', 'petrel-ui', 'wall');
	target(num($x) ? $x <= 16 : undef,
	    sprintf('UI: cursor move drawn <= 16 ms, %s: %s', $N, fmt($x, 'ms')));
	$x = value($n, 'a-ui-first', 'petrel-ui', 'wall');
	target(num($x) ? $x <= 500 : undef,
	    sprintf('a. UI: usable index within 0.5 s of an empty cache, %s: %s', $N, fmt($x, 'ms')));
	($x, $y) = (value($n, 'a-ui', 'petrel-ui', 'rss'), $q{a}{rss});
	target($both->($x, $y) ? $x <= 0.25 * $y : undef,
	    sprintf('a. UI peak RSS <= 25%% of mutt\'s, %s: %s (%s vs %s)', $N,
	    $both->($x, $y) ? sprintf('%.0f%%', 100 * $x / $y) : '-', fmt($x, 'kb'), fmt($y, 'kb')));
	$x = value($n, 'search', 'petrel', 'wall');
	target(num($x) ? $x <= 200 : undef,
	    sprintf('search <= 200 ms, %s: %s', $N, defined $x && $x eq 'n/a' ? 'n/a: search not built' : fmt($x, 'ms')));
}
# What the server itself spends in c. bounds every client from below.
{
	my $n = $ns[-1];
	my ($pw, $ps, $mw) = (value($n, 'c', 'petrel', 'wall'), value($n, 'c', 'petrel', 'server'),
	    value($n, 'c', 'mutt', 'wall'));
	if (num($pw) && num($ps) && num($mw) && $mw > 0) {
		push @targets, sprintf("  note    c. at N=%s Dovecot's own time is %s (%.1f%% of mutt's wall);"
		    . " petrel's wall minus it is %s (%.1f%%)", commas($n), fmt($ps, 'ms'),
		    100 * $ps / $mw, fmt($pw - $ps, 'ms'), 100 * ($pw - $ps) / $mw);
	}
	if (@ns >= 2) {
		my $lo = $ns[0];
		my ($a, $b) = (value($n, 'c', 'petrel', 'server'), value($lo, 'c', 'petrel', 'server'));
		my ($x, $y) = (value($n, 'c', 'petrel', 'wall'), value($lo, 'c', 'petrel', 'wall'));
		if (num($a) && num($b) && num($x) && num($y) && $b > 0 && $y - $b > 0) {
			push @targets, sprintf("  note    c. %s / %s: Dovecot's own time %.2f, petrel's wall minus it %.2f",
			    commas($n), commas($lo), $a / $b, ($x - $a) / ($y - $b));
		}
	}
}
print "\nTargets\n";
print "$_\n" for @targets;
