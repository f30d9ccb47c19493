/* SPDX-License-Identifier: MIT */
/*
 * Time: the clocks the daemon reads, in milliseconds, and RFC 3339 both
 * ways. Formatting works out the civil date from the day number itself,
 * so it needs neither the time zone lock nor a 64-bit time_t; parsing
 * accepts RFC 3339 section 5.6 date-times with any offset.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "timefmt.h"

/* One clock in milliseconds. */
int64_t
timefmt_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_REALTIME in ms since the epoch. */
int64_t
timefmt_now_ms(void)
{
	return timefmt_clock_ms(CLOCK_REALTIME);
}

/* CLOCK_MONOTONIC in ms. */
int64_t
timefmt_mono_ms(void)
{
	return timefmt_clock_ms(CLOCK_MONOTONIC);
}

/* CLOCK_MONOTONIC in seconds, with nanosecond resolution. */
double
timefmt_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The n low decimal digits of v at buf, zero-padded. */
static void
put_digits(char *buf, unsigned v, int n)
{
	while (n-- > 0) {
		buf[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * RFC 3339 UTC with milliseconds, "2025-11-25T14:34:56.123Z", into buf (at
 * least 25 bytes). The date is the proleptic Gregorian one of gmtime(3), worked
 * out from the day number (H. Hinnant's civil_from_days) so that it needs
 * neither the time zone lock nor a 64-bit time_t. Returns -1 for times
 * whose year has no four-digit form.
 */
int
timefmt_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t sec = ms / 1000, frac = ms % 1000, z, era, year;
	unsigned doe, yoe, doy, mp, month, day, sod;

	if (len < 25)
		return -1;
	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	z = sec / 86400;
	if (sec % 86400 < 0)
		z--;
	sod = (unsigned)(sec - z * 86400);
	z += 719468; /* days from 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = (int64_t)yoe + era * 400 + (month <= 2);
	if (year < 0 || year > 9999)
		return -1;
	put_digits(buf, (unsigned)year, 4);
	buf[4] = '-';
	put_digits(buf + 5, month, 2);
	buf[7] = '-';
	put_digits(buf + 8, day, 2);
	buf[10] = 'T';
	put_digits(buf + 11, sod / 3600, 2);
	buf[13] = ':';
	put_digits(buf + 14, sod / 60 % 60, 2);
	buf[16] = ':';
	put_digits(buf + 17, sod % 60, 2);
	buf[19] = '.';
	put_digits(buf + 20, (unsigned)frac, 3);
	buf[23] = 'Z';
	buf[24] = '\0';
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * RFC 3339 5.6 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), "T"
 * and "Z" in either case. A space stands for the "+" of the offset, since
 * an unencoded "+" in a query string decodes to a space.
 */
int
timefmt_parse_rfc3339(const char *s, int64_t *out)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int y, mo, d, hh, mi, ss, oh = 0, om = 0, sign = 0, ms = 0, scale;
	const char *p;
	int64_t secs;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &hh) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &ss))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || hh > 23 ||
	    mi > 59 || ss > 60)
		return -1;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++, scale = 100; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		sign = 0;
	else if ((*p == '+' || *p == ' ' || *p == '-') && strlen(p) == 6 &&
	    digits(p + 1, 2, &oh) == 0 && p[3] == ':' &&
	    digits(p + 4, 2, &om) == 0 && oh <= 23 && om <= 59)
		sign = *p == '-' ? -1 : 1;
	else
		return -1;
	secs = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss -
	    sign * (oh * 3600 + om * 60);
	*out = secs * 1000 + ms;
	return 0;
}
