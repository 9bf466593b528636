/* main.c: petrel's command line: global options, sub-command dispatch,
 * and the mapping of engine errors to exit statuses (INTERFACE.md). */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "common/error.h"
#include "common/i18n.h"

static const struct cmd_entry cmd_table[] = {
        {"sync", "[MAILBOX...]", N_("synchronize the cache, then exit"),
         cmd_sync},
        {"mailboxes", "", N_("list cached mailboxes"), cmd_mailboxes},
        {"ls", "MAILBOX", N_("list cached messages"), cmd_ls},
        {"flag", "MAILBOX UIDSET (+|-)FLAG...", N_("add or remove flags"),
         cmd_flag},
        {"pending", "", N_("list queued edits"), cmd_pending},
        {"show", "[--save DIR] MAILBOX UID", N_("print one message"), cmd_show},
        {"search", "MAILBOX QUERY", N_("search the cache (offline)"),
         cmd_search},
        {"expunge", "MAILBOX", N_("remove the messages you deleted"),
         cmd_expunge},
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, _("usage: petrel [-F FILE] [-a ACCOUNT] [--offline] "
	              "[-d LOGFILE] [COMMAND [ARGS...]]\n"));
	fprintf(fp, "       petrel --version | --help | --demo\n\n");
	fprintf(fp, _("Without COMMAND, petrel opens the interactive "
	              "interface.\n\nCommands:\n"));
	for (i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++)
		fprintf(fp, "  %-10s %-28s %s\n", cmd_table[i].name,
		        cmd_table[i].args, _(cmd_table[i].help));
	fprintf(fp, _("\nOptions:\n"
	              "  -F FILE        configuration file\n"
	              "  -a ACCOUNT     account to use (default: the first)\n"
	              "  --offline      never connect; read the cache, queue "
	              "edits\n"
	              "  -d LOGFILE     append a protocol trace to LOGFILE\n"
	              "  --demo         open the interface on a local demo "
	              "account\n"
	              "  --version      print the version and exit\n"
	              "  --help         print this help and exit\n"));
}

static int parse_global(int argc, char **argv, struct cmd_ctx *ctx)
{
	enum { OPT_OFFLINE = 256, OPT_VERSION, OPT_HELP, OPT_DEMO };
	static const struct option longopts[] = {
	        {"offline", no_argument, NULL, OPT_OFFLINE},
	        {"version", no_argument, NULL, OPT_VERSION},
	        {"help", no_argument, NULL, OPT_HELP},
	        {"demo", no_argument, NULL, OPT_DEMO},
	        {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:F:a:d:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'F':
			ctx->config_path = optarg;
			break;
		case 'a':
			ctx->account = optarg;
			break;
		case 'd':
			ctx->trace_path = optarg;
			break;
		case OPT_OFFLINE:
			ctx->offline = true;
			break;
		case OPT_DEMO:
			ctx->demo = true;
			break;
		case OPT_VERSION:
			printf("petrel %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr,
			        _("petrel: option %s needs an argument"
			          " (try petrel --help)\n"),
			        argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr,
			        _("petrel: unknown option %s (try "
			          "petrel --help)\n"),
			        argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx;
	const char *name;
	size_t i;
	int first;

	setlocale(LC_ALL, "");
	/* PETREL_LOCALEDIR: catalogs of an uninstalled or staged build. */
	bindtextdomain("petrel", getenv("PETREL_LOCALEDIR") != NULL
	                                 ? getenv("PETREL_LOCALEDIR")
	                                 : LOCALEDIR);
	bind_textdomain_codeset("petrel", "UTF-8");
	textdomain("petrel");

	memset(&ctx, 0, sizeof ctx);
	first = parse_global(argc, argv, &ctx);
	if (first < 0)
		return 64;
	if (first >= argc)
		return cmd_ui(&ctx, 0, NULL);
	if (ctx.demo) {
		fprintf(stderr, "%s\n",
		        _("petrel: --demo opens the interface; it takes no "
		          "command"));
		return 64;
	}
	name = argv[first];
	for (i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++) {
		if (strcmp(cmd_table[i].name, name) == 0) {
			ctx.cmd = &cmd_table[i];
			return cmd_table[i].run(&ctx, argc - first - 1,
			                        argv + first + 1);
		}
	}
	fprintf(stderr, _("petrel: unknown command '%s' (try petrel --help)\n"),
	        name);
	return 64;
}
