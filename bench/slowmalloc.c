/* SPDX-License-Identifier: MIT */
/*
 * A known slowdown for the validity study (bench/validity.py): an
 * allocator library that provides malloc, calloc and realloc itself, so
 * allocbench verifies it as the provider, forwards to glibc's own
 * implementation and busy-waits AB_SLOW_NS nanoseconds on CLOCK_MONOTONIC
 * in every call. The workload makes about the same number of calls in
 * every run, so the delay adds a fixed amount of time per run. Built with
 *   cc -O2 -shared -fPIC -DAB_SLOW_NS=1400 -o libslow.so slowmalloc.c
 * Setting AB_SLOW_COUNT=1 prints the number of calls at exit (to
 * calibrate the delay); the measured runs never set it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifndef AB_SLOW_NS
#define AB_SLOW_NS 0
#endif

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);

static unsigned long calls;

static void
slow(void)
{
	struct timespec t0, t;
	long ns;

	calls++;
	if (AB_SLOW_NS <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		ns = (t.tv_sec - t0.tv_sec) * 1000000000L +
		    (t.tv_nsec - t0.tv_nsec);
	} while (ns < AB_SLOW_NS);
}

void *
malloc(size_t n)
{
	slow();
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	slow();
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	slow();
	return __libc_realloc(p, n);
}

__attribute__((destructor)) static void
report(void)
{
	char buf[64];
	const char *e = getenv("AB_SLOW_COUNT");
	int n;

	if (e == NULL || e[0] != '1')
		return;
	n = snprintf(buf, sizeof(buf), "calls=%lu\n", calls);
	if (n > 0)
		(void)!write(2, buf, (size_t)n);
}
