/* demo.c: `petrel --demo` (demo.h): a temporary Maildir with sample
 * mail, a private Dovecot configuration, and a petrel configuration that
 * tunnels to Dovecot's imap binary. */
#include "demo.h"

#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/i18n.h"
#include "common/xmalloc.h"

struct demo {
	char *dir;
	char *config;
};

/* Messages in INBOX, and the spacing of their dates. */
#define DEMO_INBOX 40
#define DEMO_STEP (5 * 3600)

struct demo_owner {
	bool chown;
	uid_t uid;
	gid_t gid;
};

static const char *demo_imap(void)
{
	static const char *const paths[] = {
	        "/usr/lib/dovecot/imap",
	        "/usr/libexec/dovecot/imap",
	};
	const char *env = getenv("PETREL_DEMO_IMAP");

	if (env != NULL && *env != '\0')
		return access(env, X_OK) == 0 ? env : NULL;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* A directory name that is safe inside a shell command line and a
 * configuration value. */
static bool safe_path(const char *p)
{
	return p[0] == '/' &&
	       strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789._/-") == strlen(p);
}

/* Others may pass through dir (the mail user must reach its files). */
static bool searchable(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && (st.st_mode & S_IXOTH);
}

static int write_file(const char *path, const char *data, size_t len,
                      mode_t mode, const struct demo_owner *o)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0 || chmod(path, mode) != 0)
		return -1;
	if (o != NULL && o->chown && chown(path, o->uid, o->gid) != 0)
		return -1;
	return 0;
}

