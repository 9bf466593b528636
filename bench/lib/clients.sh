# bench/lib/clients.sh: running petrel and mutt once, measured, against the
# benchmark's Dovecot through the counting proxy (sourced by bench/run).
#
# Every run appends one line to $BENCH_RESULTS:
#   N SCENARIO CLIENT RUN WALL_MS PEAK_RSS_KB EXIT UP_BYTES DOWN_BYTES COMMANDS
#   SERVER_MS
# (tab-separated; SERVER_MS is Dovecot's own time for the run's commands; "-" where a value does not apply) and leaves its raw
# material under $BENCH_RAWN: the proxy's log of the connection(s) (the
# client's command lines) and the client's stderr.
#
# Needs: BENCH_LIB, BENCH_TMP, BENCH_RESULTS, BENCH_RAWN, BENCH_N, PETREL,
# PROXY_PORT, PROXY_LOG and the DOVE_* variables of the fixture.

BENCH_TMUX="tmux -S $BENCH_TMP/tmux.sock -f /dev/null"
# A run that takes longer than this (seconds) is a hang.
BENCH_RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-1800}

# ------------------------------------------------------------ the proxy

# proxy_start: the counting proxy in front of Dovecot's plain IMAP port.
proxy_start() {
	PROXY_LOG=$BENCH_TMP/proxy
	rm -rf "$PROXY_LOG"
	mkdir -p "$PROXY_LOG"
	perl "$BENCH_LIB/imap-proxy.pl" --to "$DOVE_HOST:$DOVE_PORT_IMAP" \
		--log "$PROXY_LOG" --port-file "$BENCH_TMP/proxy.port" \
		</dev/null >>"$BENCH_TMP/proxy.err" 2>&1 &
	PROXY_PID=$!
	at_exit proxy_stop
	_n=0
	while [ ! -s "$BENCH_TMP/proxy.port" ] && [ "$_n" -lt 250 ]; do
		sleep 0.02
		_n=$((_n + 1))
	done
	PROXY_PORT=$(cat "$BENCH_TMP/proxy.port" 2>/dev/null)
	[ -n "$PROXY_PORT" ] || fail "the counting proxy did not start: $(cat "$BENCH_TMP/proxy.err")"
	rm -f "$BENCH_TMP/proxy.port"
}

proxy_stop() {
	[ -n "${PROXY_PID:-}" ] || return 0
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
}

# proxy_reset: forget earlier connections (before a run).
proxy_reset() {
	rm -f "$PROXY_LOG"/conn-*
}

# proxy_collect NAME: wait until every connection of the run has been
# logged, keep the logs as $BENCH_RAWN/NAME.imap and print
# "UP<TAB>DOWN<TAB>COMMANDS<TAB>SERVER_MS" summed over them ("-" for all
# if the client never connected).
proxy_collect() {
	_n=0
	while [ "$_n" -lt 500 ]; do
		# conn-K.open exists while connection K is being relayed.
		set -- "$PROXY_LOG"/conn-*.open
		[ -e "$1" ] || break
		sleep 0.01
		_n=$((_n + 1))
	done
	set -- "$PROXY_LOG"/conn-*.log
	if [ ! -e "$1" ]; then
		printf -- '-\t-\t-\t-\n'
		return
	fi
	cat "$@" >"$BENCH_RAWN/$_bench_name.imap"
	perl -ne '$u += $1 if /^up (\d+)/; $d += $1 if /^down (\d+)/;
		$c += $1 if /^commands (\d+)/; $s += $1 if /^server_ms ([\d.]+)/;
		END { printf "%d\t%d\t%d\t%.0f\n", $u, $d, $c, $s }' "$@"
}

# _record SCENARIO CLIENT RUN MEASURE-FILE COUNTS
_record() {
	if [ -s "$4" ]; then
		_m=$(cat "$4")
	else
		_m="-	-	125"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_N" "$1" "$2" "$3" "$_m" "$5" \
		>>"$BENCH_RESULTS"
	_status=$(printf '%s\n' "$_m" | cut -f3)
	if [ "$_status" != 0 ]; then
		echo "bench: $2 ($1, run $3) exited $_status; see $BENCH_RAWN/$_bench_name.err" >&2
	fi
}

