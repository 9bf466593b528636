/* cmd-search.c: `petrel search MAILBOX QUERY`: search the cache (never
 * the server, so it works offline) and print the matches in the `ls`
 * format, by UID. The query language is in search-query.h; its words
 * may come as several arguments, joined with spaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-common.h"
#include "common/buf.h"
#include "common/i18n.h"
#include "search-query.h"

/* The QUERY arguments joined with single spaces. */
static char *join_query(int argc, char **argv)
{
	struct buf q = BUF_INIT;

	for (int i = 0; i < argc; i++) {
		if (i > 0)
			buf_addch(&q, ' ');
		buf_addstr(&q, argv[i]);
	}
	return buf_detach(&q);
}

/* Run the query on one mailbox and print the matches; one read snapshot
 * covers the search and the rows printed. */
static int search_print(struct cache *cache, int64_t mbox,
                        const struct search_query *q, struct pt_error *err)
{
	struct cache_uidlist uids = {0};
	int ret = 0;

	if (cache_begin(cache, err) < 0)
		return -1;
	if (cache_fts_search(cache, mbox, q->match, &q->filter, &uids, err) <
	    0) {
		cache_rollback(cache);
		return -1;
	}
	for (size_t i = 0; i < uids.n && ret == 0; i++) {
		struct cache_msg m;
		ret = cache_msg_get(cache, mbox, uids.uids[i], &m, err);
		if (ret == 0) {
			cmd_print_msg(&m);
			cache_msg_clear(&m);
		}
	}
	cache_rollback(cache);
	cache_uidlist_free(&uids);
	return ret;
}

static int search_run(const struct account_conf *acct, const char *mailbox,
                      const struct search_query *q)
{
	struct cache *cache = NULL;
	struct cache_mailbox mb;
	struct pt_error err = {0};
	int ret;

	if ((ret = cmd_open_cache(acct, true, &cache)) != 0)
		return ret;
	if (cache == NULL || cache_mailbox_get(cache, mailbox, &mb, &err) < 0) {
		if (cache == NULL || err.code == PT_E_NOTFOUND)
			pt_error_set(&err, PT_E_NOTFOUND,
			             _("no such mailbox in the cache: %s"),
			             mailbox);
		ret = cmd_fail(&err);
		cache_close(&cache);
		return ret;
	}
	if (search_print(cache, mb.id, q, &err) < 0)
		ret = cmd_fail(&err);
	if (fflush(stdout) != 0 && ret == 0) {
		fprintf(stderr, "%s\n", _("petrel: search: write error"));
		ret = 74;
	}
	cache_mailbox_clear(&mb);
	cache_close(&cache);
	return ret;
}

int cmd_search(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct search_query q;
	struct pt_error err = {0};
	char *text;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "%s\n",
		        _("usage: petrel search MAILBOX QUERY"));
		return 64;
	}
	text = join_query(argc - 1, argv + 1);
	ret = search_query_parse(text, &q, &err);
	free(text);
	if (ret < 0)
		return cmd_fail(&err);
	if ((ret = cmd_account(ctx, &cfg, &acct)) == 0) {
		ret = search_run(acct, argv[0], &q);
		config_free(cfg);
	}
	search_query_clear(&q);
	return ret;
}
