/* mime-date.c: lenient RFC 5322 date parsing. */
#include "mime/mime-date.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MIME_DATE_MAX_INPUT 256
#define MIME_DATE_UNSET (-1000000)

struct mime_date {
	int year, month, day, hour, min, sec;
	int zone; /* minutes east of UTC */
	int ampm; /* 0 none, 1 AM, 2 PM */
};

static const char mime_date_months[12][4] = {
        "jan", "feb", "mar", "apr", "may", "jun",
        "jul", "aug", "sep", "oct", "nov", "dec",
};

static const char mime_date_days[7][4] = {
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

static const struct {
	const char *name;
	int minutes;
} mime_date_zones[] = {
        {"ut", 0},        {"utc", 0},       {"gmt", 0},       {"z", 0},
        {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
        {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
        {"wet", 0},       {"west", 60},     {"bst", 60},      {"cet", 60},
        {"cest", 120},    {"met", 60},      {"mest", 120},    {"eet", 120},
        {"eest", 180},    {"msk", 180},     {"hkt", 480},     {"jst", 540},
        {"kst", 540},     {"aest", 600},    {"aedt", 660},    {"nzst", 720},
        {"nzdt", 780},
};

static bool mime_date_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static int mime_date_atoi(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n && i < 6; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "+hhmm", "-hh:mm", "+h", "+hh". */
static bool mime_date_offset(const char *s, size_t n, struct mime_date *d)
{
	int sign = s[0] == '-' ? -1 : 1, h, m = 0;

	s++, n--;
	if (n == 5 && s[2] == ':' && mime_date_digits(s, 2) &&
	    mime_date_digits(s + 3, 2)) {
		h = mime_date_atoi(s, 2);
		m = mime_date_atoi(s + 3, 2);
	} else if (n == 4 && mime_date_digits(s, 4)) {
		h = mime_date_atoi(s, 2);
		m = mime_date_atoi(s + 2, 2);
	} else if ((n == 1 || n == 2) && mime_date_digits(s, n)) {
		h = mime_date_atoi(s, n);
	} else {
		return false;
	}
	if (h > 23 || m > 59)
		return false;
	d->zone = sign * (h * 60 + m);
	return true;
}

static bool mime_date_alpha(const char *s, size_t n, struct mime_date *d)
{
	size_t i, letters = 0;

	while (letters < n &&
	       ((s[letters] | 0x20) >= 'a' && (s[letters] | 0x20) <= 'z'))
		letters++;
	if (letters >= 3) {
		for (i = 0; i < 12; i++)
			if (strncasecmp(s, mime_date_months[i], 3) == 0) {
				d->month = (int)i + 1;
				return true;
			}
		for (i = 0; i < 7; i++)
			if (strncasecmp(s, mime_date_days[i], 3) == 0)
				return true;
	}
	if (letters == 2 && strncasecmp(s, "am", 2) == 0)
		d->ampm = 1;
	if (letters == 2 && strncasecmp(s, "pm", 2) == 0)
		d->ampm = 2;
	for (i = 0; i < sizeof(mime_date_zones) / sizeof(mime_date_zones[0]);
	     i++)
		if (strlen(mime_date_zones[i].name) == letters &&
		    strncasecmp(s, mime_date_zones[i].name, letters) == 0)
			d->zone = mime_date_zones[i].minutes;
	/* military zones other than Z: "-0000" (RFC 5322 4.3) */
	if (letters == 1 && d->zone == MIME_DATE_UNSET)
		d->zone = 0;
	/* "GMT+0100" */
	if (letters < n && (s[letters] == '+' || s[letters] == '-'))
		return mime_date_offset(s + letters, n - letters, d);
	return true;
}

/* "hh:mm[:ss][.frac][zone]" */
static bool mime_date_time(const char *s, size_t n, struct mime_date *d)
{
	size_t i = 0, start;
	int part[3] = {0, 0, 0}, k;

	for (k = 0; k < 3; k++) {
		start = i;
		while (i < n && i - start < 2 && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
		part[k] = mime_date_atoi(s + start, i - start);
		if (i >= n || s[i] != ':' || k == 2)
			break;
		i++;
	}
	if (k == 0)
		return false;
	if (i < n && s[i] == '.')
		while (++i < n && s[i] >= '0' && s[i] <= '9')
			;
	d->hour = part[0], d->min = part[1], d->sec = part[2];
	if (i < n && (s[i] == '+' || s[i] == '-'))
		return mime_date_offset(s + i, n - i, d);
	if (i < n)
		return mime_date_alpha(s + i, n - i, d);
	return true;
}

struct mime_date_nums {
	int v[4];
	int digits[4];
	int n;
};

static bool mime_date_simple(const char *s, size_t n, struct mime_date *d,
                             struct mime_date_nums *nums)
{
	size_t digits = 0;

	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (digits == 0)
		return (s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'
		               ? mime_date_alpha(s, n, d)
		               : true; /* stray punctuation */
	/* "12." or "1st" are tolerated: trailing garbage ignored */
	if (nums->n == 4 || digits > 4)
		return false;
	nums->v[nums->n] = mime_date_atoi(s, digits);
	nums->digits[nums->n++] = (int)digits;
	return true;
}

static bool mime_date_token(const char *s, size_t n, struct mime_date *d,
                            struct mime_date_nums *nums)
{
	size_t i, start;

	if (n > 1 && (s[0] == '+' || s[0] == '-'))
		return mime_date_offset(s, n, d);
	for (i = 1; i + 1 < n; i++) /* ISO 8601 "2020-01-12T10:00" */
		if ((s[i] == 'T' || s[i] == 't') && s[i - 1] >= '0' &&
		    s[i - 1] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9')
			return mime_date_token(s, i, d, nums) &&
			       mime_date_token(s + i + 1, n - i - 1, d, nums);
	if (memchr(s, ':', n) != NULL)
		return mime_date_time(s, n, d);
	if (memchr(s, '-', n) == NULL && memchr(s, '/', n) == NULL)
		return mime_date_simple(s, n, d, nums);
	for (i = start = 0; i <= n; i++) {
		if (i < n && s[i] != '-' && s[i] != '/')
			continue;
		if (i > start &&
		    !mime_date_simple(s + start, i - start, d, nums))
			return false;
		start = i + 1;
	}
	return true;
}

/* Copy s without comments, with commas as spaces. */
static bool mime_date_clean(const char *s, size_t len, char *out)
{
	size_t i, n = 0;
	int depth = 0;

	if (len >= MIME_DATE_MAX_INPUT)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--, c = ' ';
		if (depth > 0 || c == ',' || c == '\t' || c == '\r' ||
		    c == '\n')
			c = ' ';
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

static int mime_date_year(int v, int digits)
{
	if (digits == 2)
		return v < 50 ? 2000 + v : 1900 + v;
	if (digits == 3)
		return 1900 + v;
	return digits == 4 ? v : -1;
}

static bool mime_date_assign(struct mime_date *d,
                             const struct mime_date_nums *nums)
{
	int y = 0;

	if (d->month > 0 && nums->n >= 2) {
		/* "12 Jan 2020", "Jan 12 2020", "2020 Jan 12" */
		y = nums->digits[0] >= 3 || nums->v[0] > 31 ? 0 : 1;
		d->year = mime_date_year(nums->v[y], nums->digits[y]);
		d->day = nums->v[1 - y];
	} else if (d->month == 0 && nums->n >= 3 && nums->digits[0] == 4) {
		d->year = nums->v[0];
		d->month = nums->v[1];
		d->day = nums->v[2];
	} else {
		return false;
	}
	return true;
}

static int mime_date_mdays(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
	                             31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days arithmetic, inverted). */
static long long mime_date_days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool mime_date_valid(struct mime_date *d)
{
	if (d->ampm != 0 && (d->hour < 1 || d->hour > 12))
		return false;
	if (d->ampm == 1 && d->hour == 12)
		d->hour = 0;
	else if (d->ampm == 2 && d->hour != 12)
		d->hour += 12;
	return d->year >= 1900 && d->year <= 9999 && d->month >= 1 &&
	       d->month <= 12 && d->day >= 1 &&
	       d->day <= mime_date_mdays(d->year, d->month) && d->hour >= 0 &&
	       d->hour <= 23 && d->min <= 59 && d->sec <= 60;
}

int mime_date_parse(const char *s, size_t len, time_t *t_r)
{
	char buf[MIME_DATE_MAX_INPUT], *tok, *save = NULL;
	struct mime_date d = {0, 0, 0, -1, 0, 0, MIME_DATE_UNSET, 0};
	struct mime_date_nums nums = {{0}, {0}, 0};
	long long t;

	if (!mime_date_clean(s, len, buf))
		return -1;
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save))
		if (!mime_date_token(tok, strlen(tok), &d, &nums))
			return -1;
	if (d.hour < 0 || !mime_date_assign(&d, &nums) || !mime_date_valid(&d))
		return -1;
	if (d.zone == MIME_DATE_UNSET)
		d.zone = 0;
	t = mime_date_days_from_civil(d.year, d.month, d.day) * 86400LL +
	    d.hour * 3600LL + d.min * 60LL + d.sec - d.zone * 60LL;
	if (sizeof(time_t) < 8 && (t < -2147483647LL || t > 2147483647LL))
		return -1;
	*t_r = (time_t)t;
	return 0;
}

void mime_date_format(time_t t, char out[MIME_DATE_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, MIME_DATE_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, MIME_DATE_LEN, "1970-01-01T00:00:00Z");
}
