#!/usr/bin/perl
# bench/lib/gen-mail.pl: fill a Maildir with N realistic messages, fast
# (100,000 in well under a minute), for the benchmarks.
#
#   gen-mail.pl --dir MAILDIR --count N [--seed S] [--base EPOCH]
#               [--owner UID:GID]
#
# Unlike tests/fixture/gen-messages.pl (which exercises every odd header
# form), this one aims at the size and shape of ordinary mail, because the
# benchmark measures bytes and time: a header block of 1.5-4 KB (Received
# chains, DKIM-Signature, list headers on list mail), a text body of
# 1-20 KB (log-uniform), one message in six with a base64 attachment of
# 2-60 KB, some multipart/alternative with an HTML part, threads
# (Message-ID, In-Reply-To, References, "Re:" subjects), a few RFC 2047
# encoded names and subjects. About 70% start \Seen, 8% \Flagged, 10%
# \Answered. The same seed always gives the same messages.
#
# Files are written to tmp/ and renamed into cur/ with names that sort in
# generation order, which is the order in which Dovecot assigns UIDs.
# Prints the number of messages and bytes written on stderr.
use strict;
use warnings;
use Getopt::Long;
use MIME::Base64 qw(encode_base64);
use POSIX qw(strftime);

my ($dir, $count, $seed, $base, $owner) = (undef, 0, 1, 1672531200, '');
GetOptions(
	'dir=s'   => \$dir,
	'count=i' => \$count,
	'seed=i'  => \$seed,
	'base=i'  => \$base,
	'owner=s' => \$owner,
) or die "usage: $0 --dir MAILDIR --count N [--seed S] [--base EPOCH] [--owner UID:GID]\n";
die "$0: --dir is required\n" unless defined $dir;
die "$0: $dir/cur is not a directory\n" unless -d "$dir/cur";
my ($uid, $gid) = $owner =~ /^(\d+):(\d+)$/ ? ($1, $2) : (-1, -1);

# Our own LCG, so the messages do not depend on Perl's rand().
my $state = ($seed * 7919 + 17) % 2147483648;
sub rnd {
	$state = (1103515245 * $state + 12345) % 2147483648;
	return ($state >> 8) % $_[0];
}
sub pick   { return $_[rnd(scalar @_)] }
sub chance { return rnd(10000) < $_[0] * 10000 }

# ------------------------------------------------------------ text pools

my @words = qw(the of and to in is that for it as with was on be at by this
    have from or one had not but what all were when we there can an your which
    their said if do will each about how up out them then she many some so
    these would other into has more her two like him see time could no make
    than first been its who now people my made over did down only way find use
    may water long little very after words called just where most know get
    through back much before go good new write our used me man too any day
    same right look think also around another came come work three word must
    because does part even place well such here take why things help put years
    different away again off went old number great tell men say small every
    found still between name should home big give air line set own under read
    last never us left end along while might next sound below saw something
    thought both few those always looked show large often together asked house
    world going want school important until form food keep children feet land
    side without boy once animals life enough took sometimes four head above
    kind began almost live page got earth need far hand high year mother light
    parts country father let night following picture being study second eyes
    soon times story boys since white days ever paper hard near sentence better
    best across during today others however sure means knew try told young
    miles sun ways thing whole hear example heard several change answer room
    sea against top turned learn point city play toward five using himself
    usually budget release server deadline meeting invoice review patch build);
my @intl = ('déjà', 'Straße', 'über', 'garçon', 'naïve', 'Grüße', 'mañana',
    'København', 'Zürich', 'café');

sub sentence {
	my $n = 6 + rnd(14);
	my @w = map { chance(0.02) ? pick(@intl) : pick(@words) } 1 .. $n;
	$w[0] = ucfirst $w[0];
	return join(' ', @w) . pick('.', '.', '.', '?', '!');
}

# Wrapped paragraphs, reused by every message (generating text word by word
# for each message would dominate the run time).
sub paragraph {
	my @out;
	my $line = '';
	for (1 .. 2 + rnd(6)) {
		for my $w (split / /, sentence()) {
			if (length($line) + length($w) >= 72) {
				push @out, $line;
				$line = '';
			}
			$line .= ($line eq '' ? '' : ' ') . $w;
		}
	}
	push @out, $line if $line ne '';
	return join("\n", @out) . "\n";
}
my @paras = map { paragraph() } 1 .. 400;

# Random bytes for attachments, sliced per message.
my $blob = join('', map { chr(rnd(256)) } 1 .. 65536);

# ------------------------------------------------------------ people

my @first = qw(Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory
    Niaj Olivia Peggy Rupert Sybil Trent Victor Walter Yolanda);
my @last = qw(Martin Smith Jones Garcia Müller Rossi Dubois Novak Silva Kim
    Tanaka Berg Larsen Kowalski Nilsson Moreau);
