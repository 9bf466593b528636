/* cmd-sync.c: `petrel sync [MAILBOX...]`: one-shot synchronization. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "common/i18n.h"
#include "common/xmalloc.h"

/* A one-shot sync reconnects at most this often (INTERFACE.md). */
#define CMD_SYNC_RECONNECTS 2

struct sync_run {
	struct cmd_ctx *ctx;
	const struct account_conf *acct;
	struct cache *cache;
	struct sync *sync;
	int reconnects;
	unsigned not_applied; /* from sessions closed by reconnects */
	unsigned flags;       /* sync_mailbox() flags */
};

static int run_connect(struct sync_run *r, struct pt_error *err)
{
	if (r->sync != NULL)
		r->not_applied += sync_stats(r->sync)->not_applied;
	sync_close(&r->sync);
	if (cmd_connect(r->ctx, r->acct, r->cache, &r->sync, err) < 0)
		return -1;
	return sync_list(r->sync, err);
}

/* Run one step; on a lost connection reconnect (up to the limit) and
 * retry it. */
static int run_mailbox(struct sync_run *r, const char *name,
                       struct pt_error *err)
{
	for (;;) {
		if (r->sync != NULL &&
		    sync_mailbox(r->sync, name, r->flags, err) == 0)
			return 0;
		if (r->sync != NULL && err->code != PT_E_CONN)
			return -1;
		if (r->reconnects++ >= CMD_SYNC_RECONNECTS)
			return -1;
		if (run_connect(r, err) < 0 && err->code != PT_E_CONN)
			return -1;
	}
}

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int cmd_sync(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sync_run r = {ctx, NULL, NULL, NULL, 0, 0, SYNC_SKIP_UNCHANGED};
	struct config *cfg = NULL;
	struct pt_error err = {0};
	char **names = NULL;
	size_t n = 0;
	int status = 0, ret;

	if (ctx->offline) {
		fprintf(stderr, "%s\n",
		        _("petrel: sync: cannot synchronize with --offline"));
		return 64;
	}
	if ((ret = cmd_account(ctx, &cfg, &r.acct)) != 0)
		return ret;
	if ((ret = cmd_open_cache(r.acct, false, &r.cache)) != 0)
		goto out;
	if (run_connect(&r, &err) < 0) {
		ret = cmd_fail(&err);
		goto out;
	}
	if (argc > 0) {
		names = xcalloc((size_t)argc, sizeof *names);
		for (int i = 0; i < argc; i++)
			names[n++] = xstrdup(argv[i]);
	} else if (r.acct->n_mailboxes > 0) {
		names = xcalloc(r.acct->n_mailboxes, sizeof *names);
		for (size_t i = 0; i < r.acct->n_mailboxes; i++)
			names[n++] = xstrdup(r.acct->mailboxes[i]);
	} else if (sync_default_mailboxes(r.sync, &names, &n, &err) < 0) {
		ret = cmd_fail(&err);
		goto out;
	}
	/* Go on past a failing mailbox; exit with the first failure. */
	for (size_t i = 0; i < n; i++) {
		pt_error_clear(&err);
		if (run_mailbox(&r, names[i], &err) < 0) {
			if (err.code == PT_E_NOTFOUND)
				pt_error_set(&err, PT_E_NOTFOUND,
				             _("no such mailbox: %s"),
				             names[i]);
			int st = cmd_fail(&err);
			if (status == 0)
				status = st;
			if (r.sync == NULL)
				break;
		}
	}
	/* Edits that could not be applied were reported: exit 75. */
	if (status == 0 && r.sync != NULL &&
	    r.not_applied + sync_stats(r.sync)->not_applied > 0)
		status = 75;
	ret = status;
out:
	names_free(names, n);
	sync_close(&r.sync);
	cache_close(&r.cache);
	config_free(cfg);
	return ret;
}