# ------------------------------------------------------------ petrel

# petrel_config FILE PORT: an account for the benchmark's Dovecot (plain
# IMAP on loopback: the proxy must see the protocol).
petrel_config() {
	{
		echo "[account bench]"
		echo "host = $DOVE_HOST"
		echo "port = $2"
		echo "tls = none"
		echo "user = $DOVE_USER"
		echo "password = $DOVE_PASS"
		echo "cache = $BENCH_TMP/petrel/cache.sqlite"
		echo "mailboxes = INBOX"
	} >"$1"
	chmod 600 "$1"
}

petrel_clear_cache() {
	rm -rf "$BENCH_TMP/petrel"
}

# petrel_run SCENARIO RUN ARG...: one measured petrel command.
petrel_run() {
	_scen=$1 _run=$2
	shift 2
	_bench_name="$_scen-petrel-$_run"
	proxy_reset
	if [ "${BENCH_TRACE:-0}" = 1 ]; then
		set -- -d "$BENCH_RAWN/$_bench_name.trace" "$@"
	fi
	perl "$BENCH_LIB/measure.pl" "$BENCH_TMP/measure" \
		"$PETREL" -F "$BENCH_TMP/petrel.conf" "$@" \
		</dev/null >"$BENCH_RAWN/$_bench_name.out" \
		2>"$BENCH_RAWN/$_bench_name.err"
	_record "$_scen" petrel "$_run" "$BENCH_TMP/measure" "$(proxy_collect)"
	rm -f "$BENCH_TMP/measure"
}

# petrel_search RUN QUERY: `petrel search INBOX QUERY` over the cache
# (offline: no connection, so nothing for the proxy to count).
petrel_search() {
	_bench_name="search-petrel-$1"
	perl "$BENCH_LIB/measure.pl" "$BENCH_TMP/measure" \
		"$PETREL" -F "$BENCH_TMP/petrel.conf" search INBOX "$2" \
		</dev/null >"$BENCH_RAWN/$_bench_name.out" \
		2>"$BENCH_RAWN/$_bench_name.err"
	_record search petrel "$1" "$BENCH_TMP/measure" "$(printf -- '-\t-\t-\t-')"
	rm -f "$BENCH_TMP/measure"
}

# petrel_has CMD ARG...: the command exists in this build (petrel answers
# a command that is not built yet with exit status 70 and "not available").
petrel_has() {
	timeout "${BENCH_PROBE_TIMEOUT:-600}" "$PETREL" -F "$BENCH_TMP/petrel.conf" "$@" </dev/null \
		>"$BENCH_TMP/probe.out" 2>"$BENCH_TMP/probe.err"
	_rc=$?
	! { [ "$_rc" = 70 ] && grep -q 'not available' "$BENCH_TMP/probe.err"; }
}

# ------------------------------------------------------------ terminals

tty_start() {
	$BENCH_TMUX new-session -d -s bench -x 200 -y 50 "cat" ||
		fail "tmux could not start"
	at_exit "$BENCH_TMUX kill-server 2>/dev/null"
}

