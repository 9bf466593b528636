/* ui.c: the interactive interface's entry point. */
#include "cmd.h"

int cmd_ui(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_stub(ctx, "interface");
}
