/* cmd-stub.c: sub-commands whose engine is not built yet. Each one says
 * so in one line and exits 70, so scripts can tell them apart from real
 * failures. A command moves to its own cmd-NAME.c when it is implemented. */
#include <stdio.h>

#include "cmd.h"
#include "common/i18n.h"

int cmd_stub(struct cmd_ctx *ctx, const char *name)
{
	(void)ctx;
	fprintf(stderr, _("petrel: %s: not available in this build yet\n"),
	        name);
	return 70;
}
