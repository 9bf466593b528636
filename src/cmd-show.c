/* cmd-show.c: `petrel [--offline] show [--save DIR] MAILBOX UID`: print
 * one message (INTERFACE.md `show`): the cached body, fetched first
 * (BODY.PEEK, never setting \Seen) when it is not cached and the command
 * may connect. Attachments are listed and, with --save, written into DIR
 * through the MIME library's safe saving. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd-common.h"
#include "common/i18n.h"
#include "common/text.h"
#include "common/xmalloc.h"
#include "mime/mime-render.h"
#include "mime/mime-save.h"

struct show_args {
	const char *save_dir; /* --save DIR, or NULL */
	const char *mailbox;
	uint32_t uid;
};

static int show_usage(void)
{
	fprintf(stderr, "%s\n",
	        _("usage: petrel show [--save DIR] MAILBOX UID"));
	return 64;
}

/* A UID: decimal digits only, 1..4294967295. */
static int parse_uid(const char *text, uint32_t *uid_r, struct pt_error *err)
{
	uint64_t v = 0;
	const char *p = text;

	for (; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == text || *p != '\0' || v == 0 || v > UINT32_MAX)
		return pt_error_set(err, PT_E_DATA,
		                    _("malformed UID '%s' (a number from 1 to "
		                      "4294967295)"),
		                    text);
	*uid_r = (uint32_t)v;
	return 0;
}

/* Options first, then MAILBOX UID. Returns 0, or an exit status. */
static int parse_args(int argc, char **argv, struct show_args *a)
{
	struct pt_error err = {0};
	int i = 0;

	memset(a, 0, sizeof *a);
	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--save") == 0 && i + 1 < argc) {
			a->save_dir = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--save=", 7) == 0 &&
		           argv[i][7] != '\0') {
			a->save_dir = argv[i] + 7;
			i++;
		} else {
			return show_usage();
		}
	}
	if (argc - i != 2)
		return show_usage();
	a->mailbox = argv[i];
	if (parse_uid(argv[i + 1], &a->uid, &err) < 0)
		return cmd_fail(&err);
	return 0;
}

