/* SPDX-License-Identifier: MIT */
/*
 * Tests for xmalloc.c: every wrapper on its normal path (sizes, zeroing,
 * contents kept by xreallocarray, copies, formatting), zero sizes, and the
 * out-of-memory policy. Multiplication overflow and allocations that fail
 * for real under a tight RLIMIT_AS run in a forked child, which must die
 * of SIGABRT with the one line that names the size it could not get.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "xmalloc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__SANITIZE_ADDRESS__)
/*
 * AddressSanitizer reports an impossible request itself unless told to
 * return NULL like the C library does; the wrappers must see that NULL.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif

/* The largest alignment malloc(3) promises. */
#define AB_ALIGN alignof(max_align_t)

/* Checks that p is a usable block of at least n bytes (1 for 0). */
static void
assert_block(const void *p, size_t n)
{
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % AB_ALIGN, 0);
	ck_assert_uint_ge(malloc_usable_size((void *)p), n ? n : 1);
}

static const size_t malloc_sizes[] = {0, 1, 7, 16, 4096, 1 << 20};

START_TEST(test_xmalloc)
{
	size_t n = malloc_sizes[_i];
	unsigned char *p = xmalloc(n), *q = xmalloc(n);

	assert_block(p, n);
	assert_block(q, n);
	ck_assert_ptr_ne(p, q);
	memset(p, 0xa5, n ? n : 1);
	memset(q, 0x5a, n ? n : 1);
	ck_assert_uint_eq(p[n ? n - 1 : 0], 0xa5);
	free(p);
	free(q);
}
END_TEST

static const struct {
	size_t nmemb, size;
} calloc_cases[] = {
    {0, 0},
    {0, 8},
    {8, 0},
    {1, 1},
    {3, 5},
    {1000, 16},
    {1, 1 << 20},
};

START_TEST(test_xcalloc)
{
	size_t nmemb = calloc_cases[_i].nmemb, size = calloc_cases[_i].size;
	size_t n = nmemb * size, i;
	unsigned char *p;

	/* Dirty the heap first so that zeroing is not luck. */
	p = xmalloc(n ? n : 1);
	memset(p, 0xff, n ? n : 1);
	free(p);

	p = xcalloc(nmemb, size);
	assert_block(p, n);
	for (i = 0; i < n && p[i] == 0; i++)
		;
	ck_assert_msg(i == n, "byte %zu of %zu is %u", i, n, i < n ? p[i] : 0);
	free(p);
}
END_TEST

static const struct {
	size_t from, nmemb, size;
} realloc_cases[] = {
    {0, 4, 4},    /* NULL: a new block */
    {16, 64, 4},  /* grow */
    {4096, 2, 8}, /* shrink: the first 16 bytes stay */
    {16, 0, 8},   /* zero count: a block of one byte */
    {16, 8, 0},   /* zero size: the same */
    {16, 1 << 20, 1},
};

START_TEST(test_xreallocarray)
{
	size_t from = realloc_cases[_i].from, nmemb = realloc_cases[_i].nmemb;
	size_t size = realloc_cases[_i].size, n = nmemb * size, keep, i;
	unsigned char *p = NULL;

	if (from > 0) {
		p = xmalloc(from);
		for (i = 0; i < from; i++)
			p[i] = (unsigned char)(i * 7 + 1);
	}
	p = xreallocarray(p, nmemb, size);
	assert_block(p, n);
	keep = from < n ? from : n;
	for (i = 0; i < keep && p[i] == (unsigned char)(i * 7 + 1); i++)
		;
	ck_assert_msg(i == keep, "byte %zu of %zu changed", i, keep);
	if (n > 0)
		p[n - 1] = 0x42;
	free(p);
}
END_TEST

START_TEST(test_xstrdup)
{
	static const char *const in[] = {"", "a", "allocbenchd", "tab\tnl\n"};
	const char *s = in[_i];
	char *p = xstrdup(s);

	ck_assert_ptr_ne(p, s);
	ck_assert_str_eq(p, s);
	ck_assert_uint_ge(malloc_usable_size(p), strlen(s) + 1);
	free(p);
}
END_TEST

static const struct {
	const char *in;
	size_t n;
	const char *out;
} strndup_cases[] = {
    {"jemalloc", 3, "jem"},
    {"jemalloc", 8, "jemalloc"},
    {"jemalloc", 100, "jemalloc"},
    {"jemalloc", 0, ""},
    {"", 0, ""},
    {"", 5, ""},
    {"glibc", SIZE_MAX, "glibc"},
};