static int make_dir(const char *path, mode_t mode, const struct demo_owner *o)
{
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return -1;
	if (chmod(path, mode) != 0)
		return -1;
	if (o != NULL && o->chown && chown(path, o->uid, o->gid) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------- messages */

struct demo_person {
	const char *from; /* a From header value */
	const char *name; /* for the signature */
};

static const struct demo_person people[] = {
        {"Ada Lovelace <ada@example.org>", "Ada"},
        {"\"Grace Hopper\" <grace@example.net>", "Grace"},
        {"=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>", "Jürgen"},
        {"Linus <linus@example.com>", "Linus"},
        {"=?UTF-8?B?5bGx55Sw5aSq6YOO?= <yamada@example.jp>", "Taro"},
        {"Margaret Hamilton <margaret@example.org>", "Margaret"},
        {"noreply@builds.example.com", "the build robot"},
};

static const char *const subjects[] = {
        "Welcome to petrel",
        "Lunch on Friday?",
        "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=",
        "Build #%d passed",
        "Re: Release notes for 0.2",
        "Minutes of the weekly meeting",
        "=?UTF-8?B?5Lya6K2w44Gu5LqI5a6a?=",
        "Your invoice (PDF attached)",
        "Re: Lunch on Friday?",
        "Offline reading works",
};

static const char *const bodies[] = {
        "This is petrel's demo account: a private Dovecot on a temporary\n"
        "Maildir. Nothing you do here leaves this computer.\n\n"
        "Try these keys:\n\n"
        "  j, k      move (arrows work too)\n"
        "  Enter     read a message; q goes back\n"
        "  N, F, d   toggle new, flagged, deleted\n"
        "  c         change mailbox\n"
        "  /         search\n"
        "  $         sync now\n"
        "  ?         every key of the current screen\n",
        "Shall we try the new place around the corner? It opens at noon.\n",
        "Hallo!\n\nViele Grüße aus München, wo es heute schneit.\n",
        "All 1,284 tests passed in 3 min 12 s.\n",
        "> Could you write the release notes?\n\n"
        "Done, see below. The big one is offline flagging.\n",
        "Present: everyone.\n\n1. The sync engine\n2. The interface\n"
        "3. Any other business\n",
        "来週の会議の予定です。よろしくお願いします。\n",
        "Please find the invoice attached.\n",
        "> Shall we try the new place around the corner?\n\n"
        "Yes, 12:30 works for me.\n",
        "Everything in this mailbox is cached: stop the network and keep\n"
        "reading, flagging and searching. Edits are sent when the server\n"
        "is back.\n",
};

static void demo_message(struct buf *m, unsigned i, time_t when,
                         const char *folder)
{
	const struct demo_person *p =
	        &people[i % (sizeof people / sizeof people[0])];
	unsigned k = i % (sizeof subjects / sizeof subjects[0]);
	char date[64], subject[128];
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(subject, sizeof subject, subjects[k], 100 + i);
	buf_printf(m,
	           "From: %s\r\nTo: You <you@example.org>\r\n"
	           "Subject: %s\r\nDate: %s\r\n"
	           "Message-ID: <demo-%s-%u@petrel.example>\r\n"
	           "MIME-Version: 1.0\r\n",
	           p->from, subject, date, folder, i);
	if (k == 7) {
		buf_addstr(m,
		           "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
		           "\r\n--b\r\nContent-Type: text/plain; "
		           "charset=utf-8\r\n\r\n");
		buf_addstr(m, bodies[k]);
		buf_addstr(m, "\r\n--b\r\nContent-Type: application/pdf; "
		              "name=\"invoice.pdf\"\r\n"
		              "Content-Disposition: attachment; "
		              "filename=\"invoice.pdf\"\r\n"
		              "Content-Transfer-Encoding: base64\r\n\r\n"
		              "JVBERi0xLjQKJSBwZXRyZWwgZGVtbwo=\r\n--b--\r\n");
		return;
	}
	buf_addstr(m, "Content-Type: text/plain; charset=utf-8\r\n"
	              "Content-Transfer-Encoding: 8bit\r\n\r\n");
	for (const char *s = bodies[k]; *s; s++) {
		if (*s == '\n')
			buf_addch(m, '\r');
		buf_addch(m, *s);
	}
	buf_printf(m, "\r\n-- \r\n%s\r\n", p->name);
}

/* n messages into the Maildir folder dir (its cur/), newest last. */
static int demo_seed(const char *dir, const char *folder, unsigned n,
                     const struct demo_owner *o)
{
	time_t now = time(NULL);
	int ret = 0;

	for (unsigned i = 0; i < n && ret == 0; i++) {
		struct buf m = BUF_INIT;
		time_t when = now - (time_t)(n - i) * DEMO_STEP;
		/* Maildir flags: older ones read, some flagged. */
		const char *flags = i + 6 < n ? (i % 7 == 3 ? "FS" : "S")
		                              : (i % 2 ? "F" : "");
		char *path;
		demo_message(&m, n - 1 - i, when, folder);
		path = xasprintf("%s/cur/%010lld.M%06u.petrel-demo:2,%s", dir,
		                 (long long)when, i, flags);
		ret = write_file(path, m.data, m.len, 0600, o);
		free(path);
		buf_free(&m);
	}
	return ret;
}

static int demo_maildir(const char *path, const struct demo_owner *o)
{
	static const char *const sub[] = {"cur", "new", "tmp"};
	int ret = make_dir(path, 0700, o);

	for (size_t i = 0; i < 3 && ret == 0; i++) {
		char *p = xasprintf("%s/%s", path, sub[i]);
		ret = make_dir(p, 0700, o);
		free(p);
	}
	return ret;
}

/* ----------------------------------------------------------- set-up */

static int demo_dovecot_conf(const struct demo *d, const struct demo_owner *o)
{
	struct buf c = BUF_INIT;
	char *path = xasprintf("%s/dovecot.conf", d->dir);
	int ret;

	buf_printf(&c,
	           "# petrel --demo: a private configuration.\n"
	           "base_dir = %s/run\nstate_dir = %s/state\n"
	           "log_path = %s/dovecot.log\n"
	           "instance_name = petrel-demo-%ld\n"
	           "protocols = imap\nssl = no\n"
	           "mail_location = maildir:%s/home/Maildir\n"
	           "mail_fsync = never\nstats_writer_socket_path =\n"
	           "first_valid_uid = 1\n",
	           d->dir, d->dir, d->dir, (long)getpid(), d->dir);
	if (o->chown)
		buf_printf(&c, "mail_uid = %u\nmail_gid = %u\n",
		           (unsigned)o->uid, (unsigned)o->gid);
	buf_addstr(&c, "namespace inbox {\n  inbox = yes\n  separator = /\n"
	               "  mailbox Sent {\n    special_use = \\Sent\n"
	               "    auto = subscribe\n  }\n"
	               "  mailbox Archive {\n    special_use = \\Archive\n"
	               "    auto = subscribe\n  }\n"
	               "  mailbox Trash {\n    special_use = \\Trash\n"
	               "    auto = subscribe\n  }\n}\n");
	ret = write_file(path, c.data, c.len, 0644, NULL);
	free(path);
	buf_free(&c);
	return ret;
}

static int demo_petrel_conf(struct demo *d, const char *imap,
                            const struct demo_owner *o)
{
	struct buf c = BUF_INIT;
	int ret;

	d->config = xasprintf("%s/config", d->dir);
	buf_addstr(&c, "# petrel --demo\n[account demo]\ntunnel = ");
	if (o->chown)
		buf_printf(&c, "setpriv --reuid=%u --regid=%u --clear-groups ",
		           (unsigned)o->uid, (unsigned)o->gid);
	buf_printf(&c,
	           "env USER=demo HOME=%s/home %s -c %s/dovecot.conf "
	           "2>>%s/imap.log\ncache = %s/cache/demo.sqlite\n"
	           "prefetch_days = 365\n",
	           d->dir, imap, d->dir, d->dir, d->dir);
	ret = write_file(d->config, c.data, c.len, 0600, NULL);
	buf_free(&c);
	return ret;
}

/* As root, mail is owned by nobody (Dovecot will not run as root). */
static int demo_owner(struct demo_owner *o, struct pt_error *err)
{
	struct passwd *pw;

	memset(o, 0, sizeof *o);
	if (geteuid() != 0)
		return 0;
	pw = getpwnam("nobody");
	o->chown = true;
	o->uid = pw != NULL ? pw->pw_uid : 65534;
	o->gid = pw != NULL ? pw->pw_gid : 65534;
	if (access("/usr/bin/setpriv", X_OK) != 0 &&
	    access("/bin/setpriv", X_OK) != 0)
		return pt_error_set(
		        err, PT_E_CONN,
		        _("--demo as root needs setpriv (util-linux)"));
	return 0;
}

static int demo_layout(struct demo *d, const struct demo_owner *o)
{
	char *home = xasprintf("%s/home", d->dir);
	char *md = xasprintf("%s/Maildir", home);
	char *sent = xasprintf("%s/.Sent", md);
	char *arch = xasprintf("%s/.Archive", md);
	char *trash = xasprintf("%s/.Trash", md);
	char *run = xasprintf("%s/run", d->dir);
	int ret;

	ret = make_dir(home, 0700, o);
	if (ret == 0)
		ret = make_dir(run, 0755, NULL);
	if (ret == 0)
		ret = demo_maildir(md, o);
	if (ret == 0)
		ret = demo_maildir(sent, o);
	if (ret == 0)
		ret = demo_maildir(arch, o);
	if (ret == 0)
		ret = demo_maildir(trash, o);
	if (ret == 0)
		ret = demo_seed(md, "inbox", DEMO_INBOX, o);
	if (ret == 0)
		ret = demo_seed(sent, "sent", 5, o);
	if (ret == 0)
		ret = demo_seed(arch, "archive", 12, o);
	free(home);
	free(md);
	free(sent);
	free(arch);
	free(trash);
	free(run);
	return ret;
}

int demo_start(struct demo **d_r, struct pt_error *err)
{
	const char *imap = demo_imap();
	const char *tmp = getenv("TMPDIR");
	struct demo_owner o;
	struct demo *d;
	char *templ;

	if (imap == NULL || !safe_path(imap))
		return pt_error_set(
		        err, PT_E_CONN,
		        "--demo needs Dovecot's imap binary "
		        "(Debian: apt-get install dovecot-imapd; or "
		        "set PETREL_DEMO_IMAP)");
	if (demo_owner(&o, err) < 0)
		return -1;
	if (tmp == NULL || !safe_path(tmp) || access(tmp, W_OK) != 0 ||
	    (o.chown && !searchable(tmp)))
		tmp = "/tmp";
	templ = xasprintf("%s/petrel-demo.XXXXXX", tmp);
	if (mkdtemp(templ) == NULL) {
		pt_error_set(err, PT_E_INTERNAL,
		             _("--demo: cannot create %s: %s"), templ,
		             strerror(errno));
		free(templ);
		return -1;
	}
	d = xcalloc(1, sizeof *d);
	d->dir = templ;
	/* The mail user must reach its home below it. */
	if (chmod(d->dir, o.chown ? 0711 : 0700) != 0 ||
	    demo_layout(d, &o) < 0 || demo_dovecot_conf(d, &o) < 0 ||
	    demo_petrel_conf(d, imap, &o) < 0) {
		pt_error_set(err, PT_E_INTERNAL,
		             _("--demo: cannot write %s: %s"), d->dir,
		             strerror(errno));
		demo_stop(&d);
		return -1;
	}
	*d_r = d;
	return 0;
}

const char *demo_config(const struct demo *d)
{
	return d->config;
}

static int demo_rm(const char *path, const struct stat *st, int flag,
                   struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void demo_stop(struct demo **dp)
{
	struct demo *d = *dp;

	if (d == NULL)
		return;
	nftw(d->dir, demo_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(d->dir);
	free(d->config);
	free(d);
	*dp = NULL;
}
