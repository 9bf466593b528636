# cli-basics.sh: --version, --help and usage errors (INTERFACE.md).
. "$PETREL_SRCDIR/tests/lib.sh"

out=$("$PETREL" --version) || fail "--version exited $?"
expect_match "$out" '^petrel [0-9]+\.[0-9]+\.[0-9]+$' "--version"

help=$("$PETREL" --help) || fail "--help exited $?"
for c in sync mailboxes ls flag pending show search; do
	expect_match "$help" "^  $c " "--help lists $c"
done

expect_exit 64 "$PETREL" --no-such-option
expect_lines 1 "$ERR" "unknown option"
expect_match "$ERR" 'unknown option --no-such-option' "unknown option"
expect_exit 64 "$PETREL" no-such-command
expect_lines 1 "$ERR" "unknown command"
expect_exit 64 "$PETREL" -F
expect_lines 1 "$ERR" "missing argument"
pass
