/* test-config.c: the configuration file (src/config/): locating it,
 * parsing it, defaults, every error with its FILE:LINE, the password file
 * mode check and password_command. Each test writes real files into a
 * fresh temporary directory, with HOME pointing into it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/xmalloc.h"
#include "config/config.h"

struct fixture {
	char dir[64];
	char *home;
	char *path; /* DIR/config */
};

static int rm_entry(const char *p, const struct stat *st, int flag,
                    struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	strcpy(f->dir, "/tmp/petrel-test-config.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->home = xasprintf("%s/home", f->dir);
	f->path = xasprintf("%s/config", f->dir);
	assert_int_equal(mkdir(f->home, 0700), 0);
	setenv("HOME", f->home, 1);
	unsetenv("PETREL_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->home);
	free(f->path);
	free(f);
	return 0;
}

static void write_file_n(const char *path, const char *data, size_t len,
                         mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	write_file_n(path, text, strlen(text), mode);
}

/* Write text as DIR/config (mode 0600) and load it. */
static struct config *load(struct fixture *f, const char *text,
                           struct pt_error *err)
{
	write_file(f->path, text, 0600);
	pt_error_clear(err);
	return config_load(f->path, err);
}

/* Loading text must fail with exactly "DIR/config:" + want. */
static void expect_error(struct fixture *f, const char *text, const char *want)
{
	struct pt_error err;
	struct config *cfg = load(f, text, &err);
	char *msg = xasprintf("%s:%s", f->path, want);

	if (cfg != NULL)
		fail_msg("loaded, expected: %s\n--- file:\n%s", want, text);
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_int_equal(pt_error_exit_status(err.code), 78);
	assert_string_equal(err.msg, msg);
	free(msg);
}

static const struct account_conf *account(const struct config *cfg,
                                          const char *name)
{
	struct pt_error err;
	const struct account_conf *a = config_account(cfg, name, &err);

	if (a == NULL)
		fail_msg("%s", err.msg);
	return a;
}

static void assert_path(const char *got, const char *dir, const char *rest)
{
	char *want = xasprintf("%s%s", dir, rest);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

/* ------------------------------------------------------------ good */

static const char two_accounts[] =
        "# petrel configuration\n"
        "\n"
        "[account work]   # the office\n"
        "host = imap.example.org         # or tunnel\n"
        "user = alice\n"
        "password_command = pass show mail/work\n"
        "ca_file = ~/certs/ca.pem\n"
        "mailboxes = INBOX Archive \"Sent Items\"\n"
        "prefetch_days = 7\n"
        "exclusive_keywords = $Junk $NotJunk\n"
        "exclusive_keywords = $Work $Personal $Later\n"
        "\n"
        "[account home]\n"
        "\ttunnel = ssh mailhost /usr/lib/dovecot/imap   # IMAP over ssh\n";

static void test_config_two_accounts(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg = load(f, two_accounts, &err);
	const struct account_conf *w, *h;

	assert_non_null(cfg);
	assert_int_equal(config_account_count(cfg), 2);
	w = account(cfg, NULL);
	assert_string_equal(w->name, "work");
	assert_int_equal(w->line, 3);
	assert_string_equal(w->file, f->path);
	assert_string_equal(w->host, "imap.example.org");
	assert_int_equal(w->port, 993);
	assert_int_equal(w->tls, CONFIG_TLS_IMPLICIT);
	assert_false(w->cleartext);
	assert_string_equal(w->user, "alice");
	assert_null(w->password);
	assert_string_equal(w->password_command, "pass show mail/work");
	assert_null(w->tunnel);
	assert_path(w->ca_file, f->home, "/certs/ca.pem");
	assert_path(w->cache_path, f->home, "/.cache/petrel/work.sqlite");
	assert_int_equal(w->n_mailboxes, 3);
	assert_string_equal(w->mailboxes[0], "INBOX");
	assert_string_equal(w->mailboxes[1], "Archive");
	assert_string_equal(w->mailboxes[2], "Sent Items");
	assert_null(w->mailboxes[3]);
	assert_int_equal(w->prefetch_days, 7);
	/* The file gives the $Junk group: it is not added a second time. */
	assert_int_equal(w->n_exclusive, 2);
	assert_int_equal(w->exclusive[0].line, 10);
	assert_string_equal(w->exclusive[0].keywords[1], "$NotJunk");
	assert_int_equal(w->exclusive[1].line, 11);
	assert_int_equal(w->exclusive[1].count, 3);
	assert_string_equal(w->exclusive[1].keywords[2], "$Later");
	assert_null(w->exclusive[1].keywords[3]);
	assert_int_equal(w->key_line[CONFIG_KEY_HOST], 4);
	assert_int_equal(w->key_line[CONFIG_KEY_EXCLUSIVE_KEYWORDS], 10);
	assert_int_equal(w->key_line[CONFIG_KEY_PORT], 0);

	h = account(cfg, "home");
	assert_ptr_equal(h, config_account_at(cfg, 1));
	assert_int_equal(h->line, 13);
	assert_null(h->host);
	assert_string_equal(h->tunnel, "ssh mailhost /usr/lib/dovecot/imap");
	assert_int_equal(h->port, 0);
	assert_int_equal(h->tls, CONFIG_TLS_NONE);
	assert_false(h->cleartext);
	assert_null(h->mailboxes);
	assert_int_equal(h->prefetch_days, 30);
	assert_path(h->cache_path, f->home, "/.cache/petrel/home.sqlite");
	assert_int_equal(h->n_exclusive, 1);
	assert_int_equal(h->exclusive[0].line, 0);
	assert_string_equal(h->exclusive[0].keywords[0], "$Junk");
	assert_string_equal(h->exclusive[0].keywords[1], "$NotJunk");
	config_free(cfg);
}

static void test_config_quoting_and_comments(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg = load(
	        f,
	        "[account q]\n"
	        "host = \"imap.example.org\"   # quoted, then a comment\n"
	        "password = \"p#ss \\\"word\\\" \\\\ # \\n\"  # comment\n"
	        "user = alice#home\n"
	        "  # an indented comment\n"
	        "\t\n"
	        "ca_file = \"~/my certs/ca.pem\"\n"
	        "[account r]\n"
	        "host=h#x\n"
	        "user =   \"  spaced  \"\n"
	        "password_command = printf '%s\\n' \"a # b\" # real comment\n"
	        "mailboxes = \"Sent Items\"\n",
	        &err);
	const struct account_conf *a;

	if (cfg == NULL)
		fail_msg("%s", err.msg);
	a = account(cfg, "q");
	assert_string_equal(a->host, "imap.example.org");
	/* \" and \\ are escapes; any other backslash stays. */
	assert_string_equal(a->password, "p#ss \"word\" \\ # \\n");
	assert_string_equal(a->user, "alice#home");
	assert_path(a->ca_file, f->home, "/my certs/ca.pem");
	a = account(cfg, "r");
	assert_string_equal(a->host, "h#x");
	assert_string_equal(a->user, "  spaced  ");
	/* A value not entirely quoted reaches the shell as written. */
	assert_string_equal(a->password_command, "printf '%s\\n' \"a # b\"");
	assert_int_equal(a->n_mailboxes, 1);
	assert_string_equal(a->mailboxes[0], "Sent Items");
	config_free(cfg);
}

static void test_config_crlf_bom_utf8(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg =
	        load(f,
	             "\xef\xbb\xbf[account b]\r\n"
	             "host = h\r\n"
	             "mailboxes = Entw\xc3\xbcrfe \xe2\x9c\x89\r\n",
	             &err);
	const struct account_conf *a;

	if (cfg == NULL)
		fail_msg("%s", err.msg);
	a = account(cfg, NULL);
	assert_string_equal(a->name, "b");
	assert_string_equal(a->host, "h");
	assert_string_equal(a->mailboxes[0], "Entw\xc3\xbcrfe");
	assert_string_equal(a->mailboxes[1], "\xe2\x9c\x89");
	config_free(cfg);
}

static void test_config_tls_port_defaults(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg = load(f,
	                          "[account s]\nhost = h\ntls = starttls\n"
	                          "[account n]\nhost = h\ntls = none\n"
	                          "[account p]\nhost = h\nport = 1143\n"
	                          "[account i]\nhost = h\ntls = implicit\n"
	                          "port = 10993\nprefetch_days = 0\n",
	                          &err);
	const struct account_conf *a;

	assert_non_null(cfg);
	a = account(cfg, "s");
	assert_int_equal(a->tls, CONFIG_TLS_STARTTLS);
	assert_int_equal(a->port, 143);
	assert_false(a->cleartext);
	a = account(cfg, "n");
	assert_int_equal(a->tls, CONFIG_TLS_NONE);
	assert_int_equal(a->port, 143);
	assert_true(a->cleartext);
	a = account(cfg, "p");
	assert_int_equal(a->tls, CONFIG_TLS_IMPLICIT);
	assert_int_equal(a->port, 1143);
	assert_int_equal(a->key_line[CONFIG_KEY_PORT], 9);
	a = account(cfg, "i");
	assert_int_equal(a->port, 10993);
	assert_int_equal(a->prefetch_days, 0);
	config_free(cfg);
}

static void test_config_cache_paths(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg;
	char *xdg = xasprintf("%s/xdg-cache", f->dir);
	const char *text = "[account d]\nhost = h\n"
	                   "[account t]\nhost = h\ncache = ~/c/t.sqlite\n"
	                   "[account u]\nhost = h\ncache = ~other/u.sqlite\n"
	                   "[account v]\nhost = h\ncache = /var/v.sqlite\n"
	                   "[account w]\nhost = h\ncache = ~\n";

	setenv("XDG_CACHE_HOME", xdg, 1);
	cfg = load(f, text, &err);
	assert_non_null(cfg);
	assert_path(account(cfg, "d")->cache_path, xdg, "/petrel/d.sqlite");
	assert_path(account(cfg, "t")->cache_path, f->home, "/c/t.sqlite");
	/* Only "~" and "~/" are the home directory. */
	assert_string_equal(account(cfg, "u")->cache_path, "~other/u.sqlite");
	assert_string_equal(account(cfg, "v")->cache_path, "/var/v.sqlite");
	assert_string_equal(account(cfg, "w")->cache_path, f->home);
	config_free(cfg);

	/* A relative XDG_CACHE_HOME is invalid: ignored. */
	setenv("XDG_CACHE_HOME", "relative/cache", 1);
	cfg = load(f, text, &err);
	assert_non_null(cfg);
	assert_path(account(cfg, "d")->cache_path, f->home,
	            "/.cache/petrel/d.sqlite");
	config_free(cfg);
	free(xdg);
}

static void test_config_default_path(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	char *p, *want;

	p = config_default_path(&err);
	assert_path(p, f->home, "/.config/petrel/config");
	free(p);

	want = xasprintf("%s/xdg", f->dir);
	setenv("XDG_CONFIG_HOME", want, 1);
	p = config_default_path(&err);
	assert_path(p, want, "/petrel/config");
	free(p);
	free(want);

	setenv("XDG_CONFIG_HOME", "", 1);
	p = config_default_path(&err);
	assert_path(p, f->home, "/.config/petrel/config");
	free(p);

	setenv("PETREL_CONFIG", "/some/where", 1);
	p = config_default_path(&err);
	assert_string_equal(p, "/some/where");
	free(p);
}

/* -F beats $PETREL_CONFIG, which beats $XDG_CONFIG_HOME. */
static void test_config_load_precedence(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg;
	char *xdg = xasprintf("%s/xdg", f->dir);
	char *dir = xasprintf("%s/petrel", xdg);
	char *xdgfile = xasprintf("%s/config", dir);
	char *envfile = xasprintf("%s/env.conf", f->dir);

	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file(xdgfile, "[account fromxdg]\nhost = h\n", 0600);
	write_file(envfile, "[account fromenv]\nhost = h\n", 0600);
	write_file(f->path, "[account fromflag]\nhost = h\n", 0600);
	setenv("XDG_CONFIG_HOME", xdg, 1);

	cfg = config_load(NULL, &err);
	assert_non_null(cfg);
	assert_string_equal(account(cfg, NULL)->name, "fromxdg");
	config_free(cfg);

	setenv("PETREL_CONFIG", envfile, 1);
	cfg = config_load(NULL, &err);
	assert_non_null(cfg);
	assert_string_equal(account(cfg, NULL)->name, "fromenv");
	assert_string_equal(config_file(cfg), envfile);
	config_free(cfg);

	cfg = config_load(f->path, &err);
	assert_non_null(cfg);
	assert_string_equal(account(cfg, NULL)->name, "fromflag");
	config_free(cfg);
	free(xdg);
	free(dir);
	free(xdgfile);
	free(envfile);
}

/* In the home directory, messages show the file as "~/...". */
static void test_config_home_abbreviated(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	char *dir = xasprintf("%s/.config", f->home);
	char *pdir = xasprintf("%s/petrel", dir);
	char *file = xasprintf("%s/config", pdir);

	assert_null(config_load(NULL, &err));
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_string_equal(err.msg, "no configuration file: "
	                             "~/.config/petrel/config (see "
	                             "petrel-config(5))");
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(pdir, 0700), 0);
	write_file(file, "[account work]\nhost = h\n\n\n\n\nhots = x\n", 0600);
	assert_null(config_load(NULL, &err));
	assert_string_equal(err.msg, "~/.config/petrel/config:7: unknown key "
	                             "'hots' in [account work]");
	free(dir);
	free(pdir);
	free(file);
}

static void test_config_bind_color(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg = load(f,
	                          "[bind]\n"
	                          "index.j = next-message\n"
	                          "index.# = toggle-flag\n"
	                          "\"index.=\" = zoom   # quoted key\n"
	                          "index.j = other\n"
	                          "[color]\n"
	                          "status = white blue\n"
	                          "[account a]\n"
	                          "host = h\n"
	                          "[bind]\n"
	                          "pager.q = \"quit\"\n",
	                          &err);
	const struct config_entry *e;
	size_t n;

	if (cfg == NULL)
		fail_msg("%s", err.msg);
	e = config_bind(cfg, &n);
	assert_int_equal(n, 5);
	assert_string_equal(e[0].key, "index.j");
	assert_string_equal(e[0].value, "next-message");
	assert_int_equal(e[0].line, 2);
	assert_string_equal(e[1].key, "index.#");
	assert_string_equal(e[2].key, "index.=");
	assert_string_equal(e[2].value, "zoom");
	/* Repeats are kept: the interface decides what they mean. */
	assert_string_equal(e[3].value, "other");
	assert_int_equal(e[3].line, 5);
	assert_string_equal(e[4].key, "pager.q");
	assert_string_equal(e[4].value, "quit");
	assert_int_equal(e[4].line, 11);
	e = config_color(cfg, &n);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].key, "status");
	assert_string_equal(e[0].value, "white blue");
	assert_int_equal(e[0].line, 7);
	assert_int_equal(config_account_count(cfg), 1);
	config_free(cfg);
}

