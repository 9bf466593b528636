#!/usr/bin/perl
# bench/lib/ui-probe.pl: time petrel's interface from the outside, through
# tmux, the way a user sees it.
#
#   ui-probe.pl OUTFILE TMUX-SOCKET SCRIPT FIRST-RE READY-RE MOVES
#
# Starts SCRIPT (a shell script that runs the interface, e.g. under
# measure.pl) in a new tmux window "run" of the session "bench", then
# polls the window's contents (capture-pane) as fast as tmux answers:
#
#   first  ms from the start until a line matches FIRST-RE (the first
#          painted index rows);
#   ready  ms from the start until a line matches READY-RE (the status
#          line says the sync is done);
#   move   then MOVES times: press j and wait until the screen differs
#          (its text and attributes); the median of those delays, in ms.
#
# Then it types q and returns once the window closed. Writes one line
# "FIRST_MS<TAB>READY_MS<TAB>MOVE_MS" to OUTFILE ("-" for what was not
# seen within 120 s). The figures are upper bounds: each poll costs one
# tmux command (about 1-3 ms), which is the resolution.
use strict;
use warnings;
use POSIX qw(WNOHANG);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC usleep);

die "usage: $0 OUTFILE TMUX-SOCKET SCRIPT FIRST-RE READY-RE MOVES\n"
    unless @ARGV == 6;
my ($out, $sock, $script, $first_re, $ready_re, $moves) = @ARGV;
my @tmux = ('tmux', '-S', $sock);
my $limit = 120;

sub now { return clock_gettime(CLOCK_MONOTONIC) }

sub screen {
	my @opt = @_;
	open(my $p, '-|', @tmux, 'capture-pane', '-p', @opt, '-t', 'bench:run')
	    or return '';
	local $/;
	my $s = <$p> // '';
	close($p);
	return $s;
}

# Poll until a line matches re; the seconds since t0, or undef.
sub wait_for {
	my ($re, $t0) = @_;
	while (now() - $t0 < $limit) {
		my $s = screen();
		return now() - $t0 if $s =~ /$re/m;
		usleep(500);
	}
	return undef;
}

sub ms { return defined $_[0] ? sprintf('%.1f', $_[0] * 1000) : '-' }

my $t0 = now();
system(@tmux, 'new-window', '-d', '-n', 'run',
    "sh '$script'; tmux -S '$sock' wait-for -S bench-done") == 0
    or die "ui-probe: tmux new-window failed\n";
my $first = wait_for($first_re, $t0);
my $ready = defined $first ? wait_for($ready_re, $t0) : undef;

my @d;
if (defined $ready) {
	usleep(200_000);    # let the last status update settle
	for (1 .. $moves) {
		my $before = screen('-e');
		my $t = now();
		system(@tmux, 'send-keys', '-t', 'bench:run', 'j');
		my $dt;
		while (now() - $t < 5) {
			if (screen('-e') ne $before) {
				$dt = now() - $t;
				last;
			}
		}
		push @d, $dt if defined $dt;
		usleep(20_000);
	}
}
my $move;
if (@d) {
	my @s = sort { $a <=> $b } @d;
	$move = @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
}
system(@tmux, 'send-keys', '-t', 'bench:run', 'q');
# The interface asks before quitting when edits are queued; none are.
my $pid = fork // die "ui-probe: fork: $!\n";
if ($pid == 0) {
	exec(@tmux, 'wait-for', 'bench-done');
	exit 127;
}
my $t = now();
while (now() - $t < 30) {
	last if waitpid($pid, WNOHANG) == $pid;
	usleep(10_000);
}
if (kill(0, $pid)) {
	kill('TERM', $pid);
	system(@tmux, 'kill-window', '-t', 'bench:run');
	waitpid($pid, 0);
}
open(my $o, '>', $out) or die "ui-probe: $out: $!\n";
print $o join("\t", ms($first), ms($ready), ms($move)), "\n";
close($o);
