/* SPDX-License-Identifier: MIT */
/*
 * Tests for sha256.c: the FIPS 180 example messages (NIST's "SHA256.pdf"
 * examples and the one-million-"a" message), the same messages fed in
 * every split so the buffering is exercised at each block boundary, and
 * files of the real system compared with what sha256sum(1) prints for
 * them at test time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "sha256.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *msg;
	const char *hex;
} vectors[] = {
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
     "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    /* 55, 56 and 64 bytes, the padding's edge cases (sha256sum). */
    {"0123456789012345678901234567890123456789012345678901234",
        "f34d5a0f80c0cbf84c8c0b90218c22637abd199965249da736a20143c8c9c9d9"},
    {"01234567890123456789012345678901234567890123456789012345",
        "83aa034bda83e458a0dc9cbce0d4e354716aa0ff770ed37ac0ed2b292052e4af"},
    {"0123456789012345678901234567890123456789012345678901234567890123",
        "9674d9e078535b7cec43284387a6ee39956188e735a85452b0050b55341cda56"},
};

START_TEST(test_vector)
{
	char hex[AB_SHA256_HEX];

	sha256_hex_of(vectors[_i].msg, strlen(vectors[_i].msg), hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

/* Every split point of the message into two updates gives one digest. */
START_TEST(test_vector_split)
{
	const char *m = vectors[_i].msg;
	size_t len = strlen(m), cut;
	unsigned char d[AB_SHA256_LEN];
	char hex[AB_SHA256_HEX];
	struct sha256 s;

	for (cut = 0; cut <= len; cut++) {
		sha256_init(&s);
		sha256_update(&s, m, cut);
		sha256_update(&s, NULL, 0);
		sha256_update(&s, m + cut, len - cut);
		sha256_final(&s, d);
		sha256_hex(d, hex);
		ck_assert_msg(strcmp(hex, vectors[_i].hex) == 0,
		    "vector %d cut at %zu: %s", _i, cut, hex);
	}
}
END_TEST

/* FIPS 180 example: one million repetitions of "a", in uneven pieces. */
START_TEST(test_million_a)
{
	static char a[1000000];
	unsigned char d[AB_SHA256_LEN];
	char hex[AB_SHA256_HEX];
	struct sha256 s;
	size_t off, step = 1;

	memset(a, 'a', sizeof(a));
	sha256_hex_of(a, sizeof(a), hex);
	ck_assert_str_eq(hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_init(&s);
	for (off = 0; off < sizeof(a); off += step, step = step * 7 % 997 + 1)
		sha256_update(&s, a + off,
		    off + step > sizeof(a) ? sizeof(a) - off : step);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	ck_assert_str_eq(hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Files of the system, checked against sha256sum(1) run now. */
static const char *const real_files[] = {
    "/bin/sh",
    "/etc/hostname",
    "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/dev/null",
};

START_TEST(test_real_file)
{
	const char *path = real_files[_i];
	char cmd[4200], want[128] = "", hex[AB_SHA256_HEX], err[256];
	FILE *p;

	if (access(path, R_OK) != 0)
		return; /* not on this system (another architecture) */
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(want, sizeof(want), p));
	ck_assert_int_eq(pclose(p), 0);
	want[64] = '\0';
	ck_assert_msg(sha256_file(path, hex, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(hex, want);
}
END_TEST

START_TEST(test_file_errors)
{
	char hex[AB_SHA256_HEX] = "untouched", err[256];

	ck_assert_int_eq(sha256_file("/nonexistent/lib.so", hex, err,
	                     sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "/nonexistent/lib.so: No such file or directory");
	ck_assert_int_eq(sha256_file("/", hex, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/: Is a directory");
	ck_assert_str_eq(hex, "untouched");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("sha256");

	tcase_add_loop_test(tc, test_vector, 0, (int)NELEM(vectors));
	tcase_add_loop_test(tc, test_vector_split, 0, (int)NELEM(vectors));
	tcase_add_test(tc, test_million_a);
	tcase_add_loop_test(tc, test_real_file, 0, (int)NELEM(real_files));
	tcase_add_test(tc, test_file_errors);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