static void test_config_account_select(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg = load(f, two_accounts, &err);
	char *want = xasprintf("no account 'x' in %s", f->path);

	assert_non_null(cfg);
	assert_string_equal(account(cfg, NULL)->name, "work");
	assert_string_equal(account(cfg, "home")->name, "home");
	assert_null(config_account(cfg, "x", &err));
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_string_equal(err.msg, want);
	assert_null(config_account_at(cfg, 2));
	config_free(cfg);
	free(want);

	cfg = load(f, "# nothing but comments\n[color]\n", &err);
	assert_non_null(cfg);
	assert_null(config_account(cfg, NULL, &err));
	want = xasprintf("%s: no account (add an [account NAME] section)",
	                 f->path);
	assert_string_equal(err.msg, want);
	config_free(cfg);
	free(want);
}

/* ------------------------------------------------------------ bad */

struct bad_case {
	const char *text;
	const char *want; /* after "FILE:" */
};

static const struct bad_case bad_cases[] = {
        {"[account a]\nhost = h\nhots = x\n",
         "3: unknown key 'hots' in [account a]"},
        {"[account a]\nhost h\n",
         "2: expected 'key = value' or a [section] header"},
        {"[account a]\nhost = \"h\nuser = u\n", "2: unterminated quote"},
        {"[account a]\nhost = \"h\\\"\n", "2: unterminated quote"},
        {"[account a]\nuser = a\"b\n", "2: unterminated quote"},
        {"[account a\nhost = h\n",
         "1: malformed section header (expected [account NAME], [bind] or "
         "[color])"},
        {"[account a] x\n",
         "1: malformed section header (expected [account NAME], [bind] or "
         "[color])"},
        {"[account]\n", "1: malformed section header: expected [account "
                        "NAME]"},
        {"[bind x]\n", "1: malformed section header: [bind] takes no name"},
        {"[ ]\n", "1: empty section header"},
        {"host = h\n[account a]\n",
         "1: 'host' outside a section (start with [account NAME])"},
        {"[account a]\nhost = h\n\n[account a]\nhost = i\n",
         "4: duplicate account 'a' (first at line 1)"},
        {"[account a]\nhost = h\nuser = u\nhost = i\n",
         "4: 'host' given twice in [account a] (first at line 2)"},
        {"[account a]\nhost = h\nmailboxes = A\nmailboxes = B\n",
         "4: 'mailboxes' given twice in [account a] (first at line 3)"},
        {"[accounts a]\n", "1: unknown section [accounts] (expected "
                           "[account NAME], [bind] or [color])"},
        {"[account a/b]\nhost = h\n",
         "1: bad account name 'a/b' (use letters, digits and ._-+@)"},
        {"[account ..]\nhost = h\n",
         "1: bad account name '..' (use letters, digits and ._-+@)"},
        {" = x\n", "1: no key before '='"},
        {"[account a]\nhost = h\nport = 0\n",
         "3: 'port' must be a number from 1 to 65535, not '0'"},
        {"[account a]\nhost = h\nport = 65536\n",
         "3: 'port' must be a number from 1 to 65535, not '65536'"},
        {"[account a]\nhost = h\nport = 99999999999999999999\n",
         "3: 'port' must be a number from 1 to 65535, not "
         "'99999999999999999999'"},
        {"[account a]\nhost = h\nport = -1\n",
         "3: 'port' must be a number from 1 to 65535, not '-1'"},
        {"[account a]\nhost = h\nport = 99x\n",
         "3: 'port' must be a number from 1 to 65535, not '99x'"},
        {"[account a]\nhost = h\nprefetch_days = 36501\n",
         "3: 'prefetch_days' must be a number from 0 to 36500, not '36501'"},
        {"[account a]\nhost = h\ntls = ssl\n",
         "3: 'tls' must be implicit, starttls or none, not 'ssl'"},
        {"[account a]\nhost = h\ntls = \n", "3: 'tls' needs a value"},
        {"[account a]\nhost = # nothing\n", "2: 'host' needs a value"},
        {"[account a]\nhost = \"\"\n", "2: 'host' needs a value"},
        {"[account a]\ntunnel = ssh x\nhost = h\n",
         "3: 'host' cannot be used with 'tunnel' (line 2) in [account a]"},
        {"[account a]\nport = 143\ntunnel = ssh x\n",
         "2: 'port' cannot be used with 'tunnel' (line 3) in [account a]"},
        {"[account a]\ntunnel = ssh x\ntls = none\n",
         "3: 'tls' cannot be used with 'tunnel' (line 2) in [account a]"},
        {"[account a]\nuser = u\n[account b]\nhost = h\n",
         "1: [account a] needs 'host' or 'tunnel'"},
        {"[account a]\nhost = h\npassword = x\npassword_command = y\n",
         "4: 'password' and 'password_command' cannot both be used in "
         "[account a]"},
        {"[account a]\nhost = h\nexclusive_keywords = $A\n",
         "3: 'exclusive_keywords' needs at least two keywords"},
        {"[account a]\nhost = h\nexclusive_keywords = \\Seen $A\n",
         "3: '\\Seen' is not an IMAP keyword"},
        {"[account a]\nhost = h\nexclusive_keywords = $A $B\n"
         "exclusive_keywords = $C $c\n",
         "4: keyword '$c' given twice in one group"},
        {"[account a]\nhost = h\nmailboxes = INBOX \"Sent\"x\n",
         "3: a quoted word must end with its quote"},
        {"[account a]\nhost = h\nmailboxes = IN\"BOX\"\n",
         "3: quote inside a word (quote the whole word)"},
        {"[account a]\nhost = h\nmailboxes = INBOX \"\"\n",
         "3: empty word in a list"},
        {"[account a]\nhost = h\x01\n", "2: control character 0x01"},
        {"[account a]\nhost = h\x1b[31m\n", "2: control character 0x1b"},
        {"[account a]\nhost = h\rx\n", "2: control character 0x0d"},
        {"[account a]\nhost = \xff\n", "2: not valid UTF-8 text"},
        {"[account a]\nhost = \xc0\xaf\n", "2: not valid UTF-8 text"},
        {"[account a]\nhost = \xed\xa0\x80\n", "2: not valid UTF-8 text"},
        {"[account a]\nhost = \xf4\x90\x80\x80\n", "2: not valid UTF-8 text"},
        {"[account a]\nhost = \xe2\x82\n", "2: not valid UTF-8 text"},
};

