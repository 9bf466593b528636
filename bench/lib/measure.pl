#!/usr/bin/perl
# bench/lib/measure.pl: run one command and record its wall time and peak
# resident set size.
#
#   measure.pl OUTFILE COMMAND [ARG...]
#
# Writes one line "WALL_MS<TAB>PEAK_RSS_KB<TAB>EXIT_STATUS" to OUTFILE when
# the command ends, and exits with the command's status. The command keeps
# this process's stdin, stdout and stderr (so it can run on a terminal).
#
# Wall time is measured here with a monotonic clock. Peak RSS comes from
# GNU time (/usr/bin/time -f %M, Debian package "time"), which reads the
# kernel's ru_maxrss for the child; its own start-up (about 1 ms) is inside
# the wall time. Without /usr/bin/time the child's VmHWM is sampled from
# /proc every 2 ms instead (a lower bound: growth in the last 2 ms before
# exit can be missed), and the RSS value is marked with a trailing "~".
use strict;
use warnings;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC usleep);
use POSIX qw(:sys_wait_h);

die "usage: $0 OUTFILE COMMAND [ARG...]\n" unless @ARGV >= 2;
my $out = shift;
my $gnu_time = -x '/usr/bin/time' && !$ENV{BENCH_NO_GNU_TIME};
my $rssfile = "$out.rss";
unlink $rssfile;

my $t0 = clock_gettime(CLOCK_MONOTONIC);
my $pid = fork // die "measure: fork: $!\n";
if ($pid == 0) {
	if ($gnu_time) {
		exec('/usr/bin/time', '-f', '%M', '-o', $rssfile, @ARGV);
	} else {
		exec(@ARGV);
	}
	die "measure: cannot run $ARGV[0]: $!\n";
}
my ($hwm, $st) = (0, 0);
if ($gnu_time) {
	waitpid($pid, 0);
	$st = $?;
} else {
	while (1) {
		if (open(my $f, '<', "/proc/$pid/status")) {
			while (<$f>) {
				$hwm = $1 if /^VmHWM:\s+(\d+)/ && $1 > $hwm;
			}
		}
		my $r = waitpid($pid, WNOHANG);
		if ($r == $pid) {
			$st = $?;
			last;
		}
		usleep(2000);
	}
}
my $wall = (clock_gettime(CLOCK_MONOTONIC) - $t0) * 1000;
my $status = $st & 127 ? 128 + ($st & 127) : $st >> 8;
my $rss = "$hwm~";
if ($gnu_time) {
	$rss = '';
	if (open(my $f, '<', $rssfile)) {
		# GNU time writes "Command exited with non-zero status N" first.
		while (<$f>) {
			$rss = $1 if /^(\d+)$/;
		}
	}
	unlink $rssfile;
}
open(my $o, '>', $out) or die "measure: $out: $!\n";
printf $o "%.1f\t%s\t%d\n", $wall, $rss, $status;
close $o;
exit $status;
