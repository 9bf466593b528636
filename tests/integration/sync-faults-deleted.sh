# sync-faults-deleted.sh: messages another device marked \Deleted are
# never expunged by `petrel sync`: petrel sends no EXPUNGE, UID EXPUNGE or
# CLOSE (CLOSE expunges every \Deleted message, RFC 3501 §6.4.2; RFC 7162
# Q-62, Q-63), the messages stay on the server, and `ls` shows them with
# \Deleted. Checked with QRESYNC, and with a server offering neither
# CONDSTORE, QRESYNC nor UNSELECT, where petrel leaves a mailbox by
# selecting the next one (T-21).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

cfg=$TMPD/config

# check WHAT ZERO: ls UID/MODSEQ/FLAGS equal the server's (MODSEQ 0 with
# ZERO), and the \Deleted messages are still there.
check() {
	for mb in INBOX Work; do
		"$PETREL" -F "$cfg" ls "$mb" | cut -f1-3 >"$TMPD/ls"
		dovecot_truth "$mb" | awk -F '\t' -v OFS='\t' -v z="$2" \
			'{ if (z) $2 = 0; print }' >"$TMPD/truth"
		diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "$1: ls $mb differs from the server"
	done
	n=$(dovecot_truth INBOX | grep -c '\\Deleted')
	expect_eq "$n" "$3" "$1: \\Deleted messages left in INBOX"
	dovecot_client_sent | grep -Ei '^[^ ]+ (UID EXPUNGE|EXPUNGE|CLOSE)( |$)' &&
		fail "$1: petrel sent a command that expunges"
	grep -Ei ' C: [^ ]+ (UID EXPUNGE|EXPUNGE|CLOSE)( |$)' "$TMPD/trace" &&
		fail "$1: the trace shows a command that expunges"
	return 0
}

run() { # NAME ZERO DOVECOT-OPTIONS...
	name=$1 zero=$2
	shift 2
	dovecot_start "$@"
	rm -rf "$TMPD/cache" "$cfg" "$TMPD/trace"
	petrel_config_tunnel "$cfg"
	dovecot_seed INBOX 20 21
	dovecot_seed Work 8 22
	dovecot_flag INBOX 3,5 add '\Deleted'
	expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX Work
	check "$name, first sync" "$zero" 2
	# More \Deleted on both, one of them also \Seen; one expunged for real.
	dovecot_flag INBOX 8:9 add '\Deleted' '\Seen'
	dovecot_flag Work 2 add '\Deleted'
	dovecot_expunge INBOX 12
	expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace" sync INBOX Work
	check "$name, resync" "$zero" 4
	expect_match "$("$PETREL" -F "$cfg" ls INBOX | cut -f1,3)" '^8	.*\\Deleted' \
		"$name: ls shows \\Deleted"
	dovecot_stop
}

run qresync ""
run plain 1 --without "CONDSTORE QRESYNC UNSELECT"
pass
