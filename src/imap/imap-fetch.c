/* imap-fetch.c: typed FETCH msg-att parsing: UID, FLAGS, MODSEQ,
 * INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE and body sections. */
#include "imap/imap-fetch.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"

static void imap_fetch_warn(struct imap_reader *r, const char **warning_r,
                            const char *what, const char *item)
{
	char buf[160];

	if (*warning_r != NULL)
		return;
	snprintf(buf, sizeof(buf), "%s (FETCH item %s)", what, item);
	*warning_r = imap_arena_strndup(r->arena, buf, strlen(buf));
}

/* ------------------------------------------------------------- dates */

static const char imap_fetch_months[12][4] = {"Jan", "Feb", "Mar", "Apr",
                                              "May", "Jun", "Jul", "Aug",
                                              "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (civil calendar
 * arithmetic, no time zone or libc involved). */
static int64_t imap_fetch_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int imap_fetch_date(const char *s, time_t *t_r)
{
	char mon[4], sign;
	int d, y, h, mi, sec, zone, m, used = -1;

	if (sscanf(s, "%2d-%3[A-Za-z]-%4d %2d:%2d:%2d %c%4d%n", &d, mon, &y, &h,
	           &mi, &sec, &sign, &zone, &used) != 8 ||
	    used < 0 || s[used] != '\0')
		return -1;
	for (m = 0; m < 12; m++) {
		if (strcasecmp(mon, imap_fetch_months[m]) == 0)
			break;
	}
	if (m == 12 || d < 1 || d > 31 || y < 1900 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60 || zone < 0 ||
	    zone % 100 > 59 || (sign != '+' && sign != '-'))
		return -1;
	zone = (zone / 100) * 3600 + (zone % 100) * 60;
	*t_r = (time_t)(imap_fetch_days(y, m + 1, d) * 86400 + h * 3600 +
	                mi * 60 + sec - (sign == '+' ? zone : -zone));
	return 0;
}

/* ---------------------------------------------------------- envelope */

static const char *imap_fetch_nstring(const struct imap_arg *arg, bool *ok)
{
	if (arg->type == IMAP_ARG_NIL)
		return NULL;
	if (!imap_arg_is_string(arg))
		*ok = false;
	return imap_arg_nstring(arg);
}

static bool imap_fetch_addrlist(struct imap_arena *a,
                                const struct imap_arg *arg,
                                struct imap_addrlist *l)
{
	size_t i;
	bool ok = true;

	l->v = NULL;
	l->n = 0;
	if (arg->type == IMAP_ARG_NIL)
		return true;
	if (arg->type != IMAP_ARG_LIST)
		return false;
	l->v = imap_arena_calloc(a, arg->len, sizeof(*l->v));
	for (i = 0; i < arg->len; i++) {
		const struct imap_arg *ad = &arg->v.list[i];
		struct imap_address *out = &l->v[i];

		if (ad->type != IMAP_ARG_LIST || ad->len != 4)
			return false;
		out->name = imap_fetch_nstring(&ad->v.list[0], &ok);
		out->adl = imap_fetch_nstring(&ad->v.list[1], &ok);
		out->mailbox = imap_fetch_nstring(&ad->v.list[2], &ok);
		out->host = imap_fetch_nstring(&ad->v.list[3], &ok);
	}
	l->n = arg->len;
	return ok;
}

struct imap_envelope *imap_fetch_envelope(struct imap_arena *a,
                                          const struct imap_arg *arg)
{
	struct imap_envelope *e;
	const struct imap_arg *v;
	bool ok = true;

	if (arg->type != IMAP_ARG_LIST || arg->len != 10)
		return NULL;
	v = arg->v.list;
	e = imap_arena_calloc(a, 1, sizeof(*e));
	e->date = imap_fetch_nstring(&v[0], &ok);
	e->subject = imap_fetch_nstring(&v[1], &ok);
	ok = ok && imap_fetch_addrlist(a, &v[2], &e->from) &&
	     imap_fetch_addrlist(a, &v[3], &e->sender) &&
	     imap_fetch_addrlist(a, &v[4], &e->reply_to) &&
	     imap_fetch_addrlist(a, &v[5], &e->to) &&
	     imap_fetch_addrlist(a, &v[6], &e->cc) &&
	     imap_fetch_addrlist(a, &v[7], &e->bcc);
	e->in_reply_to = imap_fetch_nstring(&v[8], &ok);
	e->message_id = imap_fetch_nstring(&v[9], &ok);
	return ok ? e : NULL;
}

/* ------------------------------------------------------ bodystructure */

/* body-fld-param: NIL or ("name" "value" ...). */
static bool imap_fetch_params(struct imap_arena *a, const struct imap_arg *arg,
                              struct imap_strlist *l)
{
	size_t i;

