#!/bin/sh
# Search: / in the index runs an offline full-text search of the cache
# (the language of petrel search: words AND-ed, field:word, is:unread)
# and moves to the first match; n goes to the next one.
# In the pager, / searches the message's text.
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

dovecot_start
n=0
for s in "apple pie" "banana bread" "apple crumble" "cherry tart" "plum jam"; do
	n=$((n + 1))
	ui_msg "$TMPD/m$n" "recipe: $s" "line one
line two
the secret ingredient is love
line four"
	dovecot_append INBOX "$TMPD/m$n" >/dev/null
done
petrel_config_tunnel "$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "recipe: plum jam"
ui_wait "online"
# The selected row is drawn with the indicator colour; find it by reading
# which row the pager opens.
ui_keys / "apple" Enter
ui_wait "2 messages match"
ui_keys Enter
ui_wait "Subject: recipe: apple crumble"
ui_keys q n Enter
ui_wait "Subject: recipe: apple pie"
# The query language of petrel search: fields and is:unread.
ui_keys q / "subject:crumble" Enter
ui_wait "1 message matches"
# Both apple recipes have been read.
ui_keys / "apple is:unread" Enter
ui_wait "No matches"
ui_keys / "is:bogus" Enter
ui_wait "unknown search term is:bogus"
ui_keys / "nothing-like-this" Enter
ui_wait "No matches"

# In the pager.
ui_keys Enter / "secret" Enter
ui_wait "the secret ingredient is love"
ui_keys q
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