static void test_config_bad_files(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
		expect_error(f, bad_cases[i].text, bad_cases[i].want);
}

static void test_config_nul_and_long_lines(void **state)
{
	struct fixture *f = *state;
	static const char nul[] = "[account a]\nhost = h\0x\n";
	struct pt_error err;
	struct config *cfg;
	char *big = xmalloc(70000), *want;
	size_t n;

	write_file_n(f->path, nul, sizeof nul - 1, 0600);
	assert_null(config_load(f->path, &err));
	want = xasprintf("%s:2: NUL byte: the file must be UTF-8 text",
	                 f->path);
	assert_string_equal(err.msg, want);
	free(want);

	/* A comment line of exactly 65536 bytes is fine... */
	n = (size_t)sprintf(big, "[account a]\nhost = h\n#");
	memset(big + n, 'a', 65535);
	strcpy(big + n + 65535, "\r\n");
	cfg = load(f, big, &err);
	if (cfg == NULL)
		fail_msg("%s", err.msg);
	config_free(cfg);
	/* ...one byte more is not. */
	memset(big + n, 'a', 65536);
	strcpy(big + n + 65536, "\n");
	expect_error(f, big, "3: line longer than 65536 bytes");
	free(big);
}

static void test_config_oversized_and_odd_files(void **state)
{
	struct fixture *f = *state;
	size_t len = 1024 * 1024 + 1;
	char *data = xmalloc(len), *want;
	struct pt_error err;

	memset(data, '\n', len);
	write_file_n(f->path, data, len, 0600);
	assert_null(config_load(f->path, &err));
	want = xasprintf("%s: larger than 1048576 bytes", f->path);
	assert_string_equal(err.msg, want);
	free(want);

	/* Exactly the limit, and an empty file, are fine. */
	write_file_n(f->path, data, len - 1, 0600);
	pt_error_clear(&err);
	config_free(config_load(f->path, &err));
	assert_int_equal(err.code, PT_E_NONE);
	write_file_n(f->path, "", 0, 0600);
	config_free(config_load(f->path, &err));
	assert_int_equal(err.code, PT_E_NONE);
	free(data);

	want = xasprintf("%s: not a regular file", f->dir);
	assert_null(config_load(f->dir, &err));
	assert_string_equal(err.msg, want);
	free(want);
}

