# bench/lib/fixture.sh: the test suite's private Dovecot
# (tests/fixture/dovecot.sh), made usable outside a test. That file expects
# the test helpers fail, skip and at_exit and a scratch directory TMPD;
# this shim provides them, so the benchmark runs the very same server setup
# as the integration tests. Sourced by bench/run after BENCH_TMP is set.

fail() {
	echo "bench: $*" >&2
	exit 1
}
skip() {
	echo "bench: cannot run: $*" >&2
	exit 1
}
_bench_cleanups=
at_exit() { _bench_cleanups="$* ; $_bench_cleanups"; }
bench_cleanup() {
	eval "$_bench_cleanups"
	_bench_cleanups=
}

TMPD=$BENCH_TMP
PETREL_SRCDIR=$BENCH_SRCDIR
# shellcheck source=../../tests/fixture/dovecot.sh
. "$BENCH_SRCDIR/tests/fixture/dovecot.sh"
