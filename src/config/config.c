/* config.c: loading the configuration file: finding and reading it, the
 * meaning of its sections, the checks that need a whole account (tunnel
 * versus host, defaults, the file mode when it holds a password), and
 * choosing the account to use. */
#include "config/config-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/xmalloc.h"

/* The section being read. */
struct config_loader {
	struct config *cfg;
	struct account_conf *acct; /* in an [account] section */
	struct config_list *list;  /* in a [bind] or [color] section */
};

char *config_default_path(struct pt_error *err)
{
	const char *env = getenv("PETREL_CONFIG");
	char *home, *dir, *path;

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	home = config_path_home();
	dir = config_path_xdg("XDG_CONFIG_HOME", home, ".config");
	free(home);
	if (dir == NULL) {
		pt_error_set(err, PT_E_CONFIG,
		             _("no configuration file: no home directory (set "
		               "HOME, or use -F FILE)"));
		return NULL;
	}
	path = xasprintf("%s/petrel/config", dir);
	free(dir);
	return path;
}

static int config_open(const struct config *cfg, struct stat *st,
                       struct pt_error *err)
{
	int fd;

	/* O_NONBLOCK: a FIFO must not hang us before the S_ISREG check. */
	fd = open(cfg->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return pt_error_set(err, PT_E_CONFIG,
		                    _("no configuration file: %s (see "
		                      "petrel-config(5))"),
		                    cfg->display);
	if (fd < 0)
		return pt_error_set(err, PT_E_CONFIG, _("cannot open %s: %s"),
		                    cfg->display, strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return pt_error_set(err, PT_E_CONFIG,
		                    _("%s: not a regular file"), cfg->display);
	}
	return fd;
}

/* Read the whole file into *data_r (CONFIG_MAX_FILE + 1 bytes, which the
 * caller wipes: it may hold passwords). */
static int config_read(const struct config *cfg, char **data_r, size_t *len_r,
                       mode_t *mode_r, struct pt_error *err)
{
	char *data = xmalloc(CONFIG_MAX_FILE + 1);
	struct stat st;
	size_t len = 0;
	ssize_t n = 1;
	int fd = config_open(cfg, &st, err);

	*data_r = data;
	*len_r = 0;
	if (fd < 0)
		return -1;
	while (len <= CONFIG_MAX_FILE && n != 0) {
		n = read(fd, data + len, CONFIG_MAX_FILE + 1 - len);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			break;
		len += n > 0 ? (size_t)n : 0;
	}
	close(fd);
	*len_r = len;
	*mode_r = st.st_mode;
	if (n < 0)
		return pt_error_set(err, PT_E_CONFIG, _("cannot read %s: %s"),
		                    cfg->display, strerror(errno));
	if (len > CONFIG_MAX_FILE)
		return pt_error_set(err, PT_E_CONFIG,
		                    _("%s: larger than %d bytes"), cfg->display,
		                    CONFIG_MAX_FILE);
	return 0;
}

static void config_account_free(struct account_conf *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (a->password != NULL)
		explicit_bzero(a->password, strlen(a->password));
	free(a->password);
	free(a->name);
	free(a->host);
	free(a->user);
	free(a->password_command);
	free(a->tunnel);
	free(a->ca_file);
	free(a->cache_path);
	config_strv_free(a->mailboxes);
	for (i = 0; i < a->n_exclusive; i++)
		config_strv_free(a->exclusive[i].keywords);
	free(a->exclusive);
	free(a);
}

static void config_list_free(struct config_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
}

void config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_accounts; i++)
		config_account_free(cfg->accounts[i]);
	free(cfg->accounts);
	config_list_free(&cfg->bind);
	config_list_free(&cfg->color);
	free(cfg->path);
	free(cfg->display);
	free(cfg->home);
	free(cfg);
}

static struct config_where config_where_of(const struct config *cfg,
                                           unsigned line)
{
	struct config_where w = {cfg->display, line, cfg->home};

	return w;
}

/* Account names become file names (NAME.sqlite) and -a arguments: keep
 * them to letters, digits, non-ASCII characters and ._-+@, no leading
 * dot. */
static bool config_name_ok(const char *name)
{
	const unsigned char *u = (const unsigned char *)name;

	if (u[0] == '.' || strlen(name) > 128)
		return false;
	for (; *u != '\0'; u++) {
		if (!(*u >= 0x80 || (*u >= 'a' && *u <= 'z') ||
		      (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
		      strchr("._-+@", *u) != NULL))
			return false;
	}
	return true;
}

static const struct account_conf *config_find(const struct config *cfg,
                                              const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_accounts; i++) {
		if (strcmp(cfg->accounts[i]->name, name) == 0)
			return cfg->accounts[i];
	}
	return NULL;
}

/* With a tunnel, host, port and tls make no sense (INTERFACE.md). */
static int config_check_tunnel(const struct config *cfg,
                               const struct account_conf *a,
                               struct pt_error *err)
{
	static const enum config_key bad[] = {CONFIG_KEY_HOST, CONFIG_KEY_PORT,
	                                      CONFIG_KEY_TLS};
	size_t i;

