# search-basic.sh: `petrel search` over a synced cache of seeded messages:
# each operator alone and combined (AND), non-ASCII and accent-insensitive
# words, is:unread/is:flagged from the server's flags, before:/after:
# (UTC days, before exclusive, after inclusive), the `ls` line format,
# errors and their exit statuses, and that it works with no server.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 80 11
dovecot_flag INBOX 3,9,20:24 add '\Flagged'
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX

# UID DATE FROM SUBJECT FLAGS of every message, from the server's side.
dovecot_truth INBOX >"$TMPD/truth"
dovecot_expected INBOX >"$TMPD/expected"
awk -F'\t' 'NR == FNR { fl[$1] = $3; next } { print $0 "\t" fl[$1] }' \
	"$TMPD/truth" "$TMPD/expected" >"$TMPD/table"
expect_lines 80 "$(cat "$TMPD/table")" "table"

# want AWK-CONDITION: the UIDs of the table rows that satisfy it.
want() {
	awk -F'\t' "$1"' { printf "%s ", $1 }' "$TMPD/table"
}
# check WANT QUERY...: search INBOX prints exactly the rows of WANT.
check() {
	_cw=$1
	shift
	expect_exit 0 "$PETREL" -F "$cfg" search INBOX "$@"
	_got=$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')
	[ -n "$OUT" ] || _got=
	expect_eq "$_got" "$_cw" "search $*"
	[ -n "$_cw" ] || return 0
	# The lines are those of ls.
	expect_exit 0 "$PETREL" -F "$cfg" ls INBOX
	printf '%s\n' "$OUT" >"$TMPD/ls"
	for _u in $_cw; do
		grep "^$_u	" "$TMPD/ls"
	done >"$TMPD/ls.want"
	expect_exit 0 "$PETREL" -F "$cfg" search INBOX "$@"
	expect_eq "$OUT" "$(cat "$TMPD/ls.want")" "search $* lines"
}
nonempty() {
	[ -n "$1" ] || fail "$2: the seed gives no such message"
}

jose=$(want '$3 ~ /<jose@example\.de>$/')
nonempty "$jose" "José"
check "$jose" from:jose
check "$jose" 'from:"José Müller"'
check "$jose" FROM:MÜLLER
check "$jose" from:muller
check "$jose" from:jose@example.de
tanaka=$(want '$3 ~ /田中 太郎/')
nonempty "$tanaka" "田中"
check "$tanaka" from:田中
check "$tanaka" 'from:"田中 太郎"'
check "" 'from:"太郎 田中"'
zoe=$(want '$3 ~ /Zoë/')
check "$zoe" from:zoe

quarterly=$(want 'tolower($4) ~ /quarterly/')
nonempty "$quarterly" "Quarterly"
check "$quarterly" subject:quarterly
check "$quarterly" quarterly
check "$quarterly" quarterly report
check "$quarterly" '"quarterly report"'
check "$quarterly" Quarterly 'subject:"quarterly report"'
planning=$(want '$4 ~ /planning meeting/')
check "$planning" 'subject:"planning meeting"'
check "" 'subject:"meeting planning"'
munchen=$(want '$4 ~ /München/')
check "$munchen" subject:münchen
check "$munchen" subject:MUNCHEN
deja=$(want '$4 ~ /déjà/')
check "$deja" subject:deja
check "$deja" 'subject:"Café déjà vu"'
check "$(want '1')" to:petrel@example.org
check "" to:nobody
check "" quarterly from:nobody

unread=$(want '$5 !~ /\\Seen/')
nonempty "$unread" "unread"
check "$unread" is:unread
check "$(want '$5 ~ /\\Flagged/')" is:flagged
check "$(want '$5 ~ /\\Flagged/ && $5 !~ /\\Seen/')" is:unread is:flagged
check "$(want 'tolower($4) ~ /quarterly/ && $5 !~ /\\Seen/')" \
	subject:quarterly is:unread

# DATE is the ls DATE (UTC); before: is exclusive, after: inclusive.
check "$(want '$2 < "2023-01-03"')" before:2023-01-03
check "$(want '$2 >= "2023-01-03"')" after:2023-01-03
check "$(want '$2 >= "2023-01-02" && $2 < "2023-01-04"')" \
	after:2023-01-02 before:2023-01-04
check "" after:2023-01-03 before:2023-01-03
check "$(want '$3 ~ /<jose@/ && $2 >= "2023-01-02" && $5 !~ /\\Seen/')" \
	from:jose after:2023-01-02 is:unread

# Words without letters are ignored; FTS5 syntax is just text.
check "$jose" from:jose -
check "" 'quarterly OR lunch'
check "" 'NEAR(quarterly'

# Errors: one line on stderr.
for q in before:2023-02-30 after:yesterday foo:bar is:read '"open quote' \
	from:; do
	expect_exit 65 "$PETREL" -F "$cfg" search INBOX "$q"
	expect_lines 1 "$ERR" "error for $q"
	expect_eq "$OUT" "" "output for $q"
done
expect_exit 66 "$PETREL" -F "$cfg" search NoSuchBox quarterly
expect_lines 1 "$ERR" "unknown mailbox"
expect_exit 64 "$PETREL" -F "$cfg" search INBOX

# Only the cache is read.
dovecot_stop
check "$quarterly" subject:quarterly
expect_exit 0 "$PETREL" -F "$cfg" --offline search INBOX is:unread
expect_eq "$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')" "$unread" \
	"--offline search"
pass
