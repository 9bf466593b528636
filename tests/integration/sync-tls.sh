# sync-tls.sh: `petrel sync` over implicit TLS and STARTTLS to a Dovecot
# daemon on 127.0.0.1 with a CA made by the test; verification failures
# (untrusted CA, wrong host name, STARTTLS not offered, bad password) exit
# 77 with one line, and the password never reaches the trace.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start --tls
dovecot_seed INBOX 15 2

for mode in implicit starttls; do
	cfg=$TMPD/config.$mode
	petrel_config_tls "$cfg" "$mode" localhost
	rm -rf "$TMPD/cache"
	expect_exit 0 "$PETREL" -F "$cfg" -d "$TMPD/trace.$mode" sync INBOX
	"$PETREL" -F "$cfg" ls INBOX | cut -f1-3 >"$TMPD/ls"
	dovecot_truth INBOX >"$TMPD/truth"
	diff "$TMPD/truth" "$TMPD/ls" >&2 || fail "$mode: ls differs"
	grep -q "$DOVE_PASS" "$TMPD/trace.$mode" &&
		fail "$mode: the password is in the trace"
	b64=$(printf '\0%s\0%s' "$DOVE_USER" "$DOVE_PASS" | base64)
	grep -q "$b64" "$TMPD/trace.$mode" &&
		fail "$mode: the AUTHENTICATE payload is in the trace"
done
expect_match "$(grep ' C: ' "$TMPD/trace.starttls")" ' STARTTLS$' "STARTTLS sent"

# An untrusted CA.
cfg=$TMPD/config.badca
petrel_config_tls "$cfg" implicit localhost "$DOVE_BAD_CA"
expect_exit 77 "$PETREL" -F "$cfg" sync INBOX
expect_lines 1 "$ERR" "untrusted CA"
expect_match "$ERR" 'certificate verify failed' "untrusted CA"

# A host name the certificate does not name.
if [ -n "${DOVE_WRONG_HOST:-}" ]; then
	cfg=$TMPD/config.wronghost
	petrel_config_tls "$cfg" implicit "$DOVE_WRONG_HOST"
	expect_exit 77 "$PETREL" -F "$cfg" sync INBOX
	expect_lines 1 "$ERR" "wrong host"
	expect_match "$ERR" 'mismatch|verify failed' "wrong host"
fi

# A wrong password.
cfg=$TMPD/config.badpw
petrel_config_tls "$cfg" implicit localhost
sed -i "s/^password = .*/password = wrong-$DOVE_PASS/" "$cfg"
expect_exit 77 "$PETREL" -F "$cfg" sync INBOX
expect_lines 1 "$ERR" "bad password"
expect_match "$ERR" '[Aa]uthentication failed' "bad password"

# tls = starttls against a server that does not offer STARTTLS: a plain
# IMAP server on a local port (the fake server behind a one-shot TCP
# listener).
script=$TMPD/nostarttls.script
cat >"$script" <<'SCRIPT'
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no TLS here
WAIT-EOF
SCRIPT
port_file=$TMPD/port
perl "$PETREL_SRCDIR/tests/fixture/tcp-once" "$port_file" \
	perl "$PETREL_SRCDIR/tests/fixture/fake-imapd" "$script" &
at_exit "kill $! 2>/dev/null"
n=0
while [ ! -s "$port_file" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
cfg=$TMPD/config.nostarttls
petrel_config_tls "$cfg" starttls 127.0.0.1
sed -i "s/^port = .*/port = $(cat "$port_file")/" "$cfg"
expect_exit 77 "$PETREL" -F "$cfg" sync INBOX
expect_lines 1 "$ERR" "STARTTLS not offered"
expect_match "$ERR" 'STARTTLS' "STARTTLS not offered"
pass
