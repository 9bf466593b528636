/* mime-address.h: parsing From/To/Cc address lists (RFC 5322 3.4, with
 * the obsolete syntax of 4.4: routes, empty list elements) for display.
 *
 * Groups are flattened into their members; an empty group ("undisclosed-
 * recipients:;") is kept as one entry. Display names are unquoted and
 * RFC 2047-decoded (encoded words inside quoted strings too); an address
 * given as "addr (Name)" takes its name from the comment. Strings are
 * UTF-8, not sanitized. Reentrant. */
#ifndef PETREL_MIME_ADDRESS_H
#define PETREL_MIME_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Entries past this many in one header are ignored. */
#define MIME_MAX_ADDRESSES 10000

struct mime_address {
	char *name; /* display name, NULL when none */
	char *addr; /* addr-spec, "" when none */
	bool group; /* an empty group: name holds the group's name */
};

struct mime_address_list {
	struct mime_address *v;
	size_t count;
};

/* Parse an unfolded header value; appends to list (zero it first). */
void mime_address_parse(const char *value, size_t len,
                        struct mime_address_list *list);
void mime_address_list_free(struct mime_address_list *list);
/* "Name <addr>", "addr" when there is no name, "Name" when there is no
 * address, "Group:;" for an empty group. */
void mime_address_format(const struct mime_address *a, struct buf *out);
/* Every entry, separated by ", ". */
void mime_address_list_format(const struct mime_address_list *list,
                              struct buf *out);

#endif
