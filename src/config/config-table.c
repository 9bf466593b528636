/* config-table.c: the keys of an [account] section: one const table row
 * per key (name, type, default, range, whether it may repeat, help), and
 * the parsing of each type of value into struct account_conf. */
#include "config/config-private.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

#define CONFIG_FIELD(f) offsetof(struct account_conf, f)

const struct config_key_def config_key_table[CONFIG_KEY_COUNT] = {
        [CONFIG_KEY_HOST] = {"host", CONFIG_KEY_HOST, CONFIG_T_STRING, NULL, 0,
                             0, false, CONFIG_FIELD(host),
                             N_("IMAP server host name (not with tunnel)")},
        [CONFIG_KEY_PORT] = {"port", CONFIG_KEY_PORT, CONFIG_T_UINT, NULL, 1,
                             65535, false, CONFIG_FIELD(port),
                             N_("server port; default 993 with implicit "
                                "TLS, 143 otherwise")},
        [CONFIG_KEY_TLS] = {"tls", CONFIG_KEY_TLS, CONFIG_T_TLS, "implicit", 0,
                            0, false, CONFIG_FIELD(tls),
                            N_("implicit (default), starttls or none")},
        [CONFIG_KEY_USER] = {"user", CONFIG_KEY_USER, CONFIG_T_STRING, NULL, 0,
                             0, false, CONFIG_FIELD(user), N_("login name")},
        [CONFIG_KEY_PASSWORD] = {"password", CONFIG_KEY_PASSWORD,
                                 CONFIG_T_SECRET, NULL, 0, 0, false,
                                 CONFIG_FIELD(password),
                                 N_("password; only in a file that group "
                                    "and others cannot read")},
        [CONFIG_KEY_PASSWORD_COMMAND] = {"password_command",
                                         CONFIG_KEY_PASSWORD_COMMAND,
                                         CONFIG_T_COMMAND, NULL, 0, 0, false,
                                         CONFIG_FIELD(password_command),
                                         N_("command printing the "
                                            "password")},
        [CONFIG_KEY_TUNNEL] = {"tunnel", CONFIG_KEY_TUNNEL, CONFIG_T_COMMAND,
                               NULL, 0, 0, false, CONFIG_FIELD(tunnel),
                               N_("command carrying IMAP on its standard "
                                  "input and output (not with host)")},
        [CONFIG_KEY_CA_FILE] = {"ca_file", CONFIG_KEY_CA_FILE, CONFIG_T_PATH,
                                NULL, 0, 0, false, CONFIG_FIELD(ca_file),
                                N_("extra trust anchor (PEM)")},
        [CONFIG_KEY_CACHE] = {"cache", CONFIG_KEY_CACHE, CONFIG_T_PATH, NULL, 0,
                              0, false, CONFIG_FIELD(cache_path),
                              N_("cache file; default "
                                 "$XDG_CACHE_HOME/petrel/NAME.sqlite")},
        [CONFIG_KEY_MAILBOXES] = {"mailboxes", CONFIG_KEY_MAILBOXES,
                                  CONFIG_T_LIST, NULL, 0, 0, false,
                                  CONFIG_FIELD(mailboxes),
                                  N_("mailboxes to sync; default: all "
                                     "subscribed")},
        [CONFIG_KEY_PREFETCH_DAYS] = {"prefetch_days", CONFIG_KEY_PREFETCH_DAYS,
                                      CONFIG_T_UINT, "30", 0, 36500, false,
                                      CONFIG_FIELD(prefetch_days),
                                      N_("bodies newer than this many days "
                                         "are cached")},
        [CONFIG_KEY_EXCLUSIVE_KEYWORDS] = {"exclusive_keywords",
                                           CONFIG_KEY_EXCLUSIVE_KEYWORDS,
                                           CONFIG_T_KWGROUP, NULL, 0, 0, true,
                                           CONFIG_FIELD(exclusive),
                                           N_("keywords that exclude each "
                                              "other; may repeat")},
};

const struct config_key_def *config_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < CONFIG_KEY_COUNT; i++) {
		if (strcmp(config_key_table[i].name, name) == 0)
			return &config_key_table[i];
	}
	return NULL;
}

const char *config_key_name(enum config_key key)
{
	return key < CONFIG_KEY_COUNT ? config_key_table[key].name : "?";
}

static void *key_field(struct account_conf *acct,
                       const struct config_key_def *d)
{
	return (char *)acct + d->offset;
}

static int key_uint(unsigned *field, const struct config_key_def *d,
                    const char *value, const struct config_where *w,
                    struct pt_error *err)
{
	unsigned long n = 0;
	size_t i, len = strlen(value);

	for (i = 0; i < len && value[i] >= '0' && value[i] <= '9'; i++) {
		if (n <= d->max)
			n = n * 10 + (unsigned long)(value[i] - '0');
	}
	if (len == 0 || i < len || n < d->min || n > d->max)
		return config_error_at(err, w->file, w->line,
		                       _("'%s' must be a number from %u to %u, "
		                         "not '%.64s'"),
		                       d->name, d->min, d->max, value);
	*field = (unsigned)n;
	return 0;
}