START_TEST(test_xstrndup)
{
	char *p = xstrndup(strndup_cases[_i].in, strndup_cases[_i].n);

	ck_assert_str_eq(p, strndup_cases[_i].out);
	free(p);
}
END_TEST

/* The formatted string of case i, from xasprintf. */
static char *
asprintf_case(int i)
{
	switch (i) {
	case 0:
		return xasprintf("%s", "");
	case 1:
		return xasprintf("plain");
	case 2:
		return xasprintf("%s/%s.jsonl", "/var/lib/allocbench", "runs");
	case 3:
		return xasprintf("%d %u %ld %zu", -1, 4000000000u, -2L,
		    (size_t)UINT32_MAX);
	case 4:
		return xasprintf("%.3f|%5s|%-3d|%%", 2.0 / 3.0, "ab", 7);
	case 5:
		return xasprintf("%*s", 300, "x");
	default:
		return NULL;
	}
}

static const char *const asprintf_expected[] = {
    "", "plain", "/var/lib/allocbench/runs.jsonl",
    "-1 4000000000 -2 4294967295", "0.667|   ab|7  |%",
    NULL, /* 299 spaces and an x, checked below */
};

START_TEST(test_xasprintf)
{
	char *p = asprintf_case(_i);
	size_t k;

	ck_assert_ptr_nonnull(p);
	if (asprintf_expected[_i] != NULL)
		ck_assert_str_eq(p, asprintf_expected[_i]);
	else {
		ck_assert_uint_eq(strlen(p), 300);
		for (k = 0; k < 299; k++)
			ck_assert_int_eq(p[k], ' ');
		ck_assert_int_eq(p[299], 'x');
	}
	free(p);
}
END_TEST

/* Which wrapper a dying case calls. */
enum xcall {
	X_MALLOC,
	X_CALLOC,
	X_REALLOCARRAY,
	X_STRDUP,
	X_STRNDUP,
	X_ASPRINTF
};

struct dying {
	const char *name;
	enum xcall call;
	size_t a, b;
	const char *msg;
	size_t said; /* when not 0: msg is followed by "SAID bytes\n" */
};

#define OOM "allocbenchd: out of memory allocating "
/* Sizes that overflow whatever the width of size_t. */
#define HALF ((size_t)1 << (sizeof(size_t) * 4))
#define TOP  ((size_t)1 << (sizeof(size_t) * 8 - 1))

/* Requests that cannot be met on any machine. */
static const struct dying overflow_cases[] = {
    {"xcalloc(SIZE_MAX, 2)", X_CALLOC, SIZE_MAX, 2, OOM, SIZE_MAX},
    {"xcalloc(2, SIZE_MAX)", X_CALLOC, 2, SIZE_MAX, OOM, SIZE_MAX},
    {"xcalloc(2^32, 2^32)", X_CALLOC, HALF, HALF, OOM, SIZE_MAX},
    {"xreallocarray(NULL, SIZE_MAX, 2)", X_REALLOCARRAY, SIZE_MAX, 2, OOM,
        SIZE_MAX},
    {"xreallocarray(p, 2^63, 2)", X_REALLOCARRAY, TOP, 2, OOM, SIZE_MAX},
    {"xmalloc(SIZE_MAX)", X_MALLOC, SIZE_MAX, 0, OOM, SIZE_MAX},
    {"xmalloc(SIZE_MAX / 2)", X_MALLOC, SIZE_MAX / 2, 0, OOM, SIZE_MAX / 2},
};

#if !defined(__SANITIZE_ADDRESS__)
/* 16 MiB: more than the address space the RLIMIT_AS cases leave free. */
#define BIG ((size_t)16 << 20)

/* Ordinary sizes that fail because the address space is full. */
static const struct dying rlimit_cases[] = {
    {"xmalloc", X_MALLOC, BIG, 0, OOM, BIG},
    {"xcalloc", X_CALLOC, BIG / 16, 16, OOM, BIG},
    {"xreallocarray", X_REALLOCARRAY, BIG / 8, 8, OOM, BIG},
    {"xstrdup", X_STRDUP, BIG - 1, 0, OOM, BIG},
    {"xstrndup", X_STRNDUP, BIG - 1, SIZE_MAX, OOM, BIG},
    {"xasprintf", X_ASPRINTF, BIG - 1, 0, OOM, BIG},
};

