/* cmd.h: the sub-commands of the command line (one cmd-NAME.c each).
 *
 * Each runner receives the parsed global options and its own arguments
 * (argv[0] is the first argument after the command name) and returns the
 * process exit status, having printed one line on stderr if non-zero. */
#ifndef PETREL_CMD_H
#define PETREL_CMD_H

#include <stdbool.h>

struct cmd_ctx;

struct cmd_entry {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct cmd_ctx *ctx, int argc, char **argv);
};

struct cmd_ctx {
	const char *config_path; /* -F, or NULL for the default */
	const char *account;     /* -a, or NULL for the first account */
	const char *trace_path;  /* -d, or NULL */
	bool offline;            /* --offline */
	bool demo;               /* --demo */
	const struct cmd_entry *cmd;
};

/* Print that a command is not built yet; returns 70. */
int cmd_stub(struct cmd_ctx *ctx, const char *name);

int cmd_ui(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_sync(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_mailboxes(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_ls(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_flag(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_pending(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_show(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_search(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_expunge(struct cmd_ctx *ctx, int argc, char **argv);

#endif