	l->v = NULL;
	l->n = 0;
	if (arg->type == IMAP_ARG_NIL)
		return true;
	if (arg->type != IMAP_ARG_LIST || arg->len % 2 != 0)
		return false;
	l->v = imap_arena_calloc(a, arg->len, sizeof(*l->v));
	for (i = 0; i < arg->len; i++) {
		l->v[i] = imap_arg_nstring(&arg->v.list[i]);
		if (l->v[i] == NULL)
			return false;
	}
	l->n = arg->len;
	return true;
}

/* body-fld-dsp: NIL or ("attachment" params). */
static bool imap_fetch_disposition(struct imap_arena *a,
                                   const struct imap_arg *arg,
                                   struct imap_bodypart *part)
{
	if (arg->type == IMAP_ARG_NIL)
		return true;
	if (arg->type != IMAP_ARG_LIST || arg->len != 2)
		return false;
	part->disposition = imap_arg_nstring(&arg->v.list[0]);
	return part->disposition != NULL &&
	       imap_fetch_params(a, &arg->v.list[1], &part->disposition_params);
}

static bool imap_fetch_part(struct imap_arena *a, const struct imap_arg *arg,
                            struct imap_bodypart *part);

static bool imap_fetch_multipart(struct imap_arena *a,
                                 const struct imap_arg *arg,
                                 struct imap_bodypart *part)
{
	const struct imap_arg *v = arg->v.list;
	size_t n = 0, i;

	while (n < arg->len && v[n].type == IMAP_ARG_LIST)
		n++;
	if (n == arg->len || !imap_arg_is_string(&v[n]))
		return false;
	part->type = "MULTIPART";
	part->subtype = v[n].v.str;
	part->children = imap_arena_calloc(a, n, sizeof(*part->children));
	part->nchildren = n;
	for (i = 0; i < n; i++) {
		if (!imap_fetch_part(a, &v[i], &part->children[i]))
			return false;
	}
	/* body-ext-mpart: params, disposition, language, location... */
	if (n + 1 < arg->len && !imap_fetch_params(a, &v[n + 1], &part->params))
		return false;
	if (n + 2 < arg->len && !imap_fetch_disposition(a, &v[n + 2], part))
		return false;
	return true;
}

static bool imap_fetch_number_at(const struct imap_arg *v, size_t n, size_t i,
                                 uint64_t *out)
{
	return i < n && imap_arg_number(&v[i], IMAP_NUMBER_MAX, out) == 0;
}

static bool imap_fetch_single(struct imap_arena *a, const struct imap_arg *arg,
                              struct imap_bodypart *part)
{
	const struct imap_arg *v = arg->v.list;
	size_t n = arg->len, ext = 7;
	bool ok = true;

	if (n < 7 || !imap_arg_is_string(&v[0]) || !imap_arg_is_string(&v[1]))
		return false;
	part->type = v[0].v.str;
	part->subtype = v[1].v.str;
	part->id = imap_fetch_nstring(&v[3], &ok);
	part->description = imap_fetch_nstring(&v[4], &ok);
	part->encoding = imap_fetch_nstring(&v[5], &ok);
	if (!ok || !imap_fetch_params(a, &v[2], &part->params) ||
	    !imap_fetch_number_at(v, n, 6, &part->size))
		return false;
	if (strcasecmp(part->type, "MESSAGE") == 0 &&
	    (strcasecmp(part->subtype, "RFC822") == 0 ||
	     strcasecmp(part->subtype, "GLOBAL") == 0) &&
	    n >= 10) {
		part->envelope = imap_fetch_envelope(a, &v[7]);
		part->children = imap_arena_calloc(a, 1, sizeof(*part));
		part->nchildren = 1;
		if (part->envelope == NULL ||
		    !imap_fetch_part(a, &v[8], part->children) ||
		    !imap_fetch_number_at(v, n, 9, &part->lines))
			return false;
		ext = 10;
	} else if (strcasecmp(part->type, "TEXT") == 0) {
		if (!imap_fetch_number_at(v, n, 7, &part->lines))
			return false;
		ext = 8;
	}
	/* body-ext-1part: md5, disposition, language, location... */
	if (ext + 1 < n && !imap_fetch_disposition(a, &v[ext + 1], part))
		return false;
	return true;
}

static bool imap_fetch_part(struct imap_arena *a, const struct imap_arg *arg,
                            struct imap_bodypart *part)
{
	if (arg->type != IMAP_ARG_LIST || arg->len == 0)
		return false;
	if (arg->v.list[0].type == IMAP_ARG_LIST)
		return imap_fetch_multipart(a, arg, part);
	return imap_fetch_single(a, arg, part);
}

