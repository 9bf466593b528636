# flag-devices.sh: flag edits across devices (DESIGN.md "Flag edits across
# devices", INTERFACE.md flag/pending) against a real Dovecot, with
# doveadm as the other device. After every step `pending` is empty and
# `ls` equals the server's truth.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
dovecot_seed INBOX 30 11
dovecot_flag INBOX 1:30 remove '\Seen' '\Flagged' '\Answered' '\Deleted' '\Draft'
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX

converged() { # WHAT
	expect_exit 0 "$PETREL" -F "$cfg" pending
	expect_eq "$OUT" "" "$1: pending"
	"$PETREL" -F "$cfg" ls INBOX | cut -f1-3 >"$TMPD/ls"
	dovecot_truth INBOX >"$TMPD/truth"
	diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "$1: ls differs from the server"
}
flags_of() { # UID
	dovecot_truth INBOX | awk -F '\t' -v u="$1" '$1 == u { print $3 }'
}

# (a) Different flags on the same message, concurrently: both survive.
expect_exit 0 "$PETREL" -F "$cfg" --offline flag INBOX 5 +'\Flagged'
expect_exit 0 "$PETREL" -F "$cfg" pending
expect_match "$OUT" '^INBOX	5	\\Flagged		[0-9]+$' "(a) queued edit"
dovecot_flag INBOX 5 add '\Answered'
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_eq "$(flags_of 5)" '\Answered \Flagged' "(a) both flags"
converged "(a)"

# (b) The same flag, concurrently: the other device clears \Seen that the
# user is setting; the result converges (cache == server).
dovecot_flag INBOX 6 add '\Seen'
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_exit 0 "$PETREL" -F "$cfg" --offline flag INBOX 6 -'\Seen'
dovecot_flag INBOX 6 remove '\Seen'
dovecot_flag INBOX 6 add '\Seen'
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_eq "$(flags_of 6)" "" "(b) the user's removal applied"
converged "(b)"

# (c) Offline edits across restarts are replayed after reconnect.
expect_exit 0 "$PETREL" -F "$cfg" --offline flag INBOX 10:12 +'\Seen'
expect_exit 0 "$PETREL" -F "$cfg" --offline flag INBOX 12 +'$Todo'
expect_exit 0 "$PETREL" -F "$cfg" pending
expect_lines 3 "$OUT" "(c) queued edits"
expect_exit 0 "$PETREL" -F "$cfg" ls INBOX
expect_match "$OUT" '^12	[0-9]+	\$Todo \\Seen	' "(c) the user's view"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX
expect_eq "$(flags_of 12)" '$Todo \Seen' "(c) replayed"
converged "(c)"

# (d) \Deleted on a message another device changed since the user saw it
# is not forced: exit 75, one line naming the message and its flags.
dovecot_flag INBOX 7 add '\Flagged'
expect_exit 75 "$PETREL" -F "$cfg" flag INBOX 7 +'\Deleted'
expect_lines 1 "$ERR" "(d) conflict report"
expect_match "$ERR" 'UID 7.*\\Flagged' "(d) conflict report"
expect_eq "$(flags_of 7)" '\Flagged' "(d) server unchanged"
converged "(d)"

# A \Deleted edit on an unchanged message is applied.
expect_exit 0 "$PETREL" -F "$cfg" flag INBOX 8 +'\Deleted'
expect_eq "$(flags_of 8)" '\Deleted' "(d2) \\Deleted applied"
converged "(d2)"

# (e) Another device's \Deleted messages are never expunged by petrel.
dovecot_flag INBOX 9 add '\Deleted'
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace.e" sync INBOX
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace.e" flag INBOX 9 +'\Seen'
expect_eq "$(flags_of 9)" '\Deleted \Seen' "(e) still on the server"
grep -Eiq ' C: [a-z0-9]+ (UID )?(EXPUNGE|CLOSE)' "$TMPD/trace.e" &&
	fail "(e) EXPUNGE or CLOSE was sent"
converged "(e)"

# (f) Toggling twice offline sends nothing.
expect_exit 0 "$PETREL" -F "$cfg" --offline flag INBOX 14 +'\Flagged'
expect_exit 0 "$PETREL" -F "$cfg" --offline flag INBOX 14 -'\Flagged'
expect_exit 0 "$PETREL" -F "$cfg" pending
expect_eq "$OUT" "" "(f) nothing queued"
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace.f" sync INBOX
grep -Eiq ' C: [a-z0-9]+ UID STORE' "$TMPD/trace.f" &&
	fail "(f) a STORE was sent"
converged "(f)"

# Conditional STOREs are +FLAGS/-FLAGS with UNCHANGEDSINCE (Q-24, Q-31).
expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace.g" flag INBOX 15:16 +'\Seen'
expect_match "$(grep ' C: ' "$TMPD/trace.g")" \
	'UID STORE 15:16 \(UNCHANGEDSINCE [0-9]+\) \+FLAGS\.SILENT \(\\\\Seen\)' \
	"conditional STORE"
converged "(g)"

# An unreachable server is not an error for flag: the edit stays queued.
sed 's/^tunnel = .*/tunnel = exit 1/' "$cfg" >"$TMPD/config.down"
chmod 600 "$TMPD/config.down"
expect_exit 0 "$PETREL" -F "$TMPD/config.down" flag INBOX 17 +'\Flagged'
expect_lines 1 "$ERR" "unreachable notice"
expect_match "$ERR" 'stays queued' "unreachable notice"
expect_exit 0 "$PETREL" -F "$cfg" pending
expect_match "$OUT" '^INBOX	17	\\Flagged' "queued while unreachable"

# Usage and data errors.
expect_exit 65 "$PETREL" -F "$cfg" --offline flag INBOX 'x:y' +'\Seen'
expect_exit 65 "$PETREL" -F "$cfg" --offline flag INBOX 3 +'bad(flag'
expect_exit 64 "$PETREL" -F "$cfg" --offline flag INBOX 3 'Seen'
expect_exit 66 "$PETREL" -F "$cfg" --offline flag NoSuchBox 3 +'\Seen'
expect_exit 66 "$PETREL" -F "$cfg" --offline flag INBOX 999 +'\Seen'
pass