/* --save DIR must be a directory before anything is fetched. */
static int check_save_dir(const char *dir)
{
	struct pt_error err = {0};
	struct stat st;

	if (stat(dir, &st) < 0)
		pt_error_set(&err, PT_E_DATA, _("--save %s: %s"), dir,
		             strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		pt_error_set(&err, PT_E_DATA, _("--save %s: not a directory"),
		             dir);
	else
		return 0;
	return cmd_fail(&err);
}

/* Fetch the body from the server into the cache. */
static int show_fetch(struct cmd_ctx *ctx, const struct account_conf *acct,
                      struct cache *cache, const struct show_args *a,
                      struct pt_error *err)
{
	struct sync *sync = NULL;
	int ret;

	if (cmd_connect(ctx, acct, cache, &sync, err) < 0)
		return -1;
	ret = sync_fetch_body(sync, a->mailbox, a->uid, err);
	sync_close(&sync);
	return ret;
}

/* The message's summary and raw body, from the cache or, when not
 * cached and allowed, from the server. */
static int show_load(struct cmd_ctx *ctx, const struct account_conf *acct,
                     struct cache *cache, const struct show_args *a,
                     struct cache_msg *msg_r, char **raw_r, size_t *len_r,
                     struct pt_error *err)
{
	struct cache_mailbox mb;
	int64_t id;

	if (cache == NULL) /* never synced */
		err->code = PT_E_NOTFOUND;
	if (cache == NULL || cache_mailbox_get(cache, a->mailbox, &mb, err) < 0)
		return err->code != PT_E_NOTFOUND
		               ? -1
		               : pt_error_set(err, PT_E_NOTFOUND,
		                              _("no such mailbox in the cache: "
		                                "%s"),
		                              a->mailbox);
	id = mb.id;
	cache_mailbox_clear(&mb);
	if (cache_msg_get(cache, id, a->uid, msg_r, err) < 0)
		return err->code != PT_E_NOTFOUND
		               ? -1
		               : pt_error_set(
		                         err, PT_E_NOTFOUND,
		                         _("no such message in %s: UID %lu"),
		                         a->mailbox, (unsigned long)a->uid);
	if (cache_body_get(cache, id, a->uid, "", raw_r, len_r, err) == 0)
		return 0;
	if (err->code != PT_E_NOTFOUND)
		return -1;
	if (ctx->offline)
		return pt_error_set(err, PT_E_NOTFOUND,
		                    _("the body of UID %lu is not cached; run "
		                      "petrel sync or show without --offline"),
		                    (unsigned long)a->uid);
	if (show_fetch(ctx, acct, cache, a, err) < 0)
		return -1;
	return cache_body_get(cache, id, a->uid, "", raw_r, len_r, err);
}

/* INTERNALDATE stands in for a missing or invalid Date header, as in
 * `ls`. */
static void show_fix_date(struct mime_rendered *r, const struct cache_msg *m)
{
	char date[32];
	time_t t = (time_t)m->internaldate;
	struct tm tm;

	if (r->date != NULL || m->internaldate == 0)
		return;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->date = xstrdup(date);
}

/* Print text through one more sanitizing pass: output never holds
 * anything a terminal would interpret (INTERFACE.md). */
static void put_safe(const char *s, size_t len)
{
	struct buf out = BUF_INIT;

	text_sanitize(s, len, &out, 0);
	fwrite(out.data != NULL ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
}

static int show_save(const struct mime_rendered *r, const char *dir)
{
	struct pt_error err = {0};

	for (size_t i = 0; i < r->nattachments; i++) {
		char *path = NULL;
		if (mime_save_attachment(&r->attachments[i], dir, &path, &err) <
		    0) {
			fflush(stdout);
			return cmd_fail(&err);
		}
		put_safe(path, strlen(path));
		putchar('\n');
		free(path);
	}
	return 0;
}

static int show_print(const struct show_args *a, const struct cache_msg *msg,
                      const char *raw, size_t len)
{
	struct mime_rendered r;
	struct buf out = BUF_INIT;
	struct pt_error err = {0};
	int ret = 0;

	if (mime_render(raw, len, &r, &err) < 0)
		return cmd_fail(&err);
	show_fix_date(&r, msg);
	mime_rendered_format(&r, &out);
	put_safe(out.data != NULL ? out.data : "", out.len);
	buf_free(&out);
	if (a->save_dir != NULL)
		ret = show_save(&r, a->save_dir);
	mime_rendered_free(&r);
	if (fflush(stdout) != 0 && ret == 0) {
		fprintf(stderr, "%s\n", _("petrel: show: write error"));
		ret = 74;
	}
	return ret;
}

int cmd_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct account_conf *acct;
	struct config *cfg;
	struct cache *cache = NULL;
	struct cache_msg msg = {0};
	struct show_args a;
	struct pt_error err = {0};
	char *raw = NULL;
	size_t len = 0;
	int ret;

	if ((ret = parse_args(argc, argv, &a)) != 0)
		return ret;
	if (a.save_dir != NULL && (ret = check_save_dir(a.save_dir)) != 0)
		return ret;
	if ((ret = cmd_account(ctx, &cfg, &acct)) != 0)
		return ret;
	/* Offline, nothing is written: a reader is enough. */
	if ((ret = cmd_open_cache(acct, ctx->offline, &cache)) != 0)
		goto out;
	if (show_load(ctx, acct, cache, &a, &msg, &raw, &len, &err) < 0)
		ret = cmd_fail(&err);
	else
		ret = show_print(&a, &msg, raw, len);
out:
	free(raw);
	cache_msg_clear(&msg);
	cache_close(&cache);
	config_free(cfg);
	return ret;
}
