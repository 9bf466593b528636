# configure-missing-deps.sh: configure names the Debian package of a
# missing dependency in one clear line. Absence is simulated by a
# pkg-config search path holding every .pc file except the one removed.
. "$PETREL_SRCDIR/tests/lib.sh"

command -v pkg-config >/dev/null || skip "pkg-config not installed"
pcdir="$TMPD/pc"
mkdir -p "$pcdir"
for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
	[ -d "$d" ] && cp -n "$d"/*.pc "$pcdir"/ 2>/dev/null
done
[ -f "$pcdir/sqlite3.pc" ] || skip "sqlite3.pc not found"

check_missing() { # PCNAME PACKAGE
	rm -rf "$TMPD/b"
	mkdir "$TMPD/b"
	mv "$pcdir/$1.pc" "$TMPD/$1.pc.away"
	(cd "$TMPD/b" && PKG_CONFIG_LIBDIR="$pcdir" PKG_CONFIG_PATH= \
		"$PETREL_SRCDIR/configure" >out 2>err)
	rc=$?
	mv "$TMPD/$1.pc.away" "$pcdir/$1.pc"
	[ $rc -ne 0 ] || fail "configure succeeded without $1"
	err=$(grep '^configure: error:' "$TMPD/b/err")
	expect_lines 1 "$err" "error lines without $1"
	expect_match "$err" "install $2" "configure without $1"
	echo "$err"
}

check_missing sqlite3 libsqlite3-dev
check_missing openssl libssl-dev
check_missing ncursesw libncurses-dev
check_missing cmocka libcmocka-dev
pass
