# show-basic.sh: `petrel show` of seeded messages against a real Dovecot:
# headers as ls prints them, the text body, one line per attachment; the
# body is fetched with BODY.PEEK over EXAMINE (\Seen never set), cached,
# and shown offline afterwards; errors and their exit statuses
# (INTERFACE.md); a UID expunged on the server meanwhile is "no such
# message" and leaves the cache (RFC 7162 client checklist T-13).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 40 5
dovecot_seed Work 3 6
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
# The same cache behind a server that cannot be reached.
{
	echo "[account dead]"
	echo "tunnel = exit 1"
	echo "cache = $TMPD/cache/dovecot.sqlite"
} >>"$cfg"

expect_exit 0 "$PETREL" -F "$cfg" sync INBOX Work
truth_before=$(dovecot_truth INBOX)
maildir=$(dove_adm mailbox path INBOX) || fail "no INBOX path"
ls "$maildir/cur" | sort >"$TMPD/files"
dovecot_expected INBOX >"$TMPD/expected"
expect_lines 40 "$(cat "$TMPD/expected")" "expected messages"

with_att=0
tab=$(printf '\t')
while IFS=$tab read -r uid date from subject; do
	expect_exit 0 "$PETREL" -F "$cfg" show INBOX "$uid"
	printf '%s\n' "$OUT" >"$TMPD/show.$uid"
	expect_eq "$(sed -n 1p "$TMPD/show.$uid")" "Date: $date" "UID $uid Date"
	expect_eq "$(sed -n 2p "$TMPD/show.$uid")" "From: $from" "UID $uid From"
	expect_match "$(sed -n 3p "$TMPD/show.$uid")" '^To: .*petrel@example\.org' \
		"UID $uid To"
	# The header block ends with Subject, then one blank line.
	expect_eq "$(sed '/^$/q' "$TMPD/show.$uid" | tail -n 2 | tr '\n' '|')" \
		"Subject: $subject||" "UID $uid Subject, the last header"
	# Every generated text body opens with one of these lines.
	first=$(sed -n '/^$/{n;p;q;}' "$TMPD/show.$uid")
	case $first in
	"Hello," | "Grüße," | "Grüße aus Köln.") ;;
	*) fail "UID $uid: body starts with [$first]" ;;
	esac
	# One [N] NAME (TYPE, SIZE) line per attachment of the raw message.
	file=$(sed -n "${uid}p" "$TMPD/files")
	want=$(grep -c '^Content-Disposition: attachment' "$maildir/cur/$file")
	got=$(grep -Ec '^\[[0-9]+\] .+ \([a-z]+/[a-z0-9.+-]+, [0-9]+ bytes?\)$' \
		"$TMPD/show.$uid")
	expect_eq "$got" "$want" "UID $uid attachment lines"
	[ "$want" -gt 0 ] && with_att=$((with_att + 1))
done <"$TMPD/expected"
[ "$with_att" -gt 0 ] || fail "no seeded message had attachments"

# Reading never set \Seen (or anything else) on the server.
expect_eq "$(dovecot_truth INBOX)" "$truth_before" "server flags after show"
sent=$(dovecot_client_sent)
printf '%s\n' "$sent" | grep -i 'BODY\[' | grep -vi 'BODY\.PEEK\[' &&
	fail "a body was fetched without PEEK"
printf '%s\n' "$sent" | grep -Eiq '^[^ ]+ EXAMINE ' ||
	fail "show did not EXAMINE"
expect_eq "$(printf '%s\n' "$sent" | grep -c 'BODY.PEEK\[\]')" 40 \
	"one body fetch per message"

# A cached body is not fetched again.
expect_exit 0 "$PETREL" -F "$cfg" show INBOX 1
expect_eq "$OUT" "$(cat "$TMPD/show.1")" "second show"
expect_eq "$(dovecot_client_sent | grep -c 'BODY.PEEK\[\]')" 40 \
	"fetches after a second show"

# Errors.
expect_exit 66 "$PETREL" -F "$cfg" show INBOX 4000
expect_lines 1 "$ERR" "unknown UID message"
expect_exit 66 "$PETREL" -F "$cfg" show NoSuchBox 1
expect_lines 1 "$ERR" "unknown mailbox message"
for bad in x 0 -1 4294967296 1:2 ""; do
	expect_exit 65 "$PETREL" -F "$cfg" show INBOX "$bad"
	expect_lines 1 "$ERR" "malformed UID [$bad] message"
done
expect_exit 64 "$PETREL" -F "$cfg" show INBOX
expect_exit 64 "$PETREL" -F "$cfg" show --bogus INBOX 1
expect_exit 66 "$PETREL" -F "$cfg" --offline show Work 2
expect_eq "$ERR" "petrel: the body of UID 2 is not cached; run petrel sync or show without --offline" \
	"offline, not cached"
expect_exit 69 "$PETREL" -F "$cfg" -a dead show Work 2
expect_lines 1 "$ERR" "unreachable server message"

# T-13: expunged by another device since the last sync.
dovecot_expunge Work 3
expect_exit 66 "$PETREL" -F "$cfg" show Work 3
expect_match "$ERR" 'UID 3 .*no longer exists' "vanished UID message"
expect_exit 0 "$PETREL" -F "$cfg" ls Work
expect_eq "$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')" "1 2 " \
	"ls after the vanished UID"

# Cached bodies are shown with no server at all.
dovecot_stop
for uid in 1 7 40; do
	expect_exit 0 "$PETREL" -F "$cfg" --offline show INBOX "$uid"
	expect_eq "$OUT" "$(cat "$TMPD/show.$uid")" "offline show of UID $uid"
	expect_exit 0 "$PETREL" -F "$cfg" -a dead show INBOX "$uid"
	expect_eq "$OUT" "$(cat "$TMPD/show.$uid")" "cached show of UID $uid"
done
expect_exit 66 "$PETREL" -F "$cfg" --offline show Work 1
pass
