/* cmd-flag.c: `petrel flag MAILBOX UIDSET (+|-)FLAG...` and `petrel
 * pending`: flag edits through the change queue (INTERFACE.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache-flags.h"
#include "cmd-common.h"
#include "common/buf.h"
#include "common/i18n.h"
#include "common/text.h"
#include "common/xmalloc.h"

/* Split the (+|-)FLAG arguments into two canonical lists. */
static int parse_flags(int argc, char **argv, char **add_r, char **remove_r,
                       struct pt_error *err)
{
	struct buf add = BUF_INIT, remove = BUF_INIT;
	int ret = 0;

	for (int i = 0; i < argc && ret == 0; i++) {
		struct buf *b = argv[i][0] == '+' ? &add : &remove;
		if ((argv[i][0] != '+' && argv[i][0] != '-') ||
		    argv[i][1] == '\0') {
			ret = pt_error_set(
			        err, PT_E_USAGE,
			        _("expected +FLAG or -FLAG, not '%s'"),
			        argv[i]);
			break;
		}
		if (b->len > 0)
			buf_addch(b, ' ');
		buf_addstr(b, argv[i] + 1);
	}
	if (ret == 0 &&
	    (cache_flags_normalize(buf_str(&add), add_r, err) < 0 ||
	     cache_flags_normalize(buf_str(&remove), remove_r, err) < 0))
		ret = -1;
	if (ret == 0 && err != NULL) {
		char *both = cache_flags_minus(*add_r, *remove_r);
		if (strcmp(both, *add_r) != 0)
			ret = pt_error_set(err, PT_E_DATA,
			                   _("a flag cannot be both added and "
			                     "removed"));
		free(both);
	}
	buf_free(&add);
	buf_free(&remove);
	return ret;
}

/* The cached UIDs of the mailbox that are in set (a UIDSET may name
 * ranges far larger than the mailbox: never expand it). */
static int select_uids(struct cache *cache, int64_t mbox,
                       const struct imap_seqset *set, struct cache_uidlist *out,
                       struct pt_error *err)
{
	struct cache_uidlist all = {0};
	size_t n = 0;

	if (cache_msg_uids(cache, mbox, &all, err) < 0)
		return -1;
	for (size_t i = 0; i < all.n; i++)
		if (imap_seqset_contains(set, all.uids[i]))
			all.uids[n++] = all.uids[i];
	all.n = n;
	*out = all;
	return 0;
}

static int queue_edit(struct cmd_ctx *ctx, const struct account_conf *acct,
                      struct cache *cache, int argc, char **argv,
                      int64_t *mbox_r)
{
	struct pt_error err = {0};
	struct imap_seqset set;
	struct cache_mailbox mb;
	struct cache_uidlist uids = {0};
	char *add = NULL, *remove = NULL;
	int ret = 0;

	imap_seqset_init(&set);
	if (cmd_parse_uidset(argv[1], &set, &err) < 0 ||
	    parse_flags(argc - 2, argv + 2, &add, &remove, &err) < 0)
		goto fail;
	if (cache_mailbox_get(cache, argv[0], &mb, &err) < 0) {
		if (err.code == PT_E_NOTFOUND)
			pt_error_set(&err, PT_E_NOTFOUND,
			             _("no such mailbox in the cache: %s"),
			             argv[0]);
		goto fail;
	}
	*mbox_r = mb.id;
	cache_mailbox_clear(&mb);
	if (select_uids(cache, *mbox_r, &set, &uids, &err) < 0)
		goto fail;
	if (uids.n == 0) {
		pt_error_set(&err, PT_E_NOTFOUND,
		             _("no message %s in %s in the cache"), argv[1],
		             argv[0]);
		goto fail;
	}
	if (cache_queue_edit(cache, *mbox_r, uids.uids, uids.n, add, remove,
	                     NULL, NULL, &err) < 0)
		goto fail;
	goto out;
fail:
	ret = cmd_fail(&err);
out:
	cache_uidlist_free(&uids);
	imap_seqset_clear(&set);
	free(add);
	free(remove);
	return ret;
}

int cmd_flag(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct cache *cache = NULL;
	struct sync *sync = NULL;
	struct pt_error err = {0};
	int64_t mbox = 0;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "%s\n",
		        _("usage: petrel flag MAILBOX UIDSET (+|-)FLAG..."));
		return 64;
	}
	if ((ret = cmd_account(ctx, &cfg, &acct)) != 0)
		return ret;
	if ((ret = cmd_open_cache(acct, false, &cache)) != 0)
		goto out;
	if ((ret = queue_edit(ctx, acct, cache, argc, argv, &mbox)) != 0)
		goto out;
	if (ctx->offline)
		goto out; /* queued; replayed by a later sync */
	/* Resync the mailbox, then send every queued edit for it. */
	if (cmd_connect(ctx, acct, cache, &sync, &err) < 0 ||
	    sync_mailbox(sync, argv[0], 0, &err) < 0) {
		if (err.code == PT_E_CONN) {
			char *msg = text_sanitize_str(err.msg, TEXT_ONELINE);
			fprintf(stderr,
			        _("petrel: %s; the edit stays queued (see petrel "
			          "pending)\n"),
			        msg);
			free(msg);
			ret = 0;
		} else {
			ret = cmd_fail(&err);
		}
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

int cmd_pending(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct cache *cache = NULL;
	struct cache_queue_list q = {0};
	struct pt_error err = {0};
	int ret;

	if (argc > 0) {
		fprintf(stderr, "%s\n", _("usage: petrel pending"));
		return 64;
	}
	if ((ret = cmd_account(ctx, &cfg, &acct)) != 0)
		return ret;
	if ((ret = cmd_open_cache(acct, true, &cache)) != 0 || cache == NULL)
		goto out;
	if (cache_queue_list(cache, 0, &q, &err) < 0) {
		ret = cmd_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < q.n; i++) {
		char *name = text_sanitize_str(q.v[i].mailbox, TEXT_ONELINE);
		printf("%s\t%" PRIu32 "\t%s\t%s\t%" PRIu64 "\n", name,
		       q.v[i].uid, q.v[i].add, q.v[i].remove,
		       q.v[i].base_modseq);
		free(name);
	}
	cache_queue_list_free(&q);
out:
	cache_close(&cache);
	config_free(cfg);
	return ret;
}
