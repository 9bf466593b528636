/* cmd-common.h: what the sub-commands share: loading the account,
 * opening the cache, connecting, and reporting errors in one line. */
#ifndef PETREL_CMD_COMMON_H
#define PETREL_CMD_COMMON_H

#include "cache/cache.h"
#include "cmd.h"
#include "common/error.h"
#include "config/config.h"
#include "sync/sync.h"

/* Print "petrel: MESSAGE" (sanitized, one line) and return the exit
 * status of err. */
int cmd_fail(const struct pt_error *err);

/* Load the configuration and pick the account (-F, -a). On failure the
 * error is printed and the exit status returned (non-zero). */
int cmd_account(struct cmd_ctx *ctx, struct config **cfg_r,
                const struct account_conf **acct_r);

/* Open the account's cache. A reader (readonly) on a cache that does not
 * exist yet gets an empty in-memory view: *cache_r is NULL and 0 is
 * returned. */
int cmd_open_cache(const struct account_conf *acct, bool readonly,
                   struct cache **cache_r);

/* Connect the sync engine (password from the configuration). */
int cmd_connect(struct cmd_ctx *ctx, const struct account_conf *acct,
                struct cache *cache, struct sync **sync_r,
                struct pt_error *err);

/* Parse a UIDSET without "*" (INTERFACE.md `flag`): 0 or -1 (PT_E_DATA). */
int cmd_parse_uidset(const char *text, struct imap_seqset *set,
                     struct pt_error *err);

/* Print one message in the `ls` format (UID MODSEQ FLAGS DATE FROM
 * SUBJECT), every field sanitized. */
void cmd_print_msg(const struct cache_msg *m);

#endif