static void test_config_missing_file(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	char *path = xasprintf("%s/nope", f->dir);
	char *want = xasprintf("no configuration file: %s (see "
	                       "petrel-config(5))",
	                       path);

	assert_null(config_load(path, &err));
	assert_int_equal(err.code, PT_E_CONFIG);
	assert_int_equal(pt_error_exit_status(err.code), 78);
	assert_string_equal(err.msg, want);
	free(path);
	free(want);
}

/* The sample files in tests/data/config/: good-*.conf load, and each
 * bad-*.conf fails with the message of its "# expect: " first line (FILE
 * stands for the file's name). Each is copied with mode 0644. */
static void check_sample(struct fixture *f, const char *dir, const char *name)
{
	char *src = xasprintf("%s/%s", dir, name), *want, *got, *p;
	char text[4096];
	struct pt_error err;
	struct config *cfg;
	FILE *fp = fopen(src, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	write_file(f->path, text, 0644);
	cfg = config_load(f->path, &err);
	if (strncmp(name, "good-", 5) == 0) {
		if (cfg == NULL)
			fail_msg("%s: %s", name, err.msg);
		config_free(cfg);
	} else {
		assert_null(cfg);
		assert_true(strncmp(text, "# expect: ", 10) == 0);
		*strchr(text, '\n') = '\0';
		p = strstr(text, "FILE");
		if (p != NULL)
			strcpy(p, f->path); /* always last on the line */
		want = xasprintf("%s:%s", f->path, text + 10);
		got = xstrdup(err.msg);
		if (strcmp(want, got) != 0)
			fail_msg("%s:\n want %s\n got  %s", name, want, got);
		free(want);
		free(got);
	}
	free(src);
}

static void test_config_sample_files(void **state)
{
	struct fixture *f = *state;
	const char *top = getenv("PETREL_SRCDIR");
	char *dir;
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (top == NULL)
		skip();
	dir = xasprintf("%s/tests/data/config", top);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".conf") == NULL)
			continue;
		check_sample(f, dir, de->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 10);
	free(dir);
}

