/* cmd-list.c: `petrel mailboxes` and `petrel ls MAILBOX`: the cache's
 * contents in the formats of INTERFACE.md. Read only; no network. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd-common.h"
#include "common/i18n.h"
#include "common/text.h"

/* Print s as one safe field (no TAB/LF/controls, INTERFACE.md). */
static void put_field(const char *s)
{
	char *clean = text_sanitize_str(s != NULL ? s : "", TEXT_ONELINE);

	fputs(clean, stdout);
	free(clean);
}

int cmd_mailboxes(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct cache *cache;
	struct cache_mailbox_list l = {0};
	struct pt_error err = {0};
	int ret;

	if (argc > 0) {
		fprintf(stderr, "%s\n", _("usage: petrel mailboxes"));
		return 64;
	}
	if ((ret = cmd_account(ctx, &cfg, &acct)) != 0)
		return ret;
	if ((ret = cmd_open_cache(acct, true, &cache)) != 0 || cache == NULL)
		goto out;
	if (cache_mailbox_list(cache, &l, &err) < 0) {
		ret = cmd_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct cache_mailbox *mb = &l.v[i];
		put_field(mb->name);
		printf("\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
		       mb->uidvalidity,
		       mb->has_highestmodseq ? mb->highestmodseq : 0,
		       mb->messages, mb->unseen);
	}
	cache_mailbox_list_free(&l);
out:
	cache_close(&cache);
	config_free(cfg);
	return ret;
}

/* One `ls` line: UID MODSEQ FLAGS DATE FROM SUBJECT. */
void cmd_print_msg(const struct cache_msg *m)
{
	char date[32];
	time_t t = (time_t)m->sort_date;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%" PRIu32 "\t%" PRIu64 "\t", m->uid,
	       m->has_modseq ? m->modseq : 0);
	put_field(m->view_flags);
	printf("\t%s\t", date);
	put_field(m->from);
	putchar('\t');
	put_field(m->subject);
	putchar('\n');
}

int cmd_ls(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct cache *cache;
	struct cache_mailbox mb;
	struct cache_page_key key = {0, 0};
	struct pt_error err = {0};
	int ret;

	if (argc != 1) {
		fprintf(stderr, "%s\n", _("usage: petrel ls MAILBOX"));
		return 64;
	}
	if ((ret = cmd_account(ctx, &cfg, &acct)) != 0)
		return ret;
	if ((ret = cmd_open_cache(acct, true, &cache)) != 0)
		goto out;
	if (cache == NULL || cache_mailbox_get(cache, argv[0], &mb, &err) < 0) {
		if (cache == NULL || err.code == PT_E_NOTFOUND)
			pt_error_set(&err, PT_E_NOTFOUND,
			             _("no such mailbox in the cache: %s"),
			             argv[0]);
		ret = cmd_fail(&err);
		goto out;
	}
	/* One snapshot for the whole listing. */
	if (cache_begin(cache, &err) < 0) {
		ret = cmd_fail(&err);
		cache_mailbox_clear(&mb);
		goto out;
	}
	for (;;) {
		struct cache_msg_page page = {0};
		if (cache_msg_page(cache, mb.id, CACHE_ORDER_UID_ASC,
		                   key.uid ? &key : NULL, 1000, &page,
		                   &err) < 0) {
			ret = cmd_fail(&err);
			break;
		}
		for (size_t i = 0; i < page.n; i++)
			cmd_print_msg(&page.v[i]);
		if (page.n > 0)
			key.uid = page.v[page.n - 1].uid;
		size_t got = page.n;
		cache_msg_page_free(&page);
		if (got < 1000)
			break;
	}
	cache_rollback(cache);
	cache_mailbox_clear(&mb);
	if (fflush(stdout) != 0 && ret == 0) {
		fprintf(stderr, "%s\n", _("petrel: ls: write error"));
		ret = 74;
	}
out:
	cache_close(&cache);
	config_free(cfg);
	return ret;
}
