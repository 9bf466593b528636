#!/bin/sh
# A resized terminal (SIGWINCH) is redrawn at once: the status line moves to
# the new second-to-last row, long subjects are cut to the new width without
# splitting a wide character, and the pager re-wraps.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
ui_msg "$TMPD/m1" "宽字符主题 wide characters in a long subject that will not fit at all" \
	"$(printf 'word %.0s' $(seq 1 60))"
dovecot_append INBOX "$TMPD/m1" >/dev/null
petrel_config_tunnel "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "online"
expect_match "$(ui_line 28)" '^-- dovecot: INBOX' "status line at 100x30"

tmux -S "$UI_SOCK" resize-window -t ui -x 50 -y 12
_status_at_10() { ui_line 10 | grep -q '^-- dovecot: INBOX'; }
wait_until 5 _status_at_10 || _ui_fail "status line not on row 10 after resize"
row=$(ui_line 1)
# Every line fits in 50 columns.
w=$(printf '%s' "$row" | LC_ALL=C.UTF-8 wc -L)
[ "$w" -le 50 ] || fail "row wider than 50 columns ($w): $row"
expect_match "$row" '宽字符' "wide characters kept"

ui_keys Enter
ui_wait "Subject:"
long=$(ui_screen | awk 'length($0) > 0' | LC_ALL=C.UTF-8 wc -L)
[ "$long" -le 50 ] || fail "pager wider than 50 columns"
tmux -S "$UI_SOCK" resize-window -t ui -x 100 -y 30
_status_at_28() { ui_line 28 | grep -q '^-- dovecot: INBOX'; }
wait_until 5 _status_at_28 || _ui_fail "status line not back on row 28"
ui_keys q
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
