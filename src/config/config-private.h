/* config-private.h: what the files of src/config/ share: the loaded
 * configuration, the line reader (config-ini.c), the key table
 * (config-table.c) and the path helpers (config-path.c). Not for use
 * outside src/config/. Nothing here is thread-safe beyond what config.h
 * promises: a configuration is built by one thread. */
#ifndef PETREL_CONFIG_PRIVATE_H
#define PETREL_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "config/config.h"

/* A configuration file larger than this is refused. */
#define CONFIG_MAX_FILE (1024 * 1024)
/* A longer line (without its newline) is refused. */
#define CONFIG_MAX_LINE 65536

struct config_list {
	struct config_entry *v;
	size_t n;
};

struct config {
	char *path;    /* as opened */
	char *display; /* for messages */
	char *home;    /* NULL if there is none */
	struct account_conf **accounts;
	size_t n_accounts;
	struct config_list bind;
	struct config_list color;
};

/* Where a value comes from, for messages and '~'. */
struct config_where {
	const char *file; /* display name */
	unsigned line;
	const char *home; /* may be NULL */
};

/* Set err to PT_E_CONFIG with "FILE:LINE: " and the formatted problem
 * (just "FILE: " when line is 0). Returns -1. */
int config_error_at(struct pt_error *err, const char *file, unsigned line,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------ lines */

enum config_ini_kind {
	CONFIG_INI_SECTION,
	CONFIG_INI_PAIR,
};

/* One meaningful line. All strings are owned, and wiped and freed by
 * config_ini_line_clear() (values may be passwords). */
struct config_ini_line {
	enum config_ini_kind kind;
	unsigned line;
	char *type;  /* SECTION: "account", "bind", ... */
	char *name;  /* SECTION: the account name, or NULL */
	char *key;   /* PAIR */
	char *value; /* PAIR: unquoted when written entirely in quotes */
	char *raw;   /* PAIR: the value as written, quotes kept */
};

struct config_ini {
	const char *file; /* display name */
	const char *data;
	size_t len;
	size_t pos;
	unsigned line;
};

void config_ini_init(struct config_ini *ini, const char *file, const char *data,
                     size_t len);
/* The next line that is not blank or a comment. Returns 1 with *out
 * filled, 0 at the end of the file, -1 on a malformed line (NUL byte,
 * overlong line, invalid UTF-8, control character, unterminated quote,
 * no '=', bad section header). */
int config_ini_next(struct config_ini *ini, struct config_ini_line *out,
                    struct pt_error *err);
void config_ini_line_clear(struct config_ini_line *l);

/* Split a raw list value at white space outside quotes; a word written
 * in quotes is unquoted. Returns a NULL-terminated array (the caller
 * frees it with config_strv_free()) or NULL with err set. */
char **config_ini_split(const char *raw, size_t *n_r,
                        const struct config_where *w, struct pt_error *err);
void config_strv_free(char **v);

/* ------------------------------------------------------------ keys */

enum config_type {
	CONFIG_T_STRING,  /* any non-empty text */
	CONFIG_T_COMMAND, /* text for /bin/sh -c */
	CONFIG_T_SECRET,  /* text never shown in messages */
	CONFIG_T_PATH,    /* '~' at the start is the home directory */
	CONFIG_T_UINT,    /* decimal number in [min, max] */
	CONFIG_T_TLS,     /* implicit | starttls | none */
	CONFIG_T_LIST,    /* space-separated words, quotes allowed */
	CONFIG_T_KWGROUP, /* space-separated IMAP keywords (>= 2) */
};

struct config_key_def {
	const char *name;
	enum config_key key;
	enum config_type type;
	/* Applied when the key is absent; NULL when there is none or it is
	 * computed (port, cache: see the help text). */
	const char *def;
	unsigned min, max; /* CONFIG_T_UINT */
	bool repeat;       /* each occurrence adds (exclusive_keywords) */
	size_t offset;     /* the field in struct account_conf */
	const char *help;  /* N_() */
};

extern const struct config_key_def config_key_table[CONFIG_KEY_COUNT];

/* The table row for a key name, or NULL. */
const struct config_key_def *config_key_find(const char *name);
/* Parse value (raw: as written) into the account's field. */
int config_key_set(struct account_conf *acct, const struct config_key_def *d,
                   const char *value, const char *raw,
                   const struct config_where *w, struct pt_error *err);
/* Apply every table default for a key the account does not give. */
int config_key_defaults(struct account_conf *acct, const struct config_where *w,
                        struct pt_error *err);
/* Add the built-in $Junk $NotJunk group, unless the file gives it. */
void config_key_builtin_groups(struct account_conf *acct);

/* ------------------------------------------------------------ paths */

/* $HOME, else the password database's entry; NULL if neither. */
char *config_path_home(void);
/* $VAR when set to an absolute path, else HOME/fallback; NULL if that
 * needs a home directory and there is none. */
char *config_path_xdg(const char *var, const char *home, const char *fallback);
/* path with a leading "~" or "~/" replaced by home (a copy). */
int config_path_expand(const char *path, const char *home, char **out_r,
                       const struct config_where *w, struct pt_error *err);
/* path with home abbreviated to "~" for messages (a copy). */
char *config_path_abbrev(const char *path, const char *home);

#endif