# tty_run NAME READY-ERE KEYS COMMAND...: run COMMAND measured on a
# terminal (a tmux window, 200x50) and wait for it to end. With a
# READY-ERE, KEYS are typed once the screen shows a line matching it (for
# programs that cannot be told to quit from their command line).
tty_run() {
	_name=$1 _ready=$2 _keys=$3
	shift 3
	{
		echo "cd '$BENCH_TMP' || exit 1"
		printf 'exec perl %s %s' "'$BENCH_LIB/measure.pl'" "'$BENCH_TMP/measure'"
		for _a in "$@"; do
			printf " '%s'" "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")"
		done
		echo " 2>'$BENCH_RAWN/$_name.err'"
	} >"$BENCH_TMP/tty-cmd.sh"
	$BENCH_TMUX new-window -d -n run \
		"sh '$BENCH_TMP/tty-cmd.sh'; $BENCH_TMUX wait-for -S bench-done"
	if [ -n "$_ready" ]; then
		_n=0
		until $BENCH_TMUX capture-pane -p -t bench:run 2>/dev/null |
			grep -Eq -- "$_ready"; do
			_n=$((_n + 1))
			[ "$_n" -lt $((BENCH_RUN_TIMEOUT * 200)) ] || break
			sleep 0.005
		done
		$BENCH_TMUX send-keys -t bench:run "$_keys" 2>/dev/null
	fi
	if ! timeout "$BENCH_RUN_TIMEOUT" $BENCH_TMUX wait-for bench-done; then
		$BENCH_TMUX capture-pane -p -t bench:run >"$BENCH_RAWN/$_name.screen" 2>&1
		$BENCH_TMUX kill-window -t bench:run 2>/dev/null
		echo "bench: $_name: no end after ${BENCH_RUN_TIMEOUT}s; screen in $BENCH_RAWN/$_name.screen" >&2
	fi
}

# ------------------------------------------------------------ mutt

# mutt_config FILE PORT: mutt with a header cache and a body cache, using
# CONDSTORE and QRESYNC, reading INBOX on the benchmark's Dovecot and
# changing nothing on the server when it quits.
mutt_config() {
	mkdir -p "$BENCH_TMP/mutt-home"
	cat >"$1" <<EOF
# Generated by petrel's bench/run.
set folder="imap://$DOVE_USER@$DOVE_HOST:$2/"
set spoolfile="+INBOX"
set imap_user="$DOVE_USER"
set imap_pass="$DOVE_PASS"
set ssl_starttls=no
set ssl_force_tls=no
set imap_condstore=yes
set imap_qresync=yes
set header_cache="$BENCH_TMP/mutt/hcache/"
set message_cachedir="$BENCH_TMP/mutt/bodies"
# Quit without questions and without writing to the server: no "Old"
# flags (mark_old), no move of read mail, no Drafts or Sent folders.
set quit=yes
set move=no
set mark_old=no
set record=""
set postponed="$BENCH_TMP/mutt-home/postponed"
set mail_check_stats=no
set imap_check_subscribed=no
set charset="utf-8"
EOF
	chmod 600 "$1"
}

mutt_clear_cache() {
	rm -rf "$BENCH_TMP/mutt"
	mkdir -p "$BENCH_TMP/mutt/hcache" "$BENCH_TMP/mutt/bodies"
}

# mutt_run SCENARIO RUN: open INBOX and quit at once (keys pushed on the
# command line run when the index is shown).
mutt_run() {
	_bench_name="$1-mutt-$2"
	_debug=
	[ "${BENCH_TRACE:-0}" = 1 ] && _debug="-d 2"
	proxy_reset
	# shellcheck disable=SC2086
	tty_run "$_bench_name" "" "" env HOME="$BENCH_TMP/mutt-home" \
		LANG=C.UTF-8 LC_ALL=C.UTF-8 mutt -n $_debug -F "$BENCH_TMP/muttrc" \
		-f "imap://$DOVE_USER@$DOVE_HOST:$PROXY_PORT/INBOX" -e 'push q'
	# mutt's debug log holds the password (AUTHENTICATE PLAIN): the raw
	# directory is for this machine only (git-ignored).
	[ -n "$_debug" ] && mv "$BENCH_TMP/mutt-home/.muttdebug0" \
		"$BENCH_RAWN/$_bench_name.trace" 2>/dev/null
	_record "$1" mutt "$2" "$BENCH_TMP/measure" "$(proxy_collect)"
	rm -f "$BENCH_TMP/measure"
}