my @domains = qw(example.org example.net example.com mail.example.de
    corp.example.co.uk lists.example.org);

sub b_word {
	return '=?UTF-8?B?' . encode_base64($_[0], '') . '?=';
}

sub person {
	my $f = pick(@first);
	my $l = pick(@last);
	my $addr = lc("$f.$l") . '@' . pick(@domains);
	$addr =~ s/[^\x20-\x7e]/u/g;
	my $name = "$f $l";
	$name = b_word($name) if $name =~ /[^\x20-\x7e]/;
	$name = "\"$l, $f\"" if chance(0.1);
	return chance(0.05) ? $addr : "$name <$addr>";
}
my @people = map { person() } 1 .. 300;
my $me = 'Petrel User <petrel@example.org>';

# ------------------------------------------------------------ subjects

my @topics = ('Quarterly report', 'Meeting notes', 'Release planning',
    'Build failure on main', 'Invoice', 'Travel arrangements',
    'Lunch on Friday', 'Code review request', 'Server maintenance window',
    'Budget proposal', 'Welcome aboard', 'Question about the API',
    'Weekly status', 'Conference schedule', 'Draft agreement');

sub subject {
	my ($i) = @_;
	my $t = pick(@topics);
	my $k = rnd(20);
	return b_word("$t – Überblick #$i") if $k == 0;
	return "[dev-list] $t #$i" if $k < 5;
	return "$t #$i";
}

# ------------------------------------------------------------ headers

my @mailers = ('Mutt/2.2.12 (2023-09-09)', 'Thunderbird 115.6.0',
    'Apple Mail (2.3774)', 'Microsoft Outlook 16.0', 'Roundcube Webmail/1.6.5');

sub date {
	my ($t) = @_;
	my $off = pick(0, 60, 120, -300, -420, 330, 540);
	my $zone = sprintf('%s%02d%02d', $off < 0 ? '-' : '+',
	    int(abs($off) / 60), abs($off) % 60);
	return strftime('%a, %d %b %Y %H:%M:%S ', gmtime($t + $off * 60)) . $zone;
}

sub b64line {
	my ($n) = @_;
	my $s = encode_base64(substr($blob, rnd(60000), $n), '');
	return $s;
}

sub received {
	my ($i, $t) = @_;
	my $h = '';
	for my $hop (1 .. 2 + rnd(3)) {
		my $ip = join('.', 192, 0, 2, 1 + rnd(250));
		$h .= "Received: from mx$hop.example.net (mx$hop.example.net [$ip])\n"
		    . "\tby mail.example.org (Postfix) with ESMTPS id 4T"
		    . sprintf('%08X', rnd(2**31)) . "\n"
		    . "\tfor <petrel\@example.org>; " . date($t - $hop * 3) . "\n";
	}
	return $h;
}

sub dkim {
	my ($dom) = @_;
	my $b = b64line(192);
	$b =~ s/(.{70})/$1\n\t /g;
	return "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=$dom;\n"
	    . "\ts=2023; t=" . (1700000000 + rnd(9999999)) . ";\n"
	    . "\th=from:to:subject:date:message-id:mime-version:content-type;\n"
	    . "\tbh=" . b64line(32) . ";\n\tb=$b\n";
}

# ------------------------------------------------------------ bodies

# A text body of about $size bytes.
sub text_of {
	my ($size) = @_;
	my $s = "Hello,\n\n";
	$s .= $paras[rnd(scalar @paras)] . "\n" while length($s) < $size;
	return $s . "-- \nSent from a benchmark\n";
}

sub body_size {    # log-uniform in 1-20 KB
	return int(1024 * exp(rnd(3000) / 1000.0));
}

my $bseq = 0;
sub mime {
	my ($i) = @_;
	my $text = text_of(body_size());
	my $k = rnd(100);
	if ($k < 60) {
		return ("Content-Type: text/plain; charset=utf-8\n"
		    . "Content-Transfer-Encoding: 8bit\n", $text);
	}
	my $b = sprintf('=_bench_%d_%d', $seed, ++$bseq);
	my $part = "Content-Type: text/plain; charset=utf-8\n"
	    . "Content-Transfer-Encoding: 8bit\n\n$text";
	if ($k < 83) {
		(my $html = $text) =~ s/\n\n/<\/p>\n<p>/g;
		$part .= "\n--$b\nContent-Type: text/html; charset=utf-8\n"
		    . "Content-Transfer-Encoding: 8bit\n\n"
		    . "<html><body><p>$html</p></body></html>\n";
		return ("Content-Type: multipart/alternative; boundary=\"$b\"\n",
		    "This is a multi-part message in MIME format.\n\n--$b\n$part\n--$b--\n");
	}
	my $len = 2048 + rnd(58 * 1024);
	my $data = substr($blob x (1 + int($len / 65536)), rnd(4096), $len);
	my $name = pick('report.pdf', 'photo.jpg', 'slides.pptx', 'data.csv',
	    'invoice-' . $i . '.pdf');
	my $type = $name =~ /\.pdf$/ ? 'application/pdf'
	    : $name =~ /\.jpg$/ ? 'image/jpeg' : 'application/octet-stream';
	return ("Content-Type: multipart/mixed; boundary=\"$b\"\n",
	    "This is a multi-part message in MIME format.\n\n--$b\n$part\n--$b\n"
	    . "Content-Type: $type; name=\"$name\"\n"
	    . "Content-Disposition: attachment; filename=\"$name\"\n"
	    . "Content-Transfer-Encoding: base64\n\n"
	    . encode_base64($data) . "\n--$b--\n");
}