/* ------------------------------------------------------------ password */

static void test_config_password_mode(void **state)
{
	struct fixture *f = *state;
	static const char text[] =
	        "[account a]\nhost = h\n\npassword = s3cr3t\n";
	static const mode_t bad[] = {0644, 0640, 0604, 0660};
	struct pt_error err;
	struct config *cfg;
	char *want = xasprintf("%s:4: 'password' in a file that group or "
	                       "others can read: run chmod 600 %s",
	                       f->path, f->path);
	char *pw;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(f->path, text, bad[i]);
		assert_null(config_load(f->path, &err));
		assert_int_equal(err.code, PT_E_CONFIG);
		assert_string_equal(err.msg, want);
		assert_null(strstr(err.msg, "s3cr3t"));
	}
	write_file(f->path, text, 0600);
	cfg = config_load(f->path, &err);
	assert_non_null(cfg);
	assert_int_equal(config_account_password(account(cfg, NULL), &pw, &err),
	                 0);
	assert_string_equal(pw, "s3cr3t");
	explicit_bzero(pw, strlen(pw));
	free(pw);
	config_free(cfg);

	/* Readable by others but without a password: fine. */
	write_file(f->path,
	           "[account a]\nhost = h\npassword_command = echo x\n", 0644);
	cfg = config_load(f->path, &err);
	assert_non_null(cfg);
	config_free(cfg);
	free(want);
}

