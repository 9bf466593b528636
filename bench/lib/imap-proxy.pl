#!/usr/bin/perl
# bench/lib/imap-proxy.pl: a counting TCP proxy for one IMAP server, on
# loopback, for the benchmarks.
#
#   imap-proxy.pl --to HOST:PORT --log DIR --port-file FILE
#
# Listens on 127.0.0.1 (a free port, written to FILE once it listens) and
# relays every connection to HOST:PORT unchanged. For connection number K
# it writes DIR/conn-K.log when the connection ends (written under a
# temporary name and renamed, so a reader never sees half a file);
# DIR/conn-K.open exists from the accept until then. The log:
#
#   C: <each command line the client sent, in order>
#   up BYTES                (client to server)
#   down BYTES              (server to client)
#   commands N              (tagged command lines)
#   server_ms MS            (Dovecot's own time for the commands)
#
# Literal data ({N} / {N+}) is counted in the bytes but not logged; the
# arguments of LOGIN and AUTHENTICATE, and AUTHENTICATE's continuation
# lines, are replaced by "***"; a line longer than 300 characters is cut
# (its length noted). Continuation lines (AUTHENTICATE data, IDLE's DONE)
# are logged but not counted as commands. server_ms sums the first figure
# of the "(R + W + L secs)" that Dovecot appends to its tagged replies,
# the time it spent running each command (0 for other servers). Runs
# until killed (SIGTERM); one process per connection.
use strict;
use warnings;
use Getopt::Long;
use IO::Socket::INET;
use IO::Select;
use POSIX qw(:sys_wait_h);

my ($to, $logdir, $portfile);
GetOptions('to=s' => \$to, 'log=s' => \$logdir, 'port-file=s' => \$portfile)
    or die "usage: $0 --to HOST:PORT --log DIR --port-file FILE\n";
die "usage: $0 --to HOST:PORT --log DIR --port-file FILE\n"
    unless $to && $logdir && $portfile;

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 64, ReuseAddr => 1, Proto => 'tcp')
    or die "imap-proxy: cannot listen: $!\n";
{
	open(my $f, '>', "$portfile.tmp") or die "$portfile: $!\n";
	print $f $srv->sockport, "\n";
	close $f;
	rename("$portfile.tmp", $portfile) or die "$portfile: $!\n";
}
$SIG{CHLD} = sub { 1 while waitpid(-1, WNOHANG) > 0 };
$SIG{TERM} = sub { exit 0 };

my $seq = 0;
while (1) {
	my $c = $srv->accept or next;    # EINTR from SIGCHLD
	$seq++;
	# Present from the accept until the log is complete.
	my $open = sprintf('%s/conn-%04d.open', $logdir, $seq);
	if (open(my $o, '>', $open)) {
		close $o;
	}
	my $pid = fork;
	if (!defined $pid) {
		close $c;
		unlink $open;
		next;
	}
	if ($pid == 0) {
		close $srv;
		$SIG{CHLD} = 'DEFAULT';
		relay($c, $seq);
		exit 0;
	}
	close $c;
}

# Client-side line parsing state.
my ($lit, $pending, $up, $down, $ncmd, @log, $auth) = (0, '', 0, 0, 0, (), 0);
my ($stail, $server_ms) = ('', 0);

sub client_line {
	my ($line) = @_;
	$line =~ s/\r?\n\z//;
	# A literal announced at the end of the line: its bytes follow.
	$lit = $1 if $line =~ /\{(\d+)\+?\}\z/;
	if ($auth || $line !~ /^[^\s()]+ [A-Za-z]/ || $line eq 'DONE') {
		push @log, $auth ? '***' : $line;    # continuation data
		return;
	}
	$ncmd++;
	$auth = 1 if $line =~ /^\S+ AUTHENTICATE /i;
	$line =~ s/^(\S+ LOGIN) .*/$1 ***/i;
	$line =~ s/^(\S+ AUTHENTICATE \S+) .*/$1 ***/i;
	$line = substr($line, 0, 300) . "... (" . length($line) . " chars)"
	    if length $line > 300;
	push @log, $line;
}

sub client_data {
	my ($data) = @_;
	$pending .= $data;
	while (length $pending) {
		if ($lit > 0) {
			my $n = $lit < length $pending ? $lit : length $pending;
			substr($pending, 0, $n, '');
			$lit -= $n;
			next;
		}
		my $i = index($pending, "\n");
		last if $i < 0;
		client_line(substr($pending, 0, $i + 1, ''));
	}
}

sub server_data {
	# Only whole lines are looked at: the end of the last one waits.
	my $data = $stail . $_[0];
	my $end = rindex($data, "\n");
	$stail = substr($data, $end + 1);
	$stail = substr($stail, -1000) if length $stail > 1000;
	return if $end < 0;
	# AUTHENTICATE ends at its tagged response.
	$auth = 0 if $auth && $data =~ /^[^*+\s]\S* (OK|NO|BAD)/m;
	while ($data =~ /^[^*+\s]\S* (?:OK|NO|BAD) [^\n]*\((\d+)\.(\d+) \+[^\n]*secs\)\.?\r?$/mg) {
		$server_ms += $1 * 1000 + $2 / 10**(length($2) - 3);
	}
}

sub relay {
	my ($c, $k) = @_;
	my ($host, $port) = split /:/, $to;
	my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
	    Proto => 'tcp') or exit 1;
	for ($c, $s) {
		setsockopt($_, Socket::IPPROTO_TCP(), Socket::TCP_NODELAY(), 1);
		binmode $_;
	}
	my $sel = IO::Select->new($c, $s);
	# Until either side closes (or fails).
	LOOP: while (1) {
		for my $fh ($sel->can_read) {
			my $n = sysread($fh, my $buf, 262144);
			last LOOP unless $n;
			my $dst = $fh == $c ? $s : $c;
			if ($fh == $c) {
				$up += $n;
				client_data($buf);
			} else {
				$down += $n;
				server_data($buf);
			}
			my $off = 0;
			while ($off < $n) {
				my $w = syswrite($dst, $buf, $n - $off, $off);
				last LOOP unless $w;
				$off += $w;
			}
		}
	}
	close $c;
	close $s;
	my $f = sprintf('%s/conn-%04d.log', $logdir, $k);
	open(my $out, '>', "$f.tmp") or exit 1;
	print $out "C: $_\n" for @log;
	print $out "up $up\ndown $down\ncommands $ncmd\nserver_ms $server_ms\n";
	close $out;
	rename("$f.tmp", $f);
	unlink sprintf('%s/conn-%04d.open', $logdir, $k);
}