static int key_tls(enum config_tls *field, const char *value,
                   const struct config_where *w, struct pt_error *err)
{
	if (strcmp(value, "implicit") == 0)
		*field = CONFIG_TLS_IMPLICIT;
	else if (strcmp(value, "starttls") == 0)
		*field = CONFIG_TLS_STARTTLS;
	else if (strcmp(value, "none") == 0)
		*field = CONFIG_TLS_NONE;
	else
		return config_error_at(err, w->file, w->line,
		                       _("'tls' must be implicit, starttls or "
		                         "none, not '%.64s'"),
		                       value);
	return 0;
}

/* A keyword is an IMAP atom (RFC 3501 section 9, flag-keyword): no
 * backslash, so no system flag, and none of the atom-specials. */
static bool key_is_keyword(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if (*u <= 0x20 || *u >= 0x7f || strchr("(){%*\"\\]", *u))
			return false;
	}
	return true;
}

static int key_check_group(char **kw, size_t n, const struct config_where *w,
                           struct pt_error *err)
{
	size_t i, j;

	if (n < 2)
		return config_error_at(err, w->file, w->line,
		                       _("'exclusive_keywords' needs at least "
		                         "two keywords"));
	for (i = 0; i < n; i++) {
		if (!key_is_keyword(kw[i]))
			return config_error_at(
			        err, w->file, w->line,
			        _("'%.64s' is not an IMAP keyword"), kw[i]);
		for (j = 0; j < i; j++) {
			if (strcasecmp(kw[i], kw[j]) == 0)
				return config_error_at(
				        err, w->file, w->line,
				        _("keyword '%.64s' given twice in one "
				          "group"),
				        kw[i]);
		}
	}
	return 0;
}

static void key_add_group(struct account_conf *acct, char **kw, size_t n,
                          unsigned line, bool first)
{
	struct config_kwgroup *g;

	acct->exclusive = xreallocarray(acct->exclusive, acct->n_exclusive + 1,
	                                sizeof *acct->exclusive);
	if (first)
		memmove(acct->exclusive + 1, acct->exclusive,
		        acct->n_exclusive * sizeof *acct->exclusive);
	g = first ? &acct->exclusive[0] : &acct->exclusive[acct->n_exclusive];
	g->keywords = kw;
	g->count = n;
	g->line = line;
	acct->n_exclusive++;
}

static int key_group(struct account_conf *acct, const char *raw,
                     const struct config_where *w, struct pt_error *err)
{
	size_t n = 0;
	char **kw = config_ini_split(raw, &n, w, err);

	if (kw == NULL)
		return -1;
	if (key_check_group(kw, n, w, err) < 0) {
		config_strv_free(kw);
		return -1;
	}
	key_add_group(acct, kw, n, w->line, false);
	return 0;
}

static int key_list(struct account_conf *acct, const char *raw,
                    const struct config_where *w, struct pt_error *err)
{
	size_t n = 0;
	char **v = config_ini_split(raw, &n, w, err);

	if (v == NULL)
		return -1;
	acct->mailboxes = v;
	acct->n_mailboxes = n;
	return 0;
}

int config_key_set(struct account_conf *acct, const struct config_key_def *d,
                   const char *value, const char *raw,
                   const struct config_where *w, struct pt_error *err)
{
	if (value[0] == '\0')
		return config_error_at(err, w->file, w->line,
		                       _("'%s' needs a value"), d->name);
	switch (d->type) {
	case CONFIG_T_STRING:
	case CONFIG_T_COMMAND:
	case CONFIG_T_SECRET:
		*(char **)key_field(acct, d) = xstrdup(value);
		return 0;
	case CONFIG_T_PATH:
		return config_path_expand(value, w->home,
		                          (char **)key_field(acct, d), w, err);
	case CONFIG_T_UINT:
		return key_uint(key_field(acct, d), d, value, w, err);
	case CONFIG_T_TLS:
		return key_tls(key_field(acct, d), value, w, err);
	case CONFIG_T_LIST:
		return key_list(acct, raw, w, err);
	case CONFIG_T_KWGROUP:
		return key_group(acct, raw, w, err);
	}
	return pt_error_set(err, PT_E_INTERNAL, "config: bad key type");
}

int config_key_defaults(struct account_conf *acct, const struct config_where *w,
                        struct pt_error *err)
{
	const struct config_key_def *d;
	size_t i;

	for (i = 0; i < CONFIG_KEY_COUNT; i++) {
		d = &config_key_table[i];
		if (d->def == NULL || acct->key_line[d->key] != 0)
			continue;
		if (config_key_set(acct, d, d->def, d->def, w, err) < 0)
			return -1;
	}
	return 0;
}

static bool key_is_junk_group(const struct config_kwgroup *g)
{
	return g->count == 2 &&
	       ((strcasecmp(g->keywords[0], "$Junk") == 0 &&
	         strcasecmp(g->keywords[1], "$NotJunk") == 0) ||
	        (strcasecmp(g->keywords[0], "$NotJunk") == 0 &&
	         strcasecmp(g->keywords[1], "$Junk") == 0));
}

void config_key_builtin_groups(struct account_conf *acct)
{
	char **kw;
	size_t i;

	for (i = 0; i < acct->n_exclusive; i++) {
		if (key_is_junk_group(&acct->exclusive[i]))
			return;
	}
	/* $Junk and $NotJunk (RFC 5788 registry) always exclude each
	 * other, whatever the file says. */
	kw = xcalloc(3, sizeof *kw);
	kw[0] = xstrdup("$Junk");
	kw[1] = xstrdup("$NotJunk");
	key_add_group(acct, kw, 2, 0, true);
}
