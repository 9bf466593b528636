/* cmd-expunge.c: `petrel expunge MAILBOX`: remove the messages the user
 * deleted with petrel (UID EXPUNGE of petrel's own \Deleted messages; an
 * extension of INTERFACE.md, documented in petrel(1)). Another device's
 * \Deleted messages are never expunged. */
#include <stdio.h>

#include "cmd-common.h"
#include "common/i18n.h"

int cmd_expunge(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct cache *cache = NULL;
	struct sync *sync = NULL;
	struct pt_error err = {0};
	int ret;

	if (argc != 1) {
		fprintf(stderr, "%s\n", _("usage: petrel expunge MAILBOX"));
		return 64;
	}
	if (ctx->offline) {
		fprintf(stderr, "%s\n",
		        _("petrel: expunge: cannot expunge with --offline"));
		return 64;
	}
	if ((ret = cmd_account(ctx, &cfg, &acct)) != 0)
		return ret;
	if ((ret = cmd_open_cache(acct, false, &cache)) != 0)
		goto out;
	if (cmd_connect(ctx, acct, cache, &sync, &err) < 0 ||
	    sync_list(sync, NULL, 0, &err) < 0 ||
	    sync_mailbox(sync, argv[0], SYNC_EXPUNGE, &err) < 0) {
		if (err.code == PT_E_NOTFOUND)
			pt_error_set(&err, PT_E_NOTFOUND,
			             _("no such mailbox: %s"), argv[0]);
		ret = cmd_fail(&err);
		goto out;
	}
	if (sync_stats(sync)->not_applied > 0)
		ret = 75;
out:
	sync_close(&sync);
	cache_close(&cache);
	config_free(cfg);
	return ret;
}
