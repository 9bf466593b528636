/* cmd-common.c: account, cache and connection set-up for sub-commands. */
#include "cmd-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/text.h"
#include "common/xmalloc.h"

int cmd_fail(const struct pt_error *err)
{
	char *msg = text_sanitize_str(err->msg, TEXT_ONELINE);

	fprintf(stderr, "petrel: %s\n", *msg ? msg : _("internal error"));
	free(msg);
	return pt_error_exit_status(err->code ? err->code : PT_E_INTERNAL);
}

int cmd_account(struct cmd_ctx *ctx, struct config **cfg_r,
                const struct account_conf **acct_r)
{
	struct pt_error err = {0};
	struct config *cfg = config_load(ctx->config_path, &err);
	const struct account_conf *acct;

	if (cfg == NULL)
		return cmd_fail(&err);
	acct = config_account(cfg, ctx->account, &err);
	if (acct == NULL) {
		config_free(cfg);
		return cmd_fail(&err);
	}
	*cfg_r = cfg;
	*acct_r = acct;
	return 0;
}

int cmd_open_cache(const struct account_conf *acct, bool readonly,
                   struct cache **cache_r)
{
	struct pt_error err = {0};

	*cache_r = NULL;
	if (readonly && access(acct->cache_path, F_OK) != 0)
		return 0; /* never synced: an empty cache */
	if (cache_open(acct->cache_path, readonly ? CACHE_OPEN_READONLY : 0,
	               cache_r, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

/* The account's exclusive keyword groups as NULL-terminated arrays: the
 * keyword arrays are the account's; the outer array is cached here. */
static char ***cmd_exclusive_groups(const struct account_conf *acct)
{
	static char ***groups;
	static const struct account_conf *of;

	if (of != acct) {
		free(groups);
		groups = xcalloc(acct->n_exclusive + 1, sizeof *groups);
		for (size_t i = 0; i < acct->n_exclusive; i++)
			groups[i] = acct->exclusive[i].keywords;
		of = acct;
	}
	return groups;
}

static enum imap_tls_mode tls_mode(enum config_tls t)
{
	switch (t) {
	case CONFIG_TLS_STARTTLS:
		return IMAP_TLS_STARTTLS;
	case CONFIG_TLS_NONE:
		return IMAP_TLS_NONE;
	default:
		return IMAP_TLS_IMPLICIT;
	}
}

int cmd_connect(struct cmd_ctx *ctx, const struct account_conf *acct,
                struct cache *cache, struct sync **sync_r, struct pt_error *err)
{
	struct sync_params p;
	char *password = NULL;
	int ret;

	memset(&p, 0, sizeof p);
	p.client.conn.host = acct->host;
	p.client.conn.port = acct->port;
	p.client.conn.tls = tls_mode(acct->tls);
	p.client.conn.ca_file = acct->ca_file;
	p.client.conn.tunnel = acct->tunnel;
	p.client.conn.trace_path = ctx->trace_path;
	p.client.user = acct->user;
	p.client.wake_fd = -1;
	p.notices = stderr;
	p.exclusive = (const char *const *const *)cmd_exclusive_groups(acct);
	p.n_exclusive = acct->n_exclusive;
	p.prefetch_days = acct->prefetch_days;
	if (acct->password != NULL || acct->password_command != NULL) {
		if (config_account_password(acct, &password, err) < 0)
			return -1;
		p.client.password = password;
	}
	if (acct->cleartext && password != NULL)
		fprintf(stderr, "%s\n",
		        _("petrel: warning: tls = none: the password is sent "
		          "in the clear"));
	ret = sync_open(cache, &p, sync_r, err);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	return ret;
}

int cmd_parse_uidset(const char *text, struct imap_seqset *set,
                     struct pt_error *err)
{
	if (imap_seqset_parse(set, text, strlen(text), 0, err) < 0)
		return pt_error_set(err, PT_E_DATA,
		                    _("malformed UIDSET '%s' (e.g. 4, 4,7, "
		                      "10:20)"),
		                    text);
	return 0;
}
