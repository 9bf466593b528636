/* mime-tree.c: the MIME part tree of a message. */
#include "mime/mime-tree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"
#include "common/xmalloc.h"
#include "mime/charset.h"
#include "mime/mime-decode.h"

/* Longer boundaries are not valid (RFC 2046 5.1.1 allows 70 characters);
 * such a multipart is shown as text. */
#define MIME_MAX_BOUNDARY 256

struct mime_tree_ctx {
	struct mime_message *msg;
	struct pt_error *err;
};

static int mime_tree_entity(struct mime_tree_ctx *ctx, const char *s,
                            size_t len, struct mime_part *parent, bool digest,
                            struct mime_part **part_r);

static void mime_tree_set_type(struct mime_part *part, const char *type,
                               const char *subtype)
{
	free(part->type);
	free(part->subtype);
	part->type = xstrdup(type);
	part->subtype = xstrdup(subtype);
}

/* RFC 2045 5.1: type and subtype are tokens */
static bool mime_tree_is_token(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 32 || (unsigned char)*s >= 127 ||
		    strchr("()<>@,;:\\\"/[]?=", *s) != NULL)
			return false;
	return true;
}

static void mime_tree_content_type(struct mime_part *part, bool digest)
{
	char *token = NULL, *slash;
	struct buf v = BUF_INIT;

	if (mime_headers_get(&part->headers, "Content-Type", &v)) {
		mime_param_parse(v.data, v.len, &token, &part->params);
		slash = strchr(token, '/');
		if (slash != NULL)
			*slash = '\0';
		if (slash != NULL && token[0] != '\0' && slash[1] != '\0' &&
		    mime_tree_is_token(token) &&
		    mime_tree_is_token(slash + 1)) {
			part->type = xstrdup(token);
			part->subtype = xstrdup(slash + 1);
		}
		free(token);
	}
	buf_free(&v);
	/* RFC 2045 5.2; in multipart/digest, RFC 2046 5.1.5 */
	if (part->type == NULL)
		mime_tree_set_type(part, digest ? "message" : "text",
		                   digest ? "rfc822" : "plain");
}

static void mime_tree_encoding(struct mime_part *part)
{
	static const struct {
		const char *name;
		enum mime_cte cte;
	} names[] = {
	        {"7bit", MIME_CTE_7BIT},     {"8bit", MIME_CTE_8BIT},
	        {"binary", MIME_CTE_BINARY}, {"quoted-printable", MIME_CTE_QP},
	        {"base64", MIME_CTE_BASE64},
	};
	struct mime_param_list none = {NULL, 0};
	char *token = NULL;
	struct buf v = BUF_INIT;
	size_t i;

	part->cte = MIME_CTE_7BIT;
	if (mime_headers_get(&part->headers, "Content-Transfer-Encoding", &v)) {
		mime_param_parse(v.data, v.len, &token, &none);
		part->cte = MIME_CTE_OTHER;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(token, names[i].name) == 0)
				part->cte = names[i].cte;
		free(token);
		mime_param_list_free(&none);
	}
	buf_free(&v);
}

static void mime_tree_disposition(struct mime_part *part)
{
	struct buf v = BUF_INIT;

	if (mime_headers_get(&part->headers, "Content-Disposition", &v)) {
		mime_param_parse(v.data, v.len, &part->disposition,
		                 &part->disp_params);
		if (part->disposition[0] == '\0') {
			free(part->disposition);
			part->disposition = NULL;
		}
	}
	buf_free(&v);
}

/* Find the next delimiter line "--boundary[--]" at or after *pos (RFC
 * 2046 5.1.1). Returns its offset, or len; *next_r is the start of the
 * line after it and *close_r tells a close delimiter. */
static size_t mime_tree_delimiter(const char *s, size_t len, size_t pos,
                                  const char *dash, size_t dlen, size_t *next_r,
                                  bool *close_r)
{
	const char *p;
	size_t c, k;

	while (pos < len) {
		p = memmem(s + pos, len - pos, dash, dlen);
		if (p == NULL)
			return len;
		c = (size_t)(p - s);
		pos = c + 1;
		if (c > 0 && s[c - 1] != '\n')
			continue;
		k = c + dlen;
		*close_r = k + 1 < len && s[k] == '-' && s[k + 1] == '-';
		if (*close_r)
			k += 2;
		while (k < len && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k < len && s[k] == '\r')
			k++;
		if (k < len && s[k] != '\n')
			continue;
		*next_r = k < len ? k + 1 : len;
		return c;
	}
	return len;
}