# petrel_ui_probe SCEN RUN: the interface opening INBOX, timed from the
# outside by ui-probe.pl (first painted index rows, the status line saying
# "online", cursor moves), under measure.pl for the peak RSS. SCEN "ui":
# the cache is warm; "a-ui": it is deleted first (a first sync). Records
# SCEN (the whole session), SCEN-first, SCEN-ready and SCEN-move.
petrel_ui_probe() {
	_scen=$1 _run=$2
	_bench_name="$_scen-petrel-ui-$_run"
	[ "$_scen" = a-ui ] && petrel_clear_cache
	proxy_reset
	rm -f "$BENCH_TMP/measure" "$BENCH_TMP/probe"
	{
		echo "cd '$BENCH_TMP' || exit 1"
		echo "exec perl '$BENCH_LIB/measure.pl' '$BENCH_TMP/measure'" \
			"env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$PETREL'" \
			"-F '$BENCH_TMP/petrel.conf' 2>'$BENCH_RAWN/$_bench_name.err'"
	} >"$BENCH_TMP/tty-cmd.sh"
	perl "$BENCH_LIB/ui-probe.pl" "$BENCH_TMP/probe" "$BENCH_TMP/tmux.sock" \
		"$BENCH_TMP/tty-cmd.sh" '[0-9]{4}-[0-9]{2}-[0-9]{2}  ' '-- online' \
		"${BENCH_UI_MOVES:-20}" ||
		echo "bench: $_bench_name: ui-probe failed" >&2
	_record "$_scen" petrel-ui "$_run" "$BENCH_TMP/measure" "$(proxy_collect)"
	_p=$(cat "$BENCH_TMP/probe" 2>/dev/null) || _p="-	-	-"
	_k=1
	for _what in first ready move; do
		_v=$(printf '%s\n' "$_p" | cut -f$_k)
		_k=$((_k + 1))
		_st=0
		[ "$_v" = - ] && _st=timeout
		printf '%s\t%s\t%s\t%s\t%s\t-\t%s\t-\t-\t-\t-\n' "$BENCH_N" \
			"$_scen-$_what" petrel-ui "$_run" "$_v" "$_st" >>"$BENCH_RESULTS"
	done
}

# ------------------------------------------------------------ another device

# other_device RUN: what another device does between two reconnects: flip
# \Flagged on 100 messages and expunge 10 others (never the same messages
# twice across runs while the mailbox has room: a different offset per
# run). Through doveadm, so none of it passes the proxy.
other_device() {
	dove_adm search mailbox INBOX all >"$BENCH_TMP/uids" ||
		fail "doveadm search failed"
	perl -e '
		my $run = shift;
		my @u = sort { $a <=> $b } map { (split)[1] } <STDIN>;
		my $n = @u;
		die "no messages left\n" if $n < 2;
		my $step = int($n / 100) || 1;
		my (%f, %x);
		$f{$u[($_ * $step + $run) % $n]} = 1 for 0 .. 99;
		for my $k (0 .. 9) {
			my $i = ($k * 10 * $step + int($step / 2) + $run + 1) % $n;
			$i = ($i + 1) % $n while $f{$u[$i]} && keys %f < $n;
			$x{$u[$i]} = 1;
		}
		print join(",", sort { $a <=> $b } keys %f), "\n";
		print join(",", sort { $a <=> $b } keys %x), "\n";
	' "$1" <"$BENCH_TMP/uids" >"$BENCH_TMP/sets" || fail "cannot pick messages"
	_flag=$(sed -n 1p "$BENCH_TMP/sets")
	_gone=$(sed -n 2p "$BENCH_TMP/sets")
	# Flip: add \Flagged where it is missing, remove it where it is set.
	dove_adm -f tab fetch "uid flags" mailbox INBOX uid "$_flag" \
		>"$BENCH_TMP/flags" || fail "doveadm fetch failed"
	_on=$(awk -F'\t' 'NR > 1 && $2 ~ /\\Flagged/ { printf "%s%s", s, $1; s = "," }' "$BENCH_TMP/flags")
	_off=$(awk -F'\t' 'NR > 1 && $2 !~ /\\Flagged/ { printf "%s%s", s, $1; s = "," }' "$BENCH_TMP/flags")
	[ -n "$_on" ] && { dovecot_flag INBOX "$_on" remove '\Flagged' ||
		fail "doveadm flags failed"; }
	[ -n "$_off" ] && { dovecot_flag INBOX "$_off" add '\Flagged' ||
		fail "doveadm flags failed"; }
	dovecot_expunge INBOX "$_gone" || fail "doveadm expunge failed"
}