	if (a->tunnel == NULL) {
		if (a->host == NULL)
			return config_error_at(err, cfg->display, a->line,
			                       _("[account %s] needs 'host' or "
			                         "'tunnel'"),
			                       a->name);
		return 0;
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (a->key_line[bad[i]] != 0)
			return config_error_at(
			        err, cfg->display, a->key_line[bad[i]],
			        _("'%s' cannot be used with 'tunnel' (line %u) in "
			          "[account %s]"),
			        config_key_name(bad[i]),
			        a->key_line[CONFIG_KEY_TUNNEL], a->name);
	}
	return 0;
}

static int config_check_password(const struct config *cfg,
                                 const struct account_conf *a,
                                 struct pt_error *err)
{
	unsigned pl = a->key_line[CONFIG_KEY_PASSWORD];
	unsigned cl = a->key_line[CONFIG_KEY_PASSWORD_COMMAND];

	if (pl == 0 || cl == 0)
		return 0;
	return config_error_at(err, cfg->display, pl > cl ? pl : cl,
	                       _("'password' and 'password_command' cannot "
	                         "both be used in [account %s]"),
	                       a->name);
}

static int config_default_cache(const struct config *cfg,
                                struct account_conf *a, struct pt_error *err)
{
	char *dir;

	if (a->cache_path != NULL)
		return 0;
	dir = config_path_xdg("XDG_CACHE_HOME", cfg->home, ".cache");
	if (dir == NULL)
		return config_error_at(err, cfg->display, a->line,
		                       _("no home directory for the cache of "
		                         "[account %s] (set HOME or 'cache')"),
		                       a->name);
	a->cache_path = xasprintf("%s/petrel/%s.sqlite", dir, a->name);
	free(dir);
	return 0;
}

/* The checks and defaults that need the whole account. */
static int config_finish_account(struct config_loader *ld, struct pt_error *err)
{
	struct account_conf *a = ld->acct;
	struct config_where w;

	if (a == NULL)
		return 0;
	ld->acct = NULL;
	w = config_where_of(ld->cfg, a->line);
	if (config_check_tunnel(ld->cfg, a, err) < 0 ||
	    config_check_password(ld->cfg, a, err) < 0 ||
	    config_key_defaults(a, &w, err) < 0 ||
	    config_default_cache(ld->cfg, a, err) < 0)
		return -1;
	if (a->tunnel != NULL) {
		a->tls = CONFIG_TLS_NONE;
		a->port = 0;
	} else {
		if (a->key_line[CONFIG_KEY_PORT] == 0)
			a->port = a->tls == CONFIG_TLS_IMPLICIT ? 993 : 143;
		a->cleartext = a->tls == CONFIG_TLS_NONE;
	}
	config_key_builtin_groups(a);
	return 0;
}

static int config_start_account(struct config_loader *ld,
                                const struct config_ini_line *l,
                                struct pt_error *err)
{
	struct config *cfg = ld->cfg;
	const struct account_conf *dup;
	struct account_conf *a;

	if (l->name == NULL)
		return config_error_at(err, cfg->display, l->line,
		                       _("malformed section header: expected "
		                         "[account NAME]"));
	if (!config_name_ok(l->name))
		return config_error_at(err, cfg->display, l->line,
		                       _("bad account name '%.64s' (use "
		                         "letters, digits and ._-+@)"),
		                       l->name);
	dup = config_find(cfg, l->name);
	if (dup != NULL)
		return config_error_at(
		        err, cfg->display, l->line,
		        _("duplicate account '%s' (first at line "
		          "%u)"),
		        l->name, dup->line);
	a = xcalloc(1, sizeof *a);
	a->name = xstrdup(l->name);
	a->file = cfg->display;
	a->line = l->line;
	cfg->accounts = xreallocarray(cfg->accounts, cfg->n_accounts + 1,
	                              sizeof *cfg->accounts);
	cfg->accounts[cfg->n_accounts++] = a;
	ld->acct = a;
	return 0;
}

static int config_section(struct config_loader *ld,
                          const struct config_ini_line *l, struct pt_error *err)
{
	const char *file = ld->cfg->display;

	if (config_finish_account(ld, err) < 0)
		return -1;
	ld->list = NULL;
	if (strcmp(l->type, "account") == 0)
		return config_start_account(ld, l, err);
	if (strcmp(l->type, "bind") == 0)
		ld->list = &ld->cfg->bind;
	else if (strcmp(l->type, "color") == 0)
		ld->list = &ld->cfg->color;
	else
		return config_error_at(err, file, l->line,
		                       _("unknown section [%.64s] (expected "
		                         "[account NAME], [bind] or [color])"),
		                       l->type);
	if (l->name != NULL)
		return config_error_at(err, file, l->line,
		                       _("malformed section header: [%s] takes "
		                         "no name"),
		                       l->type);
	return 0;
}

