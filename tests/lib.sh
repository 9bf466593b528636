# tests/lib.sh: helpers for the shell tests (sourced).
# Each test exits 0 to pass, 77 to skip, anything else to fail, and says
# why in its last line.
set -u

fail() {
	printf "FAIL: %s\n" "$*"
	exit 1
}
skip() {
	echo "skipped: $*"
	exit 77
}
pass() {
	echo "ok"
	exit 0
}

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/petrel-test.XXXXXX")
_cleanups=""
at_exit() { _cleanups="$* ; $_cleanups"; }
trap 'eval "$_cleanups"; rm -rf "$TMPD"' EXIT
trap 'exit 2' INT TERM

# expect_exit STATUS CMD...: run CMD, capture stdout in $OUT and stderr in
# $ERR, and fail unless it exits with STATUS.
expect_exit() {
	_want=$1
	shift
	"$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
	_rc=$?
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
	[ "$_rc" -eq "$_want" ] ||
		fail "$* exited $_rc, expected $_want; stderr: $ERR"
}

# expect_match TEXT ERE WHAT: some line of TEXT matches ERE.
expect_match() {
	printf '%s\n' "$1" | grep -Eq -- "$2" ||
		fail "$3: no line matches /$2/ in: $1"
}

# expect_lines N TEXT WHAT: TEXT has exactly N lines.
expect_lines() {
	_n=$(printf '%s\n' "$2" | grep -c '')
	[ -z "$2" ] && _n=0
	[ "$_n" -eq "$1" ] || fail "$3: expected $1 line(s), got $_n: $2"
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got [$1], want [$2]"
}