/* Run cmd with a short timeout; returns the password or NULL. */
static char *run_cmd(const char *cmd, int timeout_ms, struct pt_error *err)
{
	char *pw = (char *)"unset";

	pt_error_clear(err);
	if (config_run_password_command(cmd, timeout_ms, &pw, err) < 0) {
		assert_null(pw);
		assert_int_equal(err->code, PT_E_AUTH);
		return NULL;
	}
	return pw;
}

static void expect_pw(const char *cmd, const char *want)
{
	struct pt_error err;
	char *pw = run_cmd(cmd, 10000, &err);

	if (pw == NULL)
		fail_msg("%s: %s", cmd, err.msg);
	assert_string_equal(pw, want);
	free(pw);
}

static void expect_pw_error(const char *cmd, int timeout_ms, const char *want)
{
	struct pt_error err;
	char *pw = run_cmd(cmd, timeout_ms, &err);

	if (pw != NULL)
		fail_msg("%s: printed '%s', expected an error", cmd, pw);
	assert_string_equal(err.msg, want);
	assert_int_equal(pt_error_exit_status(err.code), 77);
}

static void test_config_password_command_output(void **state)
{
	expect_pw("printf 'secret\\n\\n'", "secret");
	expect_pw("printf 'a b \\r\\n'", "a b ");
	expect_pw("printf x", "x");
	expect_pw("echo two words; echo >&2 'this goes to stderr'",
	          "two words");
	expect_pw("printf 'line1\\nline2\\n'", "line1\nline2");
}