static int mime_tree_add_child(struct mime_tree_ctx *ctx,
                               struct mime_part *part, struct mime_part **last,
                               const char *s, size_t len, bool digest)
{
	struct mime_part *child;

	if (mime_tree_entity(ctx, s, len, part, digest, &child) < 0)
		return -1;
	if (*last == NULL)
		part->children = child;
	else
		(*last)->next = child;
	*last = child;
	return 0;
}

static int mime_tree_multipart(struct mime_tree_ctx *ctx,
                               struct mime_part *part)
{
	const char *boundary = mime_param_get(&part->params, "boundary");
	const char *s = part->body;
	size_t len = part->body_len, blen, pos = 0, start = 0, c, end, next;
	bool close = false, open = false;
	bool digest = strcmp(part->subtype, "digest") == 0;
	struct mime_part *last = NULL;
	char *dash;
	int rc = 0;

	blen = boundary != NULL ? strlen(boundary) : 0;
	if (blen == 0 || blen > MIME_MAX_BOUNDARY) {
		mime_tree_set_type(part, "text", "plain");
		return 0;
	}
	dash = xasprintf("--%s", boundary);
	while (rc == 0 && !close) {
		c = mime_tree_delimiter(s, len, pos, dash, blen + 2, &next,
		                        &close);
		if (c == len)
			break;
		/* the line break before a delimiter belongs to it */
		end = c > 0 ? c - 1 : 0;
		if (end > 0 && s[end - 1] == '\r')
			end--;
		if (open)
			rc = mime_tree_add_child(ctx, part, &last, s + start,
			                         end > start ? end - start : 0,
			                         digest);
		open = !close;
		start = pos = next;
	}
	/* no close delimiter: the last part runs to the end */
	if (rc == 0 && open)
		rc = mime_tree_add_child(ctx, part, &last, s + start,
		                         len - start, digest);
	free(dash);
	if (rc == 0 && last == NULL)
		mime_tree_set_type(part, "text", "plain");
	return rc;
}

/* message/rfc822 (and message/global, RFC 6532): the body is a message.
 * Some mailers encode it; it is decoded into storage the part owns. */
static int mime_tree_message(struct mime_tree_ctx *ctx, struct mime_part *part)
{
	const char *s = part->body;
	size_t len = part->body_len;

	if (part->cte == MIME_CTE_BASE64 || part->cte == MIME_CTE_QP) {
		mime_part_decode(part, &part->owned);
		s = buf_str(&part->owned);
		len = part->owned.len;
	}
	return mime_tree_entity(ctx, s, len, part, false, &part->children);
}

static bool mime_tree_is_root(const struct mime_part *parent)
{
	return parent == NULL || strcmp(parent->type, "message") == 0;
}

static int mime_tree_limits(struct mime_tree_ctx *ctx, unsigned depth)
{
	if (depth > MIME_MAX_DEPTH)
		return pt_error_set(
		        ctx->err, PT_E_MSG,
		        _("message nested more than %d levels deep"),
		        MIME_MAX_DEPTH);
	if (ctx->msg->nparts >= MIME_MAX_PARTS)
		return pt_error_set(ctx->err, PT_E_MSG,
		                    _("message has more than %d MIME parts"),
		                    MIME_MAX_PARTS);
	return 0;
}

/* Recursion is bounded by MIME_MAX_DEPTH. */
static void mime_part_free(struct mime_part *part)
{
	struct mime_part *c, *next;

	if (part == NULL)
		return;
	for (c = part->children; c != NULL; c = next) {
		next = c->next;
		mime_part_free(c);
	}
	free(part->type);
	free(part->subtype);
	mime_param_list_free(&part->params);
	free(part->disposition);
	mime_param_list_free(&part->disp_params);
	mime_headers_clear(&part->headers);
	buf_free(&part->owned);
	free(part);
}

