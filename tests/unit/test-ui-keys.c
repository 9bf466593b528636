/* test-ui-keys.c: key names, the default key maps, [bind] and [color]
 * (ui/ui-keys.c, ui/ui-color.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <string.h>

#include "ui/ui-color.h"
#include "ui/ui-keys.h"

#define FN(k) (UI_KEY_FN + (k))

static void test_ui_keys_parse(void **state)
{
	assert_int_equal(ui_keys_parse("j"), 'j');
	assert_int_equal(ui_keys_parse("="), '=');
	assert_int_equal(ui_keys_parse("^L"), 12);
	assert_int_equal(ui_keys_parse("^l"), 12);
	assert_int_equal(ui_keys_parse("<Down>"), FN(KEY_DOWN));
	assert_int_equal(ui_keys_parse("<space>"), ' ');
	assert_int_equal(ui_keys_parse("<ENTER>"), '\n');
	assert_int_equal(ui_keys_parse("<PgDn>"), FN(KEY_NPAGE));
	assert_int_equal(ui_keys_parse("<F5>"), FN(KEY_F(5)));
	assert_int_equal(ui_keys_parse("é"), 0xE9);
	assert_int_equal(ui_keys_parse("€"), 0x20AC);
	assert_int_equal(ui_keys_parse(""), -1);
	assert_int_equal(ui_keys_parse("ab"), -1);
	assert_int_equal(ui_keys_parse("^"), '^'); /* the caret key */
	assert_int_equal(ui_keys_parse("<Nope>"), -1);
	assert_int_equal(ui_keys_parse("<F13>"), -1);
	assert_int_equal(ui_keys_parse("<>"), -1);
	assert_int_equal(ui_keys_parse("\xff"), -1);
}

/* Every key name printed parses back to the same key. */
static void test_ui_keys_name_roundtrip(void **state)
{
	static const int keys[] = {'j',         '?',          12,
	                           '\n',        ' ',          FN(KEY_DOWN),
	                           FN(KEY_END), FN(KEY_F(1)), 0xE9};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		struct buf b = BUF_INIT;
		ui_keys_name(keys[i], &b);
		assert_int_equal(ui_keys_parse(buf_str(&b)), keys[i]);
		buf_free(&b);
	}
}

static void test_ui_keys_defaults(void **state)
{
	struct ui_keys *k = ui_keys_new();

	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'j'),
	                 UI_A_NEXT_MESSAGE);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_PAGER, 'j'), UI_A_NEXT_LINE);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_MAILBOXES, 'j'),
	                 UI_A_NEXT_MAILBOX);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'F'),
	                 UI_A_TOGGLE_FLAGGED);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'c'),
	                 UI_A_CHANGE_MAILBOX);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'y'),
	                 UI_A_CHANGE_MAILBOX);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'Z'), UI_A_NONE);
	for (int m = 0; m < UI_MAP_COUNT; m++) {
		assert_int_equal(ui_keys_lookup(k, (enum ui_map)m, '?'),
		                 UI_A_HELP);
		assert_int_equal(ui_keys_lookup(k, (enum ui_map)m, 12),
		                 UI_A_REDRAW);
		assert_int_equal(ui_keys_lookup(k, (enum ui_map)m, 'q'),
		                 UI_A_QUIT);
	}
	/* Every default binding is an action of its map. */
	for (int m = 0; m < UI_MAP_COUNT; m++)
		for (int key = 1; key < 128; key++)
			assert_true(ui_action_in_map(
			        ui_keys_lookup(k, (enum ui_map)m, key),
			        (enum ui_map)m));
	ui_keys_free(k);
}

static void test_ui_keys_bind(void **state)
{
	struct config_entry ok[] = {
	        {"index.x", "toggle-flagged", 7},
	        {"index.F", "noop", 8},
	        {"pager.<space>", "next-message", 9},
	        {"index.j", "previous-message", 10},
	};
	struct ui_keys *k = ui_keys_new();
	struct pt_error err = {0};
	struct buf b = BUF_INIT;

	assert_int_equal(ui_keys_bind(k, ok, 4, "cfg", &err), 0);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'x'),
	                 UI_A_TOGGLE_FLAGGED);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'F'), UI_A_NONE);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_PAGER, ' '),
	                 UI_A_NEXT_MESSAGE);
	assert_int_equal(ui_keys_lookup(k, UI_MAP_INDEX, 'j'),
	                 UI_A_PREV_MESSAGE);
	/* The help screen lists the remapped key. */
	ui_keys_for(k, UI_MAP_INDEX, UI_A_TOGGLE_FLAGGED, 0, &b);
	assert_string_equal(buf_str(&b), "x");
	buf_free(&b);
	ui_keys_free(k);
}

static void expect_bind_error(const char *key, const char *value,
                              const char *msg)
{
	struct config_entry e = {(char *)key, (char *)value, 12};
	struct ui_keys *k = ui_keys_new();
	struct pt_error err = {0};

	assert_int_equal(ui_keys_bind(k, &e, 1, "the-file", &err), -1);
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_non_null(strstr(err.msg, "the-file:12: "));
	assert_non_null(strstr(err.msg, msg));
	ui_keys_free(k);
}

static void test_ui_keys_bind_errors(void **state)
{
	expect_bind_error("index.x", "frobnicate",
	                  "unknown action 'frobnicate'");
	expect_bind_error("sidebar.x", "quit", "unknown map");
	expect_bind_error("x", "quit", "unknown map");
	expect_bind_error("index.<Nope>", "quit", "unknown key name");
	expect_bind_error("mailboxes.F", "toggle-flagged",
	                  "does not exist in the mailboxes map");
	expect_bind_error("help.d", "delete", "does not exist in the help map");
}

static void test_ui_color_parse(void **state)
{
	struct config_entry ok[] = {
	        {"status", "bold white blue", 3},
	        {"indicator", "black color117", 4},
	        {"new", "underline brightred default", 5},
	};
	struct config_entry bad[] = {
	        {"status", "chartreuse", 6},     {"sidebar", "red", 7},
	        {"status", "red blue green", 8}, {"status", "color256", 9},
	        {"status", "red bold", 10},
	};
	struct ui_colors c;
	struct pt_error err = {0};

	assert_int_equal(ui_color_parse(&c, ok, 3, "f", false, &err), 0);
	assert_true(c.spec[UI_C_STATUS].set);
	assert_int_equal(c.spec[UI_C_STATUS].fg, COLOR_WHITE);
	assert_int_equal(c.spec[UI_C_STATUS].bg, COLOR_BLUE);
	assert_int_equal(c.spec[UI_C_STATUS].attrs, UI_CA_BOLD);
	assert_int_equal(c.spec[UI_C_INDICATOR].bg, 117);
	assert_int_equal(c.spec[UI_C_NEW].fg, 9);
	assert_int_equal(c.spec[UI_C_NEW].bg, -1);
	assert_false(c.spec[UI_C_NORMAL].set);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		        ui_color_parse(&c, &bad[i], 1, "f", false, &err), -1);
		assert_int_equal(err.code, PT_E_CONFIG);
		assert_non_null(strstr(err.msg, "f:"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ui_keys_parse),
	        cmocka_unit_test(test_ui_keys_name_roundtrip),
	        cmocka_unit_test(test_ui_keys_defaults),
	        cmocka_unit_test(test_ui_keys_bind),
	        cmocka_unit_test(test_ui_keys_bind_errors),
	        cmocka_unit_test(test_ui_color_parse),
	};

	return cmocka_run_group_tests_name("ui-keys", tests, NULL, NULL);
}