static void test_config_password_command_failures(void **state)
{
	char *big;

	expect_pw_error("echo pw; exit 3", 10000,
	                "password_command failed (exit 3)");
	expect_pw_error("true", 10000,
	                "password_command failed (exit 0, no output)");
	expect_pw_error("printf '\\n\\r\\n'", 10000,
	                "password_command failed (exit 0, no output)");
	/* stdin is /dev/null, not the terminal. */
	expect_pw_error("cat", 10000,
	                "password_command failed (exit 0, no output)");
	expect_pw_error("printf 'a\\000b'", 10000,
	                "password_command failed (a NUL byte in its output)");
	expect_pw_error("kill -9 $$", 10000,
	                "password_command failed (killed by signal 9)");
	big = xasprintf("password_command failed (more than %d bytes of "
	                "output)",
	                CONFIG_PASSWORD_MAX);
	expect_pw_error("head -c 70000 /dev/zero | tr '\\000' a", 10000, big);
	free(big);
}

static void test_config_password_command_timeout(void **state)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_pw_error("sleep 10", 300,
	                "password_command failed (timed out after 1 s)");
	/* It closes its output but does not exit. */
	expect_pw_error("echo pw; exec >&-; sleep 10", 300,
	                "password_command failed (timed out after 1 s)");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
}

