# install.sh: `make install DESTDIR=...` installs the binary, both man
# pages and the message catalogs under the configured prefix, and the
# installed petrel speaks German under LANGUAGE=de; a --disable-nls
# out-of-tree build also works.
. "$PETREL_SRCDIR/tests/lib.sh"

root=$TMPD/root
make -s -C "$PETREL_BUILDDIR" install DESTDIR="$root" >"$TMPD/install.log" 2>&1 ||
	fail "make install failed: $(tail -n 5 "$TMPD/install.log")"
prefix=$(sed -n 's/^prefix *= *//p' "$PETREL_BUILDDIR/Makefile")
for f in bin/petrel share/man/man1/petrel.1 share/man/man5/petrel-config.5; do
	[ -f "$root$prefix/$f" ] || fail "not installed: $prefix/$f"
done
if grep -q '^USE_NLS *= *yes' "$PETREL_BUILDDIR/Makefile"; then
	mo=$root$prefix/share/locale/de/LC_MESSAGES/petrel.mo
	[ -f "$mo" ] || fail "German catalog not installed"
	# The installed binary looks for catalogs under the real prefix;
	# point gettext at the staged tree instead.
	out=$(PETREL_LOCALEDIR="$root$prefix/share/locale" LANGUAGE=de \
		LC_ALL=C.UTF-8 "$root$prefix/bin/petrel" --no-such 2>&1)
	expect_match "$out" 'unbekannte Option' "German message"
fi
"$root$prefix/bin/petrel" --version >/dev/null || fail "installed binary"
make -s -C "$PETREL_BUILDDIR" uninstall DESTDIR="$root" >/dev/null 2>&1 ||
	fail "make uninstall failed"
[ -e "$root$prefix/bin/petrel" ] && fail "uninstall left the binary"

# --disable-nls, out of tree.
mkdir "$TMPD/b"
(cd "$TMPD/b" && "$PETREL_SRCDIR/configure" --disable-nls --disable-tests \
	>/dev/null && make -s -j2 src/petrel >/dev/null 2>&1) ||
	fail "--disable-nls build failed"
"$TMPD/b/src/petrel" --version >/dev/null || fail "--disable-nls binary"
pass
