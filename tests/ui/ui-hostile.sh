#!/bin/sh
# Hostile header and body text is drawn harmlessly: escape sequences (a
# window title change, clear screen, colours), C1 controls and bidi
# overrides are removed; the rest of the text is shown.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
ui_msg "$TMPD/ok" "an ordinary message" "nothing to see"
dovecot_append INBOX "$TMPD/ok" >/dev/null
esc=$(printf '\033')
bel=$(printf '\007')
rlo=$(printf '\342\200\256')
ui_msg "$TMPD/evil" "evil ${esc}]2;HACKED${bel}${esc}[2J${esc}[31mred ${rlo}desrever end" \
	"body ${esc}]2;HACKED2${bel}${esc}[2J visible ${rlo}txet end" \
	"Mallory ${esc}[5m <mallory@example.org>"
dovecot_append INBOX "$TMPD/evil" >/dev/null
petrel_config_tunnel "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "online"
ui_wait "an ordinary message"
ui_wait "desrever end"
ui_wait_re 'evil \]2;HACKED ?\[2J ?\[31mred desrever end'
ui_keys Enter
ui_wait "visible txet end"
screen=$(ui_screen)
case $screen in
*"$rlo"* | *"$esc"*) fail "a control character reached the screen" ;;
esac
title=$(tmux -S "$UI_SOCK" display-message -p -t ui '#{pane_title}')
case $title in *HACKED*) fail "the window title was changed: $title" ;; esac
ui_keys q
ui_wait "an ordinary message"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
