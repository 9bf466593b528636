# show-hostile.sh: a message whose Subject, From, body and attachment name
# carry terminal escape sequences (raw and RFC 2047-encoded), C1 controls,
# BEL, CR and U+202E prints harmlessly in show, ls and search: no control
# character but TAB and LF, no bidi override (INTERFACE.md "Text safety"),
# while the readable text around them survives.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

command -v perl >/dev/null 2>&1 || skip "perl is needed"
dovecot_start
msg=$TMPD/hostile.eml
# \033 ESC, \007 BEL, \302\233 (U+009B, 8-bit CSI), \342\200\256 U+202E.
# =1B is ESC and =E2=80=AE U+202E inside encoded words.
{
	printf 'From: =?UTF-8?Q?Evil=1B[31m_=E2=80=AE_Boss?= <evil@example.org>\n'
	printf 'To: petrel@example.org\n'
	printf 'Subject: Hi \033]0;pwned\007 there \342\200\256gnp.exe =?UTF-8?Q?=1B[2J=C2=9Bclear?= quarterly\n'
	printf 'Date: Tue, 02 Apr 2024 10:00:00 +0000\n'
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\n\n'
	printf -- '--b1\nContent-Type: text/plain; charset=utf-8\n\n'
	printf 'Body \033[2J clear, RLO \342\200\256here, C1 \302\23331m, bell \007,\n'
	printf 'carriage\rreturn and zanzibarword.\n'
	printf -- '--b1\nContent-Type: application/octet-stream\n'
	printf 'Content-Disposition: attachment; filename="=?UTF-8?Q?x=1B[1mfdp=E2=80=AE.exe?="\n\n'
	printf 'data\n--b1--\n'
} >"$msg"
uid=$(dovecot_append INBOX "$msg")
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX

# harmless FILE WHAT: only TAB/LF among the controls, no C1, no bidi
# controls (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C), valid UTF-8.
harmless() {
	perl -e '
	local $/;
	my $s = <STDIN>;
	exit 1 if $s =~ /[\x00-\x08\x0b-\x1f\x7f]/;
	exit 2 if $s =~ /\xc2[\x80-\x9f]/;
	exit 3 if $s =~ /\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c/;
	utf8::decode($s) or exit 4;
	' <"$1" || fail "$2 holds something a terminal would interpret"
}

expect_exit 0 "$PETREL" -F "$cfg" show INBOX "$uid"
cp "$TMPD/out" "$TMPD/show"
harmless "$TMPD/show" "show"
expect_match "$OUT" '^From: Evil.*Boss <evil@example\.org>$' "From kept"
expect_match "$OUT" '^Subject: Hi .*there .*gnp\.exe.*clear quarterly$' \
	"Subject kept"
expect_match "$OUT" '^Body .*clear, RLO .*here' "body kept"
expect_match "$OUT" 'zanzibarword' "body end kept"
expect_match "$OUT" '^\[1\] .*fdp.*\.exe \(application/octet-stream, 4 bytes\)$' \
	"attachment line"

expect_exit 0 "$PETREL" -F "$cfg" ls INBOX
cp "$TMPD/out" "$TMPD/ls"
harmless "$TMPD/ls" "ls"
expect_exit 0 "$PETREL" -F "$cfg" search INBOX from:evil quarterly
cp "$TMPD/out" "$TMPD/search"
harmless "$TMPD/search" "search"
expect_lines 1 "$OUT" "search result"
# The body was indexed when show fetched it.
expect_exit 0 "$PETREL" -F "$cfg" search INBOX zanzibarword
expect_eq "$(printf '%s\n' "$OUT" | cut -f1)" "$uid" "body word found"

dir=$TMPD/saved
mkdir "$dir"
expect_exit 0 "$PETREL" -F "$cfg" show --save "$dir" INBOX "$uid"
cp "$TMPD/out" "$TMPD/save"
harmless "$TMPD/save" "show --save"
ls "$dir" >"$TMPD/names"
harmless "$TMPD/names" "the saved file name"
expect_lines 1 "$(cat "$TMPD/names")" "one file saved"
pass
