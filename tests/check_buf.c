/* SPDX-License-Identifier: MIT */
/*
 * The byte buffer: growth keeps every byte and the NUL, reset keeps the
 * memory, printf formats across the growth boundary, take hands the text
 * over, free is idempotent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_main.h"

START_TEST(test_buf)
{
	struct ab_buf b = AB_BUF_INIT;
	char chunk[1000];
	size_t i, cap;

	ab_buf_free(&b); /* never appended to: a no-op */
	ab_buf_reset(&b);
	ck_assert_ptr_null(b.p);
	ab_buf_append(&b, "", 0);
	ck_assert_str_eq(b.p, "");
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < 100; i++) {
		chunk[0] = (char)('a' + i % 26);
		ab_buf_append(&b, chunk, sizeof(chunk));
		ck_assert_uint_eq(b.len, (i + 1) * sizeof(chunk));
		ck_assert_uint_gt(b.cap, b.len);
		ck_assert_int_eq(b.p[b.len], '\0');
	}
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(b.p[i * sizeof(chunk)], 'a' + (int)(i % 26));
	cap = b.cap;
	ab_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.p, "");
	ab_buf_append(&b, "ab", 2);
	ck_assert_str_eq(b.p, "ab");
	ck_assert_uint_eq(b.cap, cap);
	ab_buf_free(&b);
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

/* printf lengths around the first allocation and every doubling. */
START_TEST(test_printf)
{
	static const size_t lens[] = {0, 1, 254, 255, 256, 257, 511, 512, 4095,
	    70000};
	struct ab_buf b = AB_BUF_INIT;
	char *want, *got;
	size_t i, j, len;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		want = malloc(lens[i] + 8);
		ck_assert_ptr_nonnull(want);
		for (j = 0; j < lens[i]; j++)
			want[j] = (char)('A' + j % 26);
		want[lens[i]] = '\0';
		ab_buf_puts(&b, "<");
		ab_buf_printf(&b, "%s|%d", want, 42);
		ck_assert_uint_eq(b.len, lens[i] + 4);
		ck_assert_int_eq(b.p[0], '<');
		ck_assert_int_eq(memcmp(b.p + 1, want, lens[i]), 0);
		ck_assert_str_eq(b.p + 1 + lens[i], "|42");
		got = ab_buf_take(&b, &len);
		ck_assert_uint_eq(len, lens[i] + 4);
		ck_assert_ptr_null(b.p);
		ck_assert_uint_eq(b.len, 0);
		free(got);
		free(want);
	}
}
END_TEST

/* take on an empty buffer still gives a string the caller can free. */
START_TEST(test_take_empty)
{
	struct ab_buf b = AB_BUF_INIT;
	size_t len = 99;
	char *p = ab_buf_take(&b, &len);

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "");
	ck_assert_uint_eq(len, 0);
	free(p);
	AB_BUF_LIT(&b, "lit");
	ck_assert_str_eq(b.p, "lit");
	ck_assert_uint_eq(b.len, 3);
	ab_buf_free(&b);
	ab_buf_free(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_printf);
	tcase_add_test(tc, test_take_empty);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(buf_suite)
