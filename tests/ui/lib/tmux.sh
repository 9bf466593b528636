# tests/ui/lib/tmux.sh: drive petrel's interface inside a private tmux
# server (sourced after tests/lib.sh; see tests/ui/README).
#
#   ui_start ARGS...        run "$PETREL ARGS" in a 100x30 window
#   ui_keys KEY...          tmux send-keys (tmux key names: Enter, Down, C-l)
#   ui_screen               the screen as text
#   ui_wait TEXT [SECS]     until the screen shows TEXT (fixed string)
#   ui_wait_re ERE [SECS]   until some line of the screen matches ERE
#   ui_wait_gone TEXT [SECS]
#   ui_wait_exit [SECS]     until petrel exits; its status in UI_RC
#   wait_until SECS CMD...  until CMD succeeds
#   ui_end                  stop the tmux server (before another ui_start)
#
# Every wait polls every 0.1 s up to its timeout (default 10 s) and fails
# with the screen shown: no fixed sleeps.

command -v tmux >/dev/null 2>&1 || skip "tmux not found"
UI_SOCK=$TMPD/tmux.sock
UI_RC=
at_exit "tmux -S '$UI_SOCK' kill-server 2>/dev/null"

_ui_tmux() { tmux -S "$UI_SOCK" "$@"; }

ui_start() {
	_run=$TMPD/run-ui.sh
	{
		echo '#!/bin/sh'
		echo "cd '$TMPD' || exit 1"
		printf '%s' "exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=${UI_TERM:-screen-256color}"
		printf ' %s' "${UI_ENV:-}"
		printf " '%s'" "$PETREL" "$@"
		echo
	} >"$_run.inner"
	{
		echo '#!/bin/sh'
		echo "sh '$_run.inner' 2>'$TMPD/ui.stderr'"
		echo "echo \$? >'$TMPD/ui.rc'"
		echo 'exec sleep 3600'
	} >"$_run"
	rm -f "$TMPD/ui.rc"
	_ui_tmux -f /dev/null new-session -d -s ui -x 100 -y 30 "sh '$_run'" ||
		fail "tmux could not start"
}

# ui_end: stop the tmux server and wait until it is gone: a new server
# started on the socket of a dying one exits at once.
_ui_gone() { ! _ui_tmux has-session 2>/dev/null; }
ui_end() {
	_ui_tmux kill-server 2>/dev/null
	_ui_poll 10 _ui_gone || fail "the tmux server did not stop"
}

ui_keys() { _ui_tmux send-keys -t ui "$@"; }
ui_screen() { _ui_tmux capture-pane -p -t ui; }

_ui_poll() { # SECS TEST-CMD...
	_secs=$1
	shift
	_n=$((_secs * 10))
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

_ui_has() { ui_screen | grep -qF -- "$1"; }
_ui_has_re() { ui_screen | grep -qE -- "$1"; }
_ui_lacks() { ! _ui_has "$1"; }

_ui_fail() {
	echo "---- screen ----"
	ui_screen
	echo "---- stderr ----"
	cat "$TMPD/ui.stderr" 2>/dev/null
	fail "$@"
}

ui_wait() {
	_ui_poll "${2:-10}" _ui_has "$1" || _ui_fail "screen never showed: $1"
}
ui_wait_re() {
	_ui_poll "${2:-10}" _ui_has_re "$1" || _ui_fail "no screen line matched: $1"
}
ui_wait_gone() {
	_ui_poll "${2:-10}" _ui_lacks "$1" || _ui_fail "screen still shows: $1"
}

ui_wait_exit() {
	_ui_poll "${1:-10}" test -s "$TMPD/ui.rc" || _ui_fail "petrel did not exit"
	UI_RC=$(cat "$TMPD/ui.rc")
}

wait_until() {
	_s=$1
	shift
	_ui_poll "$_s" "$@"
}

# ui_line N: line N (0-based) of the screen.
ui_line() { ui_screen | sed -n "$(($1 + 1))p"; }

# ui_msg FILE SUBJECT BODY [FROM]: write a small message to FILE.
ui_msg() {
	printf 'From: %s\r\nTo: you@example.org\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
		"${4:-Tester <tester@example.org>}" "$2" \
		"$(date -u '+%a, %d %b %Y %H:%M:%S +0000')" \
		"$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" "$3" >"$1"
}

# replay_built: the sync engine sends queued edits (queue replay is built
# into this petrel). Tests that check the server's flags need it.
replay_built() {
	"$PETREL" -F /dev/null pending >/dev/null 2>&1
	[ $? -ne 70 ]
}

# ui_quit: q from the index, answering y if petrel asks about queued edits;
# then wait for the exit (status in UI_RC).
_ui_quit_state() { test -s "$TMPD/ui.rc" || _ui_has "Quit? (y/n)"; }
ui_quit() {
	ui_keys q
	_ui_poll 10 _ui_quit_state || _ui_fail "q did not quit"
	test -s "$TMPD/ui.rc" || ui_keys y
	ui_wait_exit
}