static int config_account_pair(struct config_loader *ld,
                               const struct config_ini_line *l,
                               struct pt_error *err)
{
	struct account_conf *a = ld->acct;
	const struct config_key_def *d = config_key_find(l->key);
	struct config_where w = config_where_of(ld->cfg, l->line);

	if (d == NULL)
		return config_error_at(err, w.file, l->line,
		                       _("unknown key '%.64s' in [account %s]"),
		                       l->key, a->name);
	if (a->key_line[d->key] != 0 && !d->repeat)
		return config_error_at(err, w.file, l->line,
		                       _("'%s' given twice in [account %s] "
		                         "(first at line %u)"),
		                       d->name, a->name, a->key_line[d->key]);
	if (a->key_line[d->key] == 0)
		a->key_line[d->key] = l->line;
	return config_key_set(a, d, l->value, l->raw, &w, err);
}

static int config_pair(struct config_loader *ld, struct config_ini_line *l,
                       struct pt_error *err)
{
	struct config_list *list = ld->list;
	struct config_entry *e;

	if (ld->acct != NULL)
		return config_account_pair(ld, l, err);
	if (list == NULL)
		return config_error_at(
		        err, ld->cfg->display, l->line,
		        _("'%.64s' outside a section (start with "
		          "[account NAME])"),
		        l->key);
	list->v = xreallocarray(list->v, list->n + 1, sizeof *list->v);
	e = &list->v[list->n++];
	e->key = l->key;
	e->value = l->value;
	e->line = l->line;
	l->key = l->value = NULL;
	return 0;
}

static int config_parse(struct config *cfg, const char *data, size_t len,
                        struct pt_error *err)
{
	struct config_loader ld = {cfg, NULL, NULL};
	struct config_ini ini;
	struct config_ini_line l;
	int rc;

	config_ini_init(&ini, cfg->display, data, len);
	while ((rc = config_ini_next(&ini, &l, err)) > 0) {
		if (l.kind == CONFIG_INI_SECTION)
			rc = config_section(&ld, &l, err);
		else
			rc = config_pair(&ld, &l, err);
		config_ini_line_clear(&l);
		if (rc < 0)
			return -1;
	}
	config_ini_line_clear(&l);
	if (rc < 0)
		return -1;
	return config_finish_account(&ld, err);
}

/* A password may only sit in a file nobody else can read
 * (INTERFACE.md); the mode comes from fstat() on the file we read. */
static int config_check_mode(const struct config *cfg, mode_t mode,
                             struct pt_error *err)
{
	const struct account_conf *a;
	size_t i;

	if ((mode & (S_IRGRP | S_IROTH)) == 0)
		return 0;
	for (i = 0; i < cfg->n_accounts; i++) {
		a = cfg->accounts[i];
		if (a->password != NULL)
			return config_error_at(
			        err, cfg->display,
			        a->key_line[CONFIG_KEY_PASSWORD],
			        _("'password' in a file that group or others "
			          "can read: run chmod 600 %s"),
			        cfg->display);
	}
	return 0;
}

struct config *config_load(const char *path, struct pt_error *err)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	char *data = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int rc;

	cfg->path = path != NULL ? xstrdup(path) : config_default_path(err);
	if (cfg->path == NULL) {
		free(cfg);
		return NULL;
	}
	cfg->home = config_path_home();
	cfg->display = config_path_abbrev(cfg->path, cfg->home);
	rc = config_read(cfg, &data, &len, &mode, err);
	if (rc == 0)
		rc = config_parse(cfg, data, len, err);
	if (rc == 0)
		rc = config_check_mode(cfg, mode, err);
	explicit_bzero(data, len);
	free(data);
	if (rc < 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

const char *config_file(const struct config *cfg)
{
	return cfg->display;
}

const struct account_conf *
config_account(const struct config *cfg, const char *name, struct pt_error *err)
{
	const struct account_conf *a;

	if (cfg->n_accounts == 0) {
		config_error_at(err, cfg->display, 0,
		                _("no account (add an [account NAME] "
		                  "section)"));
		return NULL;
	}
	if (name == NULL)
		return cfg->accounts[0];
	a = config_find(cfg, name);
	if (a == NULL)
		pt_error_set(err, PT_E_CONFIG, _("no account '%.64s' in %s"),
		             name, cfg->display);
	return a;
}

size_t config_account_count(const struct config *cfg)
{
	return cfg->n_accounts;
}

const struct account_conf *config_account_at(const struct config *cfg, size_t i)
{
	return i < cfg->n_accounts ? cfg->accounts[i] : NULL;
}

const struct config_entry *config_bind(const struct config *cfg, size_t *n_r)
{
	*n_r = cfg->bind.n;
	return cfg->bind.v;
}

const struct config_entry *config_color(const struct config *cfg, size_t *n_r)
{
	*n_r = cfg->color.n;
	return cfg->color.v;
}
