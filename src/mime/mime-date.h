/* mime-date.h: parsing message dates (RFC 5322 3.3 and the broken forms
 * found in real mail) and formatting them in UTC.
 *
 * Accepted besides the standard form: no weekday, two- and three-digit
 * years (4.3: 00-49 are 2000-2049, 50-99 and three digits add 1900),
 * named zones (UT, GMT, Z, EST..PDT, military letters as -0000, and common
 * European and Asian abbreviations), no seconds, no zone (taken as UTC),
 * comments anywhere, single-digit days, "12-Jan-2020", asctime order
 * ("Jan 12 10:00:00 2020"), ISO 8601 ("2020-01-12T10:00:00Z") and AM/PM.
 * Reentrant, independent of the local time zone. */
#ifndef PETREL_MIME_DATE_H
#define PETREL_MIME_DATE_H

#include <stddef.h>
#include <time.h>

/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL */
#define MIME_DATE_LEN 21

/* Parse an unfolded Date value into *t_r (UTC). Returns 0, or -1 when the
 * text is not a recognizable date (the caller then uses INTERNALDATE). */
int mime_date_parse(const char *s, size_t len, time_t *t_r);
/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void mime_date_format(time_t t, char out[MIME_DATE_LEN]);

#endif
