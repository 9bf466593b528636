#!/bin/sh
# Thread order: t in the index switches from date order to threads (by
# Message-ID, In-Reply-To and References within the mailbox), newest
# thread first, replies indented below their parent with tree characters;
# t again returns to date order. The key is listed in the help screen and
# can be rebound with [bind] (index.T = sort-thread).
. "$PETREL_SRCDIR/tests/lib.sh"
. "$PETREL_SRCDIR/tests/fixture/dovecot.sh"
. "$PETREL_SRCDIR/tests/ui/lib/tmux.sh"

# thr_msg FILE ID SUBJECT DAY [PARENT [REFERENCES]]: a message of day DAY
# of January 2024 with Message-ID <ID@t> replying to <PARENT@t>.
thr_msg() {
	{
		printf 'From: Tester <tester@example.org>\r\nTo: you@example.org\r\n'
		printf 'Subject: %s\r\nDate: Mon, %02d Jan 2024 10:00:00 +0000\r\n' "$3" "$4"
		printf 'Message-ID: <%s@t>\r\n' "$2"
		[ -n "${5:-}" ] && printf 'In-Reply-To: <%s@t>\r\n' "$5"
		[ -n "${6:-}" ] && printf 'References: %s\r\n' "$6"
		printf 'Content-Type: text/plain\r\n\r\nbody of %s\r\n' "$2"
	} >"$1"
}

dovecot_start
# Delivered out of order: the reply to a2 arrives before a2 itself.
thr_msg "$TMPD/1" a1 "alpha root" 1
thr_msg "$TMPD/2" b1 "bravo root" 2
thr_msg "$TMPD/3" a4 "alpha four" 6 a2 "<a1@t> <a2@t>"
thr_msg "$TMPD/4" a2 "alpha two" 3 a1 "<a1@t>"
thr_msg "$TMPD/5" b2 "bravo reply" 4 b1 "<b1@t>"
thr_msg "$TMPD/6" a3 "alpha three" 5 a1 "<a1@t>"
for i in 1 2 3 4 5 6; do
	dovecot_append INBOX "$TMPD/$i" >/dev/null
done
petrel_config_tunnel "$TMPD/config"
printf '[bind]\nindex.T = sort-thread\n' >>"$TMPD/config"

ui_start -F "$TMPD/config"
ui_wait "INBOX [6 new, 6 messages]"
ui_wait "online"
ui_wait "alpha root"
# Date order: no tree.
ui_screen | grep -qF -- "─>" && fail "tree drawn in date order: $(ui_screen)"

ui_keys t
ui_wait "Thread order"
ui_wait "└─>alpha three"
scr=$(ui_screen)
# Rows 1..6 (row 0 is the title): the alpha thread (newest message, day
# 6) first, depth first, siblings oldest first; then bravo.
line() { printf '%s\n' "$scr" | sed -n "$(($1 + 1))p"; }
expect_match "$(line 1)" ' alpha root *$' "row 1"
expect_match "$(line 2)" ' ├─>alpha two *$' "row 2"
expect_match "$(line 3)" ' │ └─>alpha four *$' "row 3"
expect_match "$(line 4)" ' └─>alpha three *$' "row 4"
expect_match "$(line 5)" ' bravo root *$' "row 5"
expect_match "$(line 6)" ' └─>bravo reply *$' "row 6"

# Moving and opening follow the thread order: the third row is alpha four.
ui_keys j j Enter
ui_wait "Subject: alpha four"
ui_keys q
ui_wait "├─>alpha two"

# The help screen lists the action; the [bind] key works too.
ui_keys '?'
ui_wait "switch between date and thread order"
ui_keys q
ui_wait "├─>alpha two"
ui_keys T
ui_wait "Date order, newest first"
ui_wait_gone "└─>"
ui_keys T
ui_wait "└─>bravo reply"
ui_keys t
ui_wait_gone "└─>"
ui_quit
expect_eq "$UI_RC" 0 "exit status"
pass