static int mime_tree_entity(struct mime_tree_ctx *ctx, const char *s,
                            size_t len, struct mime_part *parent, bool digest,
                            struct mime_part **part_r)
{
	unsigned depth = parent != NULL ? parent->depth + 1 : 0;
	struct mime_part *part;
	size_t off;
	int rc = 0;

	*part_r = NULL;
	if (mime_tree_limits(ctx, depth) < 0)
		return -1;
	part = xcalloc(1, sizeof(*part));
	part->id = (unsigned)++ctx->msg->nparts;
	part->depth = depth;
	part->parent = parent;
	mime_headers_parse(s, len, &part->headers, &off);
	part->body = s + off;
	part->body_len = len - off;
	mime_tree_content_type(part, digest);
	mime_tree_encoding(part);
	mime_tree_disposition(part);
	if (!mime_tree_is_root(parent))
		mime_headers_clear(&part->headers);
	if (strcmp(part->type, "multipart") == 0)
		rc = mime_tree_multipart(ctx, part);
	else if (mime_part_is(part, "message", "rfc822") ||
	         mime_part_is(part, "message", "global"))
		rc = mime_tree_message(ctx, part);
	if (rc < 0) {
		mime_part_free(part);
		return -1;
	}
	*part_r = part;
	return 0;
}

int mime_parse(const char *raw, size_t len, struct mime_message **msg_r,
               struct pt_error *err)
{
	struct mime_tree_ctx ctx;
	struct mime_message *msg;

	*msg_r = NULL;
	if (len > MIME_MAX_MESSAGE)
		return pt_error_set(err, PT_E_MSG,
		                    _("message larger than %u MB"),
		                    MIME_MAX_MESSAGE / (1024u * 1024u));
	msg = xcalloc(1, sizeof(*msg));
	msg->raw = xmalloc(len + 1);
	if (len > 0)
		memcpy(msg->raw, raw, len);
	msg->raw[len] = '\0';
	msg->len = len;
	ctx.msg = msg;
	ctx.err = err;
	if (mime_tree_entity(&ctx, msg->raw, len, NULL, false, &msg->root) <
	    0) {
		mime_message_free(&msg);
		return -1;
	}
	*msg_r = msg;
	return 0;
}

void mime_message_free(struct mime_message **msg)
{
	if (*msg == NULL)
		return;
	mime_part_free((*msg)->root);
	free((*msg)->raw);
	free(*msg);
	*msg = NULL;
}

bool mime_part_is(const struct mime_part *part, const char *type,
                  const char *subtype)
{
	return strcmp(part->type, type) == 0 &&
	       (subtype == NULL || strcmp(part->subtype, subtype) == 0);
}

const char *mime_part_filename(const struct mime_part *part)
{
	const char *name = mime_param_get(&part->disp_params, "filename");

	if (name == NULL || *name == '\0')
		name = mime_param_get(&part->params, "name");
	return name != NULL && *name != '\0' ? name : NULL;
}

void mime_part_decode(const struct mime_part *part, struct buf *out)
{
	if (part->cte == MIME_CTE_BASE64)
		mime_base64_decode(part->body, part->body_len, out);
	else if (part->cte == MIME_CTE_QP)
		mime_qp_decode(part->body, part->body_len, out);
	else
		buf_add(out, part->body, part->body_len);
}

void mime_part_text(const struct mime_part *part, struct buf *out)
{
	struct buf raw = BUF_INIT, utf8 = BUF_INIT;
	const char *fmt = mime_param_get(&part->params, "format");
	const char *delsp = mime_param_get(&part->params, "delsp");

	mime_part_decode(part, &raw);
	charset_to_utf8(mime_param_get(&part->params, "charset"), buf_str(&raw),
	                raw.len, &utf8);
	buf_free(&raw);
	if (mime_part_is(part, "text", "plain") && fmt != NULL &&
	    strcasecmp(fmt, "flowed") == 0)
		mime_flowed_decode(
		        buf_str(&utf8), utf8.len,
		        delsp != NULL && strcasecmp(delsp, "yes") == 0, out);
	else
		buf_add(out, buf_str(&utf8), utf8.len);
	buf_free(&utf8);
}