struct imap_bodypart *imap_fetch_body(struct imap_arena *a,
                                      const struct imap_arg *arg)
{
	struct imap_bodypart *part = imap_arena_calloc(a, 1, sizeof(*part));

	return imap_fetch_part(a, arg, part) ? part : NULL;
}

/* ----------------------------------------------------------- sections */

static const struct {
	const char *prefix;
	enum imap_section_kind kind;
} imap_fetch_section_names[] = {
        {"BODY", IMAP_SECTION_BODY},
        {"BODY.PEEK", IMAP_SECTION_BODY},
        {"BINARY", IMAP_SECTION_BINARY},
        {"BINARY.PEEK", IMAP_SECTION_BINARY},
        {"BINARY.SIZE", IMAP_SECTION_BINARY_SIZE},
};

/* Split "BODY[1.HEADER]<0>" into kind, section and origin. Returns false
 * when name is not a section item at all. */
static bool imap_fetch_section_name(struct imap_arena *a, const char *name,
                                    struct imap_section *s, bool *bad)
{
	const char *lb = strchr(name, '['), *rb;
	size_t i, plen;
	uint64_t origin;

	if (lb == NULL) {
		if (strcasecmp(name, "RFC822") == 0)
			s->kind = IMAP_SECTION_RFC822;
		else if (strcasecmp(name, "RFC822.HEADER") == 0)
			s->kind = IMAP_SECTION_RFC822_HEADER;
		else if (strcasecmp(name, "RFC822.TEXT") == 0)
			s->kind = IMAP_SECTION_RFC822_TEXT;
		else
			return false;
		s->section = "";
		return true;
	}
	plen = (size_t)(lb - name);
	for (i = 0; i < sizeof(imap_fetch_section_names) /
	                        sizeof(imap_fetch_section_names[0]);
	     i++) {
		if (strlen(imap_fetch_section_names[i].prefix) == plen &&
		    strncasecmp(name, imap_fetch_section_names[i].prefix,
		                plen) == 0)
			break;
	}
	if (i == sizeof(imap_fetch_section_names) /
	                 sizeof(imap_fetch_section_names[0]))
		return false;
	s->kind = imap_fetch_section_names[i].kind;
	rb = strrchr(lb, ']');
	if (rb == NULL) {
		*bad = true;
		return true;
	}
	s->section = imap_arena_strndup(a, lb + 1, (size_t)(rb - lb - 1));
	if (rb[1] == '\0')
		return true;
	/* <origin>: RFC 3501 §7.4.2, only the start offset is echoed. */
	if (rb[1] != '<' || rb[strlen(rb) - 1] != '>' ||
	    imap_number_parse(rb + 2, strlen(rb) - 3, UINT32_MAX, &origin) < 0)
		*bad = true;
	else {
		s->has_origin = true;
		s->origin = (uint32_t)origin;
	}
	return true;
}

static int imap_fetch_section_value(const struct imap_arg *val,
                                    struct imap_section *s)
{
	uint64_t size;

	if (s->kind == IMAP_SECTION_BINARY_SIZE) {
		if (imap_arg_number(val, IMAP_NUMBER_MAX, &size) < 0)
			return -1;
		s->len = (size_t)size;
		return 0;
	}
	if (val->type == IMAP_ARG_NIL) {
		s->nil = true;
		s->data = "";
		return 0;
	}
	if (!imap_arg_is_string(val))
		return -1;
	s->data = val->v.str;
	s->len = val->len;
	s->binary = val->binary;
	return 0;
}

/* ------------------------------------------------------------ msg-att */

static int imap_fetch_flags(struct imap_reader *r, const struct imap_arg *val,
                            struct imap_strlist *l)
{
	size_t i;

	if (val->type != IMAP_ARG_LIST)
		return imap_reader_fail_line(r, _("FETCH FLAGS is not a list"));
	l->v = imap_arena_calloc(r->arena, val->len, sizeof(*l->v));
	for (i = 0; i < val->len; i++) {
		l->v[i] = imap_arg_nstring(&val->v.list[i]);
		if (l->v[i] == NULL)
			return imap_reader_fail_line(r, _("bad flag in FETCH "
			                                  "FLAGS"));
	}
	l->n = val->len;
	return 0;
}

static int imap_fetch_uid(struct imap_reader *r, const struct imap_arg *val,
                          struct imap_fetch *f)
{
	uint64_t uid;

	if (imap_arg_number(val, UINT32_MAX, &uid) < 0 || uid == 0)
		return imap_reader_fail_line(r, _("bad UID in FETCH"));
	f->uid = (uint32_t)uid;
	f->present |= IMAP_FETCH_UID;
	return 0;
}

