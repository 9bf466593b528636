# search-prefetch.sh: with prefetch_days, `petrel sync` caches the bodies
# of the messages dated within that many days (BODY.PEEK: no \Seen), so
# they can be shown offline and their body words searched; older bodies
# are left on the server; a later sync fetches nothing again.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 10 3 # 2023: old
DOVE_SEED_BASE=$(($(date +%s) - 5 * 86400)) dovecot_seed INBOX 10 4
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
echo "prefetch_days = 30" >>"$cfg"
truth=$(dovecot_truth INBOX)

expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_eq "$ERR" "" "sync stderr"
expect_eq "$(dovecot_truth INBOX)" "$truth" "server flags after prefetch"
sent=$(dovecot_client_sent)
printf '%s\n' "$sent" | grep -i 'BODY\[' | grep -vi 'BODY\.PEEK\[' &&
	fail "a body was fetched without PEEK"
fetches=$(printf '%s\n' "$sent" | grep -c 'BODY\.PEEK\[\]')
expect_eq "$fetches" 1 "one UID FETCH for the ten recent bodies"

# A second sync has nothing left to fetch.
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_eq "$(dovecot_client_sent | grep -c 'BODY\.PEEK\[\]')" 1 \
	"fetches after a second sync"

# Every text body of seed 4 that the generator wrote in UTF-8 or ASCII
# ends with "... N, seed 4."; the old ones say "seed 3." but are not
# cached, so body:seed finds exactly the recent ones that have it.
maildir=$(dove_adm mailbox path INBOX) || fail "no INBOX path"
want=
uid=0
# UIDs follow the file names within one seeding, and seedings in order.
for f in $(ls "$maildir/cur" | grep 'Q3\.petrel' | sort) \
	$(ls "$maildir/cur" | grep 'Q4\.petrel' | sort); do
	uid=$((uid + 1))
	grep -q ', seed 4\.$' "$maildir/cur/$f" && want="$want$uid "
done
[ -n "$want" ] || fail "no seed-4 body mentions its seed"

# Recent bodies are there with no server; old ones are not.
dovecot_stop
for uid in 11 15 20; do
	expect_exit 0 "$PETREL" -F "$cfg" --offline show INBOX "$uid"
done
for uid in 1 10; do
	expect_exit 66 "$PETREL" -F "$cfg" --offline show INBOX "$uid"
done
expect_exit 0 "$PETREL" -F "$cfg" search INBOX body:seed
expect_eq "$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')" "$want" \
	"body:seed after prefetch"
pass