static void test_config_account_password(void **state)
{
	struct fixture *f = *state;
	struct pt_error err;
	struct config *cfg = load(f,
	                          "[account ok]\nhost = h\n"
	                          "password_command = printf 'pw\\n'\n"
	                          "[account bad]\nhost = h\n\n"
	                          "password_command = exit 2\n"
	                          "[account none]\nhost = h\n",
	                          &err);
	char *pw, *want;

	assert_non_null(cfg);
	assert_int_equal(config_account_password(account(cfg, "ok"), &pw, &err),
	                 0);
	assert_string_equal(pw, "pw");
	explicit_bzero(pw, strlen(pw));
	free(pw);

	assert_int_equal(
	        config_account_password(account(cfg, "bad"), &pw, &err), -1);
	assert_null(pw);
	assert_int_equal(err.code, PT_E_AUTH);
	want = xasprintf("%s:7: password_command failed (exit 2)", f->path);
	assert_string_equal(err.msg, want);
	free(want);

	assert_int_equal(
	        config_account_password(account(cfg, "none"), &pw, &err), -1);
	assert_int_equal(err.code, PT_E_CONFIG);
	want = xasprintf("%s:8: [account none] has neither 'password' nor "
	                 "'password_command'",
	                 f->path);
	assert_string_equal(err.msg, want);
	free(want);
	config_free(cfg);
}

static void test_config_key_names(void **state)
{
	assert_string_equal(config_key_name(CONFIG_KEY_HOST), "host");
	assert_string_equal(config_key_name(CONFIG_KEY_PASSWORD_COMMAND),
	                    "password_command");
	assert_string_equal(config_key_name(CONFIG_KEY_EXCLUSIVE_KEYWORDS),
	                    "exclusive_keywords");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_config_two_accounts),
	        T(test_config_quoting_and_comments),
	        T(test_config_crlf_bom_utf8),
	        T(test_config_tls_port_defaults),
	        T(test_config_cache_paths),
	        T(test_config_default_path),
	        T(test_config_load_precedence),
	        T(test_config_home_abbreviated),
	        T(test_config_bind_color),
	        T(test_config_account_select),
	        T(test_config_bad_files),
	        T(test_config_nul_and_long_lines),
	        T(test_config_oversized_and_odd_files),
	        T(test_config_missing_file),
	        T(test_config_sample_files),
	        T(test_config_password_mode),
	        T(test_config_password_command_output),
	        T(test_config_password_command_failures),
	        T(test_config_password_command_timeout),
	        T(test_config_account_password),
	        T(test_config_key_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