# ------------------------------------------------------------ messages

my $now = time;
my ($t, $bytes) = ($base, 0);
my @recent;    # the last messages, for threads: [message-id, refs, subject]

for my $i (1 .. $count) {
	$t += 60 + rnd(600);
	my $from = pick(@people);
	my $mid = "<bench$seed.$i." . sprintf('%x', rnd(2**31)) . "\@mail.example.org>";
	my ($subject, @refs, $irt);
	if (@recent && chance(0.4)) {
		my $p = $recent[rnd(scalar @recent)];
		$irt = $p->[0];
		@refs = (@{$p->[1]}, $p->[0]);
		shift @refs while @refs > 10;
		$subject = $p->[2] =~ /^Re: / ? $p->[2] : "Re: $p->[2]";
	} else {
		$subject = subject($i);
	}
	push @recent, [$mid, [@refs], $subject];
	shift @recent while @recent > 50;
	my $list = $subject =~ /\[dev-list\]/;
	my $dom = $from =~ /\@([^>]+)/ ? $1 : 'example.org';
	my ($ctype, $body) = mime($i);

	my $h = "Return-Path: <bounce\@$dom>\n" . "Delivered-To: petrel\@example.org\n"
	    . received($i, $t);
	$h .= dkim($dom) if chance(0.7);
	$h .= "Authentication-Results: mail.example.org; dkim=pass header.d=$dom;"
	    . "\n\tspf=pass smtp.mailfrom=$dom\n";
	$h .= "Date: " . date($t) . "\n" . "From: $from\n";
	my @to = ($me);
	push @to, pick(@people) for 1 .. rnd(3);
	$h .= 'To: ' . join(",\n\t", @to) . "\n";
	$h .= 'Cc: ' . join(",\n\t", map { pick(@people) } 0 .. rnd(3)) . "\n"
	    if chance(0.3);
	$h .= "Subject: $subject\n" . "Message-ID: $mid\n";
	$h .= "In-Reply-To: $irt\n" if defined $irt;
	$h .= 'References: ' . join("\n\t", @refs) . "\n" if @refs;
	if ($list) {
		$h .= "List-Id: Developers <dev-list.lists.example.org>\n"
		    . "List-Unsubscribe: <mailto:dev-list-leave\@lists.example.org>,\n"
		    . "\t<https://lists.example.org/unsubscribe/dev-list>\n"
		    . "List-Post: <mailto:dev-list\@lists.example.org>\n"
		    . "Precedence: list\n";
	}
	$h .= "X-Mailer: " . pick(@mailers) . "\n" if chance(0.6);
	$h .= "MIME-Version: 1.0\n" . $ctype;

	my @fl;
	push @fl, 'D' if chance(0.01);
	push @fl, 'F' if chance(0.08);
	my $seen = chance(0.7);
	push @fl, 'R' if $seen && chance(0.14);
	push @fl, 'S' if $seen;
	my $msg = "$h\n$body";
	my $fname = sprintf('%d.M%07dP%dQ%d.bench', $now, $i, $$, $seed);
	my $tmp = "$dir/tmp/$fname";
	open(my $fh, '>', $tmp) or die "$tmp: $!\n";
	print $fh $msg or die "$tmp: $!\n";
	close($fh) or die "$tmp: $!\n";
	utime($t, $t, $tmp) or die "$tmp: $!\n";    # INTERNALDATE
	chown($uid, $gid, $tmp) or die "$tmp: $!\n" if $uid >= 0;
	# S= (file size) and W= (size with CRLF line ends) let Dovecot answer
	# RFC822.SIZE without reading the file, as for mail it delivered itself.
	my $size = length($msg);
	my $vsize = $size + ($msg =~ tr/\n//);
	rename($tmp, "$dir/cur/$fname,S=$size,W=$vsize:2," . join('', @fl)) or die "$tmp: $!\n";
	$bytes += length $msg;
}
printf STDERR "gen-mail: %d messages, %.1f MB\n", $count, $bytes / 1e6;