#endif

/* The child's side: make the one call of case d; it must not return. */
static void
call_dying(const struct dying *d, const char *big)
{
	void *p = NULL;

	switch (d->call) {
	case X_MALLOC:
		p = xmalloc(d->a);
		break;
	case X_CALLOC:
		p = xcalloc(d->a, d->b);
		break;
	case X_REALLOCARRAY:
		p = xreallocarray(xmalloc(16), d->a, d->b);
		break;
	case X_STRDUP:
		p = xstrdup(big);
		break;
	case X_STRNDUP:
		p = xstrndup(big, d->b);
		break;
	case X_ASPRINTF:
		p = xasprintf("%*s", (int)d->a, "");
		break;
	}
	free(p);
}

/* Virtual memory in use now, from VmSize in /proc/self/status. */
static size_t
vm_size(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "VmSize: %lu kB", &kb) == 1)
			break;
	}
	fclose(fp);
	return (size_t)kb * 1024;
}

/*
 * Runs case d in a child with stderr on a pipe, the address space capped
 * 8 MiB above what it uses when `cap` is set, and no core file; the child
 * must die of SIGABRT having written exactly d->msg.
 */
static void
assert_dies(const struct dying *d, int cap)
{
	char out[512], want[512];
	size_t len = 0;
	ssize_t n;
	int pfd[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		struct rlimit rl = {0, 0};
		char *big = NULL;

		(void)setrlimit(RLIMIT_CORE, &rl);
		if (d->call == X_STRDUP || d->call == X_STRNDUP) {
			big = malloc(d->a + 1);
			if (big == NULL)
				_exit(3);
			memset(big, 'b', d->a);
			big[d->a] = '\0';
		}
		if (cap) {
			rl.rlim_cur = rl.rlim_max =
			    vm_size() + ((size_t)8 << 20);
			if (setrlimit(RLIMIT_AS, &rl) != 0)
				_exit(4);
		}
		if (dup2(pfd[1], STDERR_FILENO) == -1)
			_exit(5);
		close(pfd[0]);
		close(pfd[1]);
		call_dying(d, big);
		_exit(0);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer warns on its own lines ("==pid==WARNING: ..."). */
	while (strncmp(out, "==", 2) == 0 && strchr(out, '\n') != NULL)
		memmove(out, strchr(out, '\n') + 1, strlen(strchr(out, '\n')));
#endif
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "%s: status %#x, stderr \"%s\"", d->name, status, out);
	if (d->said != 0)
		snprintf(want, sizeof(want), "%s%zu bytes\n", d->msg, d->said);
	else
		snprintf(want, sizeof(want), "%s", d->msg);
	ck_assert_msg(strcmp(out, want) == 0, "%s: stderr \"%s\"", d->name,
	    out);
}

START_TEST(test_overflow_aborts)
{
	assert_dies(&overflow_cases[_i], 0);
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__)
START_TEST(test_oom_aborts)
{
	assert_dies(&rlimit_cases[_i], 1);
}
END_TEST
#endif

static Suite *
suite(void)
{
	Suite *s = suite_create("xmalloc");
	TCase *tc = tcase_create("normal");
	TCase *die = tcase_create("abort");

	tcase_add_loop_test(tc, test_xmalloc, 0, (int)NELEM(malloc_sizes));
	tcase_add_loop_test(tc, test_xcalloc, 0, (int)NELEM(calloc_cases));
	tcase_add_loop_test(tc, test_xreallocarray, 0,
	    (int)NELEM(realloc_cases));
	tcase_add_loop_test(tc, test_xstrdup, 0, 4);
	tcase_add_loop_test(tc, test_xstrndup, 0, (int)NELEM(strndup_cases));
	tcase_add_loop_test(tc, test_xasprintf, 0,
	    (int)NELEM(asprintf_expected));
	suite_add_tcase(s, tc);

	tcase_add_loop_test(die, test_overflow_aborts, 0,
	    (int)NELEM(overflow_cases));
#if !defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer reserves terabytes of shadow: no RLIMIT_AS. */
	tcase_add_loop_test(die, test_oom_aborts, 0, (int)NELEM(rlimit_cases));
#endif
	tcase_set_timeout(die, 30);
	suite_add_tcase(s, die);
	return s;
}

AB_CHECK_MAIN(suite)
