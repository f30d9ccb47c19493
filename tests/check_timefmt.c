/* SPDX-License-Identifier: MIT */
/*
 * Time formatting and parsing: RFC 3339 output against gmtime_r and
 * strftime over fixed and pseudo-random instants, a table of valid and
 * invalid RFC 3339 inputs with the instants Python's datetime gives for
 * them, the round trip, and the clocks' order.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "timefmt.h"

/* The reference: gmtime_r and strftime, then the milliseconds. */
static void
ref_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t sec = ms / 1000, frac = ms % 1000;
	time_t t;
	struct tm tm;
	char base[32];

	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, (int)frac);
}

START_TEST(test_format_fixed)
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
	    {0, "1970-01-01T00:00:00.000Z"},
	    {-1, "1969-12-31T23:59:59.999Z"},
	    {951782400000, "2000-02-29T00:00:00.000Z"},
	    {1764081296123, "2025-11-25T14:34:56.123Z"},
	    {253402300799999, "9999-12-31T23:59:59.999Z"},
	    {-62167219200000, "0000-01-01T00:00:00.000Z"},
	};
	char buf[AB_RFC3339_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(timefmt_rfc3339(cases[i].ms, buf, sizeof(buf)),
		    0);
		ck_assert_str_eq(buf, cases[i].want);
	}
	/* years without four digits, and a short buffer */
	strcpy(buf, "untouched");
	ck_assert_int_eq(timefmt_rfc3339(253402300800000, buf, sizeof(buf)),
	    -1);
	ck_assert_int_eq(timefmt_rfc3339(-62167219200001, buf, sizeof(buf)),
	    -1);
	ck_assert_int_eq(timefmt_rfc3339(0, buf, AB_RFC3339_LEN - 1), -1);
	ck_assert_str_eq(buf, "untouched");
}
END_TEST

/* 100,000 instants between 1900 and 2200 agree with gmtime_r. */
START_TEST(test_format_random)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char got[AB_RFC3339_LEN], want[64];
	int64_t ms, back;
	int i;

	for (i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = -2208988800000LL + (int64_t)(x % 9467280000000ULL);
		ck_assert_int_eq(timefmt_rfc3339(ms, got, sizeof(got)), 0);
		/* a 32-bit time_t (armhf) limits the reference, not the code */
		if (sizeof(time_t) == 8 ||
		    (ms / 1000 >= INT32_MIN && ms / 1000 <= INT32_MAX)) {
			ref_rfc3339(ms, want, sizeof(want));
			ck_assert_str_eq(got, want);
		}
		ck_assert_int_eq(timefmt_parse_rfc3339(got, &back), 0);
		ck_assert_int_eq(back, ms);
	}
}
END_TEST

/* Expected instants from Python: datetime.fromisoformat(s).timestamp(). */
static const struct {
	const char *text;
	int ok;
	int64_t ms;
} parse_cases[] = {
    {"2025-11-25T10:20:00Z", 1, 1764066000000},
    {"2025-11-25t10:20:00z", 1, 1764066000000},
    {"2025-11-25T10:20:00.001Z", 1, 1764066000001},
    {"2025-11-25T10:19:59.5Z", 1, 1764065999500},
    {"2025-11-25T10:19:59.123456789Z", 1, 1764065999123},
    {"2025-11-25T11:20:00+01:00", 1, 1764066000000},
    {"2025-11-25T11:20:00 01:00", 1, 1764066000000},
    {"2025-11-25T05:20:00-05:00", 1, 1764066000000},
    {"2024-02-29T00:00:00Z", 1, 1709164800000},
    {"2000-02-29T00:00:00Z", 1, 951782400000},
    {"1970-01-01T00:00:00Z", 1, 0},
    {"2025-02-29T00:00:00Z", 0, 0},
    {"1900-02-29T00:00:00Z", 0, 0},
    {"2025-13-01T00:00:00Z", 0, 0},
    {"2025-00-01T00:00:00Z", 0, 0},
    {"2025-04-31T00:00:00Z", 0, 0},
    {"2025-11-25T24:00:00Z", 0, 0},
    {"2025-11-25T10:60:00Z", 0, 0},
    {"2025-11-25T10:20:00", 0, 0},
    {"2025-11-25 10:20:00Z", 0, 0},
    {"2025-11-25T10:20:00.Z", 0, 0},
    {"2025-11-25T10:20:00+1:00", 0, 0},
    {"2025-11-25T10:20:00+01:60", 0, 0},
    {"2025-11-25T10:20:00Zjunk", 0, 0},
    {"2025-1-25T10:20:00Z", 0, 0},
    {"", 0, 0},
    {"yesterday", 0, 0},
};

START_TEST(test_parse)
{
	int64_t ms = -42;
	int rc = timefmt_parse_rfc3339(parse_cases[_i].text, &ms);

	if (parse_cases[_i].ok) {
		ck_assert_msg(rc == 0, "%s refused", parse_cases[_i].text);
		ck_assert_int_eq(ms, parse_cases[_i].ms);
	} else {
		ck_assert_msg(rc == -1, "%s accepted", parse_cases[_i].text);
		ck_assert_int_eq(ms, -42);
	}
}
END_TEST

START_TEST(test_clocks)
{
	int64_t m0 = timefmt_mono_ms(), r0 = timefmt_now_ms();
	double s0 = timefmt_mono_s();
	struct timespec ts = {0, 20 * 1000 * 1000};

	nanosleep(&ts, NULL);
	ck_assert_int_ge(timefmt_mono_ms() - m0, 20);
	ck_assert_double_ge(timefmt_mono_s() - s0, 0.019);
	/* after 2025-01-01 and within a second of time(2) */
	ck_assert_int_gt(r0, 1735689600000LL);
	ck_assert_int_le(r0 / 1000 - (int64_t)time(NULL), 1);
	ck_assert_int_eq(timefmt_clock_ms(CLOCK_MONOTONIC) >= m0, 1);
}
END_TEST

static Suite *
timefmt_suite(void)
{
	Suite *s = suite_create("timefmt");
	TCase *tc = tcase_create("timefmt");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_format_fixed);
	tcase_add_test(tc, test_format_random);
	tcase_add_loop_test(tc, test_parse, 0,
	    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_clocks);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(timefmt_suite)
