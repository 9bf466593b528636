/* cmd-sync.c: `petrel sync [MAILBOX...]`: one-shot synchronization. */
#include <stdbool.h>
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
	char **names;         /* the mailboxes to sync */
	size_t n;
	size_t cur; /* names[cur] is being synced */
	bool ready; /* connected and listed */
};

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int run_connect(struct sync_run *r, struct pt_error *err)
{
	if (r->sync != NULL)
		r->not_applied += sync_stats(r->sync)->not_applied;
	sync_close(&r->sync);
	char **pre = r->names ? r->names + r->cur : NULL;
	size_t npre = r->names ? r->n - r->cur : 0;
	int ret;

	if (cmd_connect(r->ctx, r->acct, r->cache, &r->sync, err) < 0)
		return -1;
	/* Without names, the cached default list tells which mailboxes to
	 * ask STATUS for early; the list is made again after LIST. */
	if (pre == NULL &&
	    sync_default_mailboxes(r->sync, &pre, &npre, err) < 0)
		return -1;
	ret = sync_list(r->sync, (const char *const *)pre, npre, err);
	if (r->names == NULL)
		names_free(pre, npre);
	r->ready = ret == 0;
	return ret;
}

/* Run one step; on a lost connection reconnect (up to the limit) and
 * retry it. */
static int run_mailbox(struct sync_run *r, const char *name,
                       struct pt_error *err)
{
	for (;;) {
		if (r->ready) {
			if (sync_mailbox(r->sync, name, r->flags, err) == 0)
				return 0;
			if (err->code != PT_E_CONN)
				return -1;
			r->ready = false;
		}
		if (r->reconnects++ >= CMD_SYNC_RECONNECTS)
			return -1;
		if (run_connect(r, err) < 0 && err->code != PT_E_CONN)
			return -1;
	}
}

int cmd_sync(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sync_run r = {ctx,  NULL, NULL, NULL, 0, 0, SYNC_SKIP_UNCHANGED,
	                     NULL, 0,    0,    false};
	struct config *cfg = NULL;
	struct pt_error err = {0};
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
	if (argc > 0) {
		r.names = xcalloc((size_t)argc, sizeof *r.names);
		for (int i = 0; i < argc; i++)
			r.names[r.n++] = xstrdup(argv[i]);
	} else if (r.acct->n_mailboxes > 0) {
		r.names = xcalloc(r.acct->n_mailboxes, sizeof *r.names);
		for (size_t i = 0; i < r.acct->n_mailboxes; i++)
			r.names[r.n++] = xstrdup(r.acct->mailboxes[i]);
	}
	/* A connection lost after the login is retried like one lost later
	 * (run_mailbox reconnects); one that could not be made is final. */
	if (run_connect(&r, &err) < 0 &&
	    (r.sync == NULL || err.code != PT_E_CONN)) {
		ret = cmd_fail(&err);
		goto out;
	}
	if (r.names == NULL &&
	    sync_default_mailboxes(r.sync, &r.names, &r.n, &err) < 0) {
		ret = cmd_fail(&err);
		goto out;
	}
	/* Go on past a failing mailbox; exit with the first failure. */
	for (r.cur = 0; r.cur < r.n; r.cur++) {
		pt_error_clear(&err);
		if (run_mailbox(&r, r.names[r.cur], &err) < 0) {
			if (err.code == PT_E_NOTFOUND)
				pt_error_set(&err, PT_E_NOTFOUND,
				             _("no such mailbox: %s"),
				             r.names[r.cur]);
			int st = cmd_fail(&err);
			if (status == 0)
				status = st;
			if (!r.ready)
				break;
		}
	}
	/* Edits that could not be applied were reported: exit 75. */
	if (status == 0 && r.sync != NULL &&
	    r.not_applied + sync_stats(r.sync)->not_applied > 0)
		status = 75;
	ret = status;
out:
	names_free(r.names, r.n);
	sync_close(&r.sync);
	cache_close(&r.cache);
	config_free(cfg);
	return ret;
}
