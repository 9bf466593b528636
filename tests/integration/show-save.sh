# show-save.sh: `petrel show --save DIR` writes every attachment into DIR
# under a sanitized name (no directories, no hidden files, no bidi
# controls), never outside DIR, never overwriting (a numeric suffix is
# added, even for a symbolic link), and prints each path written.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"

dovecot_start
msg=$TMPD/save.eml
{
	cat <<'EOF'
From: Sender <s@example.org>
To: petrel@example.org
Subject: Attachments
Date: Mon, 01 Apr 2024 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

See the attachments.
--b1
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

hello notes
--b1
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="../../evil.sh"
Content-Transfer-Encoding: base64

IyEvYmluL3NoCmVjaG8gcHduZWQK
--b1
Content-Type: application/octet-stream
Content-Disposition: attachment; filename=".hidden"

hidden
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename="=?UTF-8?Q?r=E2=80=AEfdp.exe?="

pdf
--b1
Content-Type: application/octet-stream
Content-Disposition: attachment

noname
--b1--
EOF
} >"$msg"
uid=$(dovecot_append INBOX "$msg")
cfg=$TMPD/config
petrel_config_tunnel "$cfg"
expect_exit 0 "$PETREL" -F "$cfg" sync INBOX

# Saved names must be plain visible file names inside the directory.
check_dir() {
	_n=0
	for _f in "$1"/* "$1"/.[!.]*; do
		[ -e "$_f" ] || [ -L "$_f" ] || continue
		_b=${_f##*/}
		case $_b in
		.*) fail "hidden file saved: $_b" ;;
		esac
		printf '%s' "$_b" | LC_ALL=C grep -q "$(printf '\342\200\256')" &&
			fail "bidi override in a saved name"
		_n=$((_n + 1))
	done
	echo "$_n"
}

dir=$TMPD/save1
mkdir "$dir"
expect_exit 0 "$PETREL" -F "$cfg" show --save "$dir" INBOX "$uid"
expect_match "$OUT" '^See the attachments\.$' "body"
expect_lines 5 "$(printf '%s\n' "$OUT" | grep -E '^\[[1-5]\] ')" "listed"
paths=$(printf '%s\n' "$OUT" | grep "^$dir/")
expect_lines 5 "$paths" "paths printed"
printf '%s\n' "$paths" | while read -r p; do
	[ -f "$p" ] || fail "printed path $p is not a file"
	[ "${p%/*}" = "$dir" ] || fail "$p is not directly in $dir"
done || exit 1
expect_eq "$(check_dir "$dir")" 5 "files in the directory"
expect_eq "$(cat "$dir/notes.txt")" "hello notes" "notes.txt content"
expect_eq "$(cat "$dir/evil.sh")" "$(printf '#!/bin/sh\necho pwned')" \
	"evil.sh content"
[ -e "$TMPD/evil.sh" ] || [ -e "${TMPD%/*}/evil.sh" ] &&
	fail "an attachment was written outside the directory"
[ -x "$dir/evil.sh" ] && fail "a saved attachment is executable"

# A second save adds suffixes and leaves the first files alone.
echo mine >"$dir/notes.txt"
expect_exit 0 "$PETREL" -F "$cfg" show --save "$dir" INBOX "$uid"
expect_lines 5 "$(printf '%s\n' "$OUT" | grep "^$dir/")" "second paths"
expect_match "$OUT" "^$dir/notes-1\.txt\$" "suffixed name"
expect_eq "$(cat "$dir/notes.txt")" "mine" "existing file kept"
expect_eq "$(cat "$dir/notes-1.txt")" "hello notes" "suffixed content"
expect_eq "$(check_dir "$dir")" 10 "files after the second save"

# A symbolic link in the way is not followed.
dir2=$TMPD/save2
mkdir "$dir2"
echo target >"$TMPD/target"
ln -s "$TMPD/target" "$dir2/notes.txt"
expect_exit 0 "$PETREL" -F "$cfg" show --save="$dir2" INBOX "$uid"
expect_eq "$(cat "$TMPD/target")" "target" "symlink target untouched"
expect_eq "$(cat "$dir2/notes-1.txt")" "hello notes" "saved beside the link"

# DIR must be a directory; nothing is printed then.
expect_exit 65 "$PETREL" -F "$cfg" show --save "$TMPD/nonexistent" INBOX "$uid"
expect_lines 1 "$ERR" "missing directory message"
expect_eq "$OUT" "" "no output for a bad directory"
expect_exit 65 "$PETREL" -F "$cfg" show --save "$msg" INBOX "$uid"
expect_exit 64 "$PETREL" -F "$cfg" show --save
pass
