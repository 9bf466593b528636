#!/bin/sh
# The interface's configuration: a bad [bind] or [color] line is exit 78
# naming FILE:LINE (checked before the terminal is touched); without a
# terminal the interface exits 64; NO_COLOR turns colours off; --offline
# never connects and says what is missing.
. "$PETREL_SRCDIR/tests/lib.sh"

cfg=$TMPD/config
base() {
	printf '[account a]\ntunnel = false\ncache = %s/cache.sqlite\n' "$TMPD" >"$cfg"
	chmod 600 "$cfg"
}

base
printf '[bind]\nindex.x = frobnicate\n' >>"$cfg"
expect_exit 78 "$PETREL" -F "$cfg"
expect_match "$ERR" "config:5: \[bind\] index.x: unknown action 'frobnicate'" "unknown action"

base
printf '[bind]\nsidebar.x = quit\n' >>"$cfg"
expect_exit 78 "$PETREL" -F "$cfg"
expect_match "$ERR" 'config:5: \[bind\] sidebar.x: unknown map' "unknown map"

base
printf '[bind]\nmailboxes.F = toggle-flagged\n' >>"$cfg"
expect_exit 78 "$PETREL" -F "$cfg"
expect_match "$ERR" "config:5: .*'toggle-flagged' does not exist in the mailboxes map" "action not in map"

base
printf '[bind]\nindex.<Nope> = quit\n' >>"$cfg"
expect_exit 78 "$PETREL" -F "$cfg"
expect_match "$ERR" 'config:5: \[bind\] index.<Nope>: unknown key name' "key name"

base
printf '[color]\nstatus = white blue\nindex = red\n' >>"$cfg"
expect_exit 78 "$PETREL" -F "$cfg"
expect_match "$ERR" 'config:6: \[color\] index: unknown item' "colour item"

base
printf '[color]\nstatus = bold chartreuse\n' >>"$cfg"
expect_exit 78 "$PETREL" -F "$cfg"
expect_match "$ERR" "config:5: \[color\] status: unknown colour or attribute 'chartreuse'" "colour name"

base
printf '[bind]\nindex.<space> = page-down\npager.^N = next-message\n[color]\nnew = bold color208 default\n' >>"$cfg"
expect_exit 64 "$PETREL" -F "$cfg"
expect_match "$ERR" 'needs a terminal' "no terminal"

# In a terminal: --offline on an empty cache, with and without colours.
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"
base
ui_start -F "$cfg" --offline
ui_wait "not in the cache (offline)"
ui_wait "-- a: INBOX -- offline"
colours=$(tmux -S "$UI_SOCK" capture-pane -e -p -t ui | grep -c '38;5;\|48;5;\|\[3[0-7]m\|\[4[0-7]m')
[ "$colours" -gt 0 ] || fail "no colours drawn by default"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
ui_end

UI_ENV="NO_COLOR=1"
ui_start -F "$cfg" --offline
ui_wait "-- a: INBOX -- offline"
colours=$(tmux -S "$UI_SOCK" capture-pane -e -p -t ui | grep -c '38;5;\|48;5;\|\[3[0-7]m\|\[4[0-7]m')
expect_eq "$colours" 0 "lines with colours under NO_COLOR"
ui_quit
pass
