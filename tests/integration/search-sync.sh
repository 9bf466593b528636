# search-sync.sh: search results follow the cache through syncs: another
# device setting \Seen or \Flagged changes is:unread/is:flagged, an
# expunged message leaves the results, and body words are found once the
# body is cached (by show).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 40 13
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX

# uids QUERY...: the UIDs search prints, space-separated.
uids() {
	expect_exit 0 "$PETREL" -F "$cfg" search INBOX "$@"
	UIDS=$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')
	[ -n "$OUT" ] || UIDS=
}
has() {
	case " $1" in
	*" $2 "*) return 0 ;;
	esac
	return 1
}

# Another device reads the first unread message and flags it.
uids is:unread
before=$UIDS
u=${before%% *}
[ -n "$u" ] || fail "no unread message in the seed"
dovecot_flag INBOX "$u" add '\Seen' '\Flagged'
uids is:unread
expect_eq "$UIDS" "$before" "is:unread before the sync (cache only)"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
uids is:unread
has "$UIDS" "$u" && fail "UID $u still unread after the sync"
expect_eq "$UIDS" "${before#"$u "}" "is:unread after the sync"
uids is:flagged
has "$UIDS" "$u" || fail "UID $u not flagged after the sync"
# ... and marks it unread again.
dovecot_flag INBOX "$u" remove '\Seen'
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
uids is:unread is:flagged
has "$UIDS" "$u" || fail "UID $u not unread again"

# An expunged message disappears from the results.
uids from:jose
jose=$UIDS
x=${jose%% *}
[ -n "$x" ] || fail "no message from José in the seed"
dovecot_expunge INBOX "$x"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
uids from:jose
expect_eq "$UIDS" "${jose#"$x "}" "from:jose after the expunge"
uids is:unread
has "$UIDS" "$x" && fail "expunged UID $x still found"

# Body words: only the headers are indexed until a body is cached. Every
# UTF-8 text body of the generator ends with "Nachricht N, seed 13.".
maildir=$(dove_adm mailbox path INBOX) || fail "no INBOX path"
k=
for f in $(ls "$maildir/cur" | sort); do
	n=${f#*.M}
	n=${n%%P*}
	n=$(expr "$n" + 0)
	if grep -q "^Nachricht $n, seed 13\.\$" "$maildir/cur/$f"; then
		k=$n
		break
	fi
done
[ -n "$k" ] || fail "no UTF-8 body in the seed"
# The generator's message number is the UID (one seeding, in order).
expect_exit 0 "$PETREL" -F "$cfg" show INBOX "$k"
expect_match "$OUT" "^Nachricht $k, seed 13\.\$" "body of UID $k"
uids body:nachricht
expect_eq "$UIDS" "$k " "body:nachricht after show"
uids nachricht "$k"
expect_eq "$UIDS" "$k " "plain body words after show"
uids '"nachricht'" $k"', seed 13"'
expect_eq "$UIDS" "$k " "body phrase after show"
uids subject:nachricht
expect_eq "$UIDS" "" "subject:nachricht"
# The body stays indexed across syncs; and flags still apply to it.
dovecot_flag INBOX "$k" add '\Seen'
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
uids body:nachricht is:unread
expect_eq "$UIDS" "" "body word, now read"
uids body:nachricht
expect_eq "$UIDS" "$k " "body word after another sync"
pass