static void imap_fetch_modseq(struct imap_reader *r, const struct imap_arg *val,
                              struct imap_fetch *f, const char **warning_r)
{
	/* fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")" (§7);
	 * a bare number is tolerated. Bad values never abort the FETCH
	 * (T-2) and are never stored as numbers (Q-15, T-16). */
	if (val->type == IMAP_ARG_LIST && val->len == 1)
		val = &val->v.list[0];
	f->present |= IMAP_FETCH_MODSEQ;
	f->modseq_status = imap_arg_modseq(val, &f->modseq);
	if (f->modseq_status != IMAP_MODSEQ_OK)
		imap_fetch_warn(r, warning_r,
		                f->modseq_status == IMAP_MODSEQ_TOO_BIG
		                        ? "mod-sequence above 2^63-1 ignored"
		                : f->modseq_status == IMAP_MODSEQ_ZERO
		                        ? "mod-sequence 0 ignored"
		                        : "invalid mod-sequence ignored",
		                "MODSEQ");
}

/* Items whose value problems are only warnings. */
static void imap_fetch_static(struct imap_reader *r, const char *name,
                              const struct imap_arg *val, struct imap_fetch *f,
                              const char **warning_r)
{
	if (strcasecmp(name, "INTERNALDATE") == 0) {
		const char *s = imap_arg_nstring(val);

		if (s != NULL && imap_fetch_date(s, &f->internaldate) == 0)
			f->present |= IMAP_FETCH_INTERNALDATE;
		else
			imap_fetch_warn(r, warning_r, "bad date", name);
	} else if (strcasecmp(name, "RFC822.SIZE") == 0) {
		if (imap_arg_number(val, IMAP_NUMBER_MAX, &f->size) == 0)
			f->present |= IMAP_FETCH_SIZE;
		else
			imap_fetch_warn(r, warning_r, "bad size", name);
	} else if (strcasecmp(name, "ENVELOPE") == 0) {
		f->envelope = imap_fetch_envelope(r->arena, val);
		if (f->envelope != NULL)
			f->present |= IMAP_FETCH_ENVELOPE;
		else
			imap_fetch_warn(r, warning_r, "bad envelope", name);
	} else if (strcasecmp(name, "BODYSTRUCTURE") == 0 ||
	           strcasecmp(name, "BODY") == 0) {
		if (val->type != IMAP_ARG_LIST) {
			imap_fetch_warn(r, warning_r, "bad body structure",
			                name);
			return;
		}
		f->bodystructure = val;
		f->present |= IMAP_FETCH_BODYSTRUCTURE;
		f->body = imap_fetch_body(r->arena, val);
		if (f->body == NULL)
			imap_fetch_warn(r, warning_r,
			                "body structure kept untyped", name);
	}
}

static int imap_fetch_item(struct imap_reader *r, const char *name,
                           const struct imap_arg *val, struct imap_fetch *f,
                           const char **warning_r)
{
	struct imap_section *s = &f->sections[f->nsections];
	bool bad = false;

	if (strcasecmp(name, "UID") == 0)
		return imap_fetch_uid(r, val, f);
	if (strcasecmp(name, "FLAGS") == 0) {
		f->present |= IMAP_FETCH_FLAGS;
		return imap_fetch_flags(r, val, &f->flags);
	}
	if (strcasecmp(name, "MODSEQ") == 0) {
		imap_fetch_modseq(r, val, f, warning_r);
		return 0;
	}
	memset(s, 0, sizeof(*s));
	if (!imap_fetch_section_name(r->arena, name, s, &bad)) {
		imap_fetch_static(r, name, val, f, warning_r);
		return 0;
	}
	if (bad || imap_fetch_section_value(val, s) < 0)
		return imap_reader_fail_line(r, _("bad body section in FETCH"));
	f->nsections++;
	f->present |= IMAP_FETCH_SECTIONS;
	return 0;
}

int imap_fetch_parse(struct imap_reader *r, const struct imap_arg *items,
                     struct imap_fetch *f, const char **warning_r)
{
	const struct imap_arg *v = items->v.list;
	size_t i, nsec = 0;

	if (items->type != IMAP_ARG_LIST)
		return imap_reader_fail_line(r, _("FETCH data is not a list"));
	if (items->len % 2 != 0)
		return imap_reader_fail_line(r, _("FETCH item without value"));
	for (i = 0; i < items->len; i += 2) {
		if (v[i].type != IMAP_ARG_ATOM)
			return imap_reader_fail_line(r, _("FETCH item name "
			                                  "expected"));
		nsec += strchr(v[i].v.str, '[') != NULL ||
		        strncasecmp(v[i].v.str, "RFC822", 6) == 0;
	}
	f->items = items;
	f->sections =
	        imap_arena_calloc(r->arena, nsec + 1, sizeof(*f->sections));
	for (i = 0; i < items->len; i += 2) {
		if (imap_fetch_item(r, v[i].v.str, &v[i + 1], f, warning_r) < 0)
			return -1;
	}
	return 0;
}
