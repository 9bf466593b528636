/* config.h: petrel's configuration file (INTERFACE.md "Configuration
 * file", petrel-config(5)): where it is, what it says, and the settings of
 * each account.
 *
 * The file is INI-style. "[account NAME]" sections hold "key = value"
 * lines whose keys come from a fixed table (config-table.c); "[bind]" and
 * "[color]" sections are kept as ordered (key, value, line) lists for the
 * interface to check itself. A '#' at the start of a line or after white
 * space outside double quotes starts a comment. A value written entirely
 * in double quotes is unquoted (\" and \\ are escapes, any other backslash
 * stays); any other value is kept as written, quotes included, so shell
 * commands reach /bin/sh unchanged. In a list (mailboxes,
 * exclusive_keywords) each word may be quoted on its own:
 * mailboxes = INBOX "Sent Items". Lines are UTF-8 without control
 * characters (TAB aside), CRLF endings and a leading BOM are accepted.
 *
 * Ownership: config_load() returns a struct config that the caller
 * releases with config_free(). Every pointer reachable from it (accounts,
 * strings, lists) is borrowed from it and valid until config_free(). A
 * loaded configuration is never modified, so threads may share it for
 * reading. Nothing here prints or logs; errors come back in struct
 * pt_error, as PT_E_CONFIG (exit 78) with a "FILE:LINE: " prefix whenever
 * a line is at fault. Passwords are never put into an error message. */
#ifndef PETREL_CONFIG_CONFIG_H
#define PETREL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* The keys of an [account] section, in the order of the key table. */
enum config_key {
	CONFIG_KEY_HOST,
	CONFIG_KEY_PORT,
	CONFIG_KEY_TLS,
	CONFIG_KEY_USER,
	CONFIG_KEY_PASSWORD,
	CONFIG_KEY_PASSWORD_COMMAND,
	CONFIG_KEY_TUNNEL,
	CONFIG_KEY_CA_FILE,
	CONFIG_KEY_CACHE,
	CONFIG_KEY_MAILBOXES,
	CONFIG_KEY_PREFETCH_DAYS,
	CONFIG_KEY_EXCLUSIVE_KEYWORDS,
	CONFIG_KEY_COUNT
};

enum config_tls {
	CONFIG_TLS_IMPLICIT, /* TLS from the first byte (port 993) */
	CONFIG_TLS_STARTTLS, /* plain connection upgraded; fails if absent */
	CONFIG_TLS_NONE,     /* no TLS: explicit "tls = none", or a tunnel */
};

/* How long config_account_password() lets password_command run. */
#define CONFIG_PASSWORD_TIMEOUT_MS 60000
/* The most password_command may print. */
#define CONFIG_PASSWORD_MAX 65536

/* One exclusive_keywords group: keywords that exclude each other. */
struct config_kwgroup {
	char **keywords; /* NULL-terminated */
	size_t count;    /* at least 2 */
	unsigned line;   /* where it was given; 0 for the built-in group */
};

/* One account section, with every default applied. Strings are NULL when
 * the key was not given and has no default. */
struct account_conf {
	char *name;
	const char *file; /* the configuration file, as shown in messages */
	unsigned line;    /* the [account NAME] line */

	char *host;          /* NULL with a tunnel */
	unsigned port;       /* 993 or 143 by default; 0 with a tunnel */
	enum config_tls tls; /* implicit by default; CONFIG_TLS_NONE with a
	                        tunnel */
	/* "tls = none" with a host: credentials go in the clear, and the
	 * connection code warns once. */
	bool cleartext;
	char *user;
	char *password; /* wiped by config_free() */
	char *password_command;
	char *tunnel;     /* run with /bin/sh -c; NULL with a host */
	char *ca_file;    /* '~' expanded; NULL: system store only */
	char *cache_path; /* '~' expanded; default
	                     $XDG_CACHE_HOME/petrel/NAME.sqlite */
	char **mailboxes; /* NULL-terminated; NULL: all subscribed */
	size_t n_mailboxes;
	unsigned prefetch_days; /* default 30 */
	/* The built-in $Junk $NotJunk group first, then the file's groups. */
	struct config_kwgroup *exclusive;
	size_t n_exclusive;

	/* The line each key was given on (the first one for a repeated
	 * key), 0 if it was not given. For error messages about values
	 * found wrong later ("FILE:LINE: ..."). */
	unsigned key_line[CONFIG_KEY_COUNT];
};

/* One line of a [bind] or [color] section, not checked here. */
struct config_entry {
	char *key;   /* e.g. "index.j", "status" */
	char *value; /* unquoted, e.g. "next-message", "white blue" */
	unsigned line;
};

struct config;

/* The file to read when there is no -F: $PETREL_CONFIG, else
 * $XDG_CONFIG_HOME/petrel/config, else ~/.config/petrel/config (relative
 * or empty XDG variables are ignored, as the XDG spec says). Returns a
 * string the caller frees, or NULL (PT_E_CONFIG) when there is no home
 * directory to use. */
char *config_default_path(struct pt_error *err);

/* Read and check the file at path (the -F argument), or at
 * config_default_path() when path is NULL. The whole file is checked,
 * every account included. A missing file is "no configuration file: PATH
 * (see petrel-config(5))". Returns NULL on error (PT_E_CONFIG). */
struct config *config_load(const char *path, struct pt_error *err);

/* Release a configuration, wiping the passwords it holds. NULL is
 * accepted. */
void config_free(struct config *cfg);

/* The file's name as shown in messages ("~/" for the home directory), for
 * the interface's own "FILE:LINE: ..." messages. */
const char *config_file(const struct config *cfg);

/* The account called name (-a), or the first one when name is NULL.
 * Returns NULL (PT_E_CONFIG) when there is no such account. */
const struct account_conf *config_account(const struct config *cfg,
                                          const char *name,
                                          struct pt_error *err);

/* The accounts in file order: i < config_account_count(cfg). */
size_t config_account_count(const struct config *cfg);
const struct account_conf *config_account_at(const struct config *cfg,
                                             size_t i);

/* The [bind] and [color] lines in file order (all sections of the same
 * name together). *n_r receives the count; the array may be NULL when it
 * is 0. */
const struct config_entry *config_bind(const struct config *cfg, size_t *n_r);
const struct config_entry *config_color(const struct config *cfg, size_t *n_r);

/* The key's name in the file ("password_command"). */
const char *config_key_name(enum config_key key);

/* The account's password: the password key, or the output of
 * password_command (run with /bin/sh -c, stdin from /dev/null, stderr
 * passed through, trailing newlines removed, at most
 * CONFIG_PASSWORD_TIMEOUT_MS). On success *pw_r is a new string that the
 * CALLER MUST WIPE with explicit_bzero() before freeing it. Errors:
 * PT_E_AUTH when the command fails ("FILE:LINE: password_command failed
 * (exit N)"), times out or prints nothing; PT_E_CONFIG when the account
 * has neither key. Blocks: call it from the sync thread or the command
 * line, never from the UI thread. Thread-safe (posix_spawn). */
int config_account_password(const struct account_conf *acct, char **pw_r,
                            struct pt_error *err);

/* The command half of config_account_password(), with a chosen timeout:
 * errors are PT_E_AUTH, "password_command failed (exit N)" and the like,
 * without a file:line prefix. Same ownership rule for *pw_r. */
int config_run_password_command(const char *command, int timeout_ms,
                                char **pw_r, struct pt_error *err);

#endif
