/* SPDX-License-Identifier: MIT */
/*
 * Benchmark (not a test) of the history at its expected size: writes
 * 100,000 realistic runs of four variants to DIR/history.jsonl, then
 * measures store_open (median of 5 fresh loads), the resident memory the
 * loaded store takes (VmRSS before and after the first load), and the
 * time GET /api/v1/runs?variant=V&limit=1000 spends writing the newest
 * 1000 runs of one variant (render_runs, median of 5), and one store_compact
 * that drops the oldest 1% and so rewrites the history (the daemon holds
 * its lock meanwhile).
 *
 * Build by hand after building the library in a VPATH directory:
 *
 *   cc -O2 -std=c11 -I/work/main/src bench/history-load.c \
 *       /tmp/build-store/src/libab.a -lcjson -lm -o /tmp/history-load
 *   /tmp/history-load [NRUNS]
 *
 * It writes under a mkdtemp("/tmp/abbench.XXXXXX") directory and removes
 * it at the end.
 */
#define _GNU_SOURCE

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "run.h"
#include "store.h"

#define REPEAT 5

static const char *const variants[] = {"python3.11/glibc",
    "python3.11/jemalloc", "python3.11/mimalloc", "python3.11/tcmalloc"};
static const char *const providers[] = {"/lib/aarch64-linux-gnu/libc.so.6",
    "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
    "/usr/lib/aarch64-linux-gnu/libmimalloc.so.2",
    "/usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4"};
static const double base_wall[] = {4.1, 3.6, 3.4, 3.7};

static const char traceback[] =
    "Traceback (most recent call last):\n"
    "  File \"/usr/share/allocbench/churn.py\", line 88, in <module>\n"
    "    main()\n"
    "  File \"/usr/share/allocbench/churn.py\", line 71, in main\n"
    "    buf = [bytearray(size) for _ in range(n)]\n"
    "MemoryError\n";

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
vmrss_kb(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(fp);
	return kb;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Uniform in [0, 1) from a xorshift generator: the same file every time. */
static double
rnd(void)
{
	static unsigned long long x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (double)(x >> 11) / 9007199254740992.0;
}

/* Run i: rounds of the four variants, one run every 20 s or so. */
static void
make_run(long i, int64_t start, struct run *r)
{
	int v = (int)(i % 4), p;
	double u = rnd(), wall;

	run_init(r);
	r->variant = (char *)variants[v];
	r->started_ms = start + i * 20000 + (int64_t)(rnd() * 900);
	r->iterations = 200000;
	r->python_version = "3.11.2";
	r->malloc_provider = (char *)providers[v];
	r->before.temp_c = 48.0 + rnd() * 20;
	r->before.freq_khz = 1800000;
	r->before.load1 = rnd() * 1.5;
	r->before.throttled = 0;
	r->after = r->before;
	r->after.temp_c += rnd() * 8;
	r->after.freq_khz = u < 0.03 ? 1500000 : 1800000;
	r->after.throttled = u < 0.03 ? 0x20002 : 0;
	if (u < 0.01) { /* failed with a traceback */
		r->status = RUN_FAILED;
		r->exit_code = 1;
		r->wall_s = 1.0 + rnd();
		r->error = (char *)traceback;
		return;
	}
	if (u < 0.015) { /* killed by the timeout */
		r->status = RUN_TIMEOUT;
		r->term_signal = 9;
		r->wall_s = 600.0 + rnd() * 0.01;
		r->error = "timed out after 600 s";
		return;
	}
	r->status = RUN_OK;
	r->exit_code = 0;
	wall = base_wall[v] * (1.0 + 0.05 * rnd());
	r->wall_s = wall;
	r->user_s = wall * (0.90 + 0.05 * rnd());
	r->sys_s = wall * (0.02 + 0.03 * rnd());
	r->maxrss_kb = 180000 + (long)(rnd() * 40000);
	r->minflt = 40000 + (long)(rnd() * 10000);
	r->majflt = 0;
	r->nvcsw = (long)(rnd() * 50);
	r->nivcsw = (long)(rnd() * 800);
	for (p = 0; p < PHASE_N; p++)
		r->phase_s[p] = wall * (0.1 + 0.2 * rnd());
	r->vmhwm_kb = r->maxrss_kb - 2000;
	r->flags = u < 0.03 ? RUN_FLAG_THROTTLED : 0;
}

static int
write_history(const char *path, long n, int64_t start, size_t *bytes)
{
	FILE *fp = fopen(path, "w");
	struct run r;
	cJSON *doc;
	char *txt;
	long i;

	if (fp == NULL)
		return -1;
	*bytes = 0;
	for (i = 0; i < n; i++) {
		make_run(i, start, &r);
		doc = run_to_json(&r);
		txt = cJSON_PrintUnformatted(doc);
		*bytes += strlen(txt) + 1;
		fprintf(fp, "%s\n", txt);
		cJSON_free(txt);
		cJSON_Delete(doc);
	}
	return fclose(fp);
}

/* What GET /api/v1/runs?variant=V&limit=1000 does: render_runs. */
static size_t
newest_runs(const struct store *s, const char *variant, size_t limit)
{
	size_t len;

	free(render_runs(s, variant, 0, limit, &len));
	return len;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/abbench.XXXXXX", path[64], err[256];
	double t_open[REPEAT], t_api[REPEAT], t0, med, t_compact = 0;
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000, rss0 = 0;
	long rss1 = 0;
	int64_t start = 1700000000000LL, now;
	struct store s;
	size_t bytes = 0, doc_bytes = 0, nruns = 0, kept = 0;
	int i, rc = 1;

	if (n <= 0 || mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, AB_HISTORY_FILE);
	t0 = now_s();
	if (write_history(path, n, start, &bytes) == -1) {
		perror(path);
		goto out;
	}
	printf("wrote %ld runs, %zu bytes (%.0f bytes/line) in %.2f s\n", n,
	    bytes, (double)bytes / (double)n, now_s() - t0);
	now = start + n * 20000 + 60000;

	for (i = 0; i < REPEAT; i++) {
		if (i == 0)
			rss0 = vmrss_kb();
		store_init(&s);
		t0 = now_s();
		if (store_open(&s, dir, now, 0, 0, NULL, err, sizeof(err)) ==
		    -1) {
			fprintf(stderr, "store_open: %s\n", err);
			goto out;
		}
		t_open[i] = now_s() - t0;
		if (i == 0) {
			rss1 = vmrss_kb();
			nruns = s.nruns;
		}
		if (s.nruns != (size_t)n || s.skipped != 0) {
			fprintf(stderr, "loaded %zu of %ld, %zu skipped\n",
			    s.nruns, n, s.skipped);
			goto out;
		}
		if (i == REPEAT - 1) {
			int j;

			for (j = 0; j < REPEAT; j++) {
				t0 = now_s();
				doc_bytes = newest_runs(&s, variants[1], 1000);
				t_api[j] = now_s() - t0;
			}
			/* retention that drops the oldest 1%: a real rewrite */
			s.retention_ms = now - (start + n / 100 * 20000 + 1000);
			t0 = now_s();
			if (store_compact(&s, now) == -1) {
				fprintf(stderr, "store_compact: %s\n",
				    s.persist_err);
				goto out;
			}
			t_compact = now_s() - t0;
			kept = s.nruns;
		}
		store_free(&s);
	}
	med = median(t_open, REPEAT); /* sorts */
	printf("store_open: median %.3f s of %d (min %.3f, max %.3f)\n", med,
	    REPEAT, t_open[0], t_open[REPEAT - 1]);
	printf("VmRSS: %ld kB before, %ld kB after loading %zu runs: +%ld kB "
	       "(%.0f bytes/run)\n",
	    rss0, rss1, nruns, rss1 - rss0,
	    (double)(rss1 - rss0) * 1024.0 / (double)nruns);
	printf("newest 1000 runs of %s as JSON (%zu bytes): median %.1f ms "
	       "of %d\n",
	    variants[1], doc_bytes, median(t_api, REPEAT) * 1000.0, REPEAT);
	printf("store_compact dropping 1%%, rewriting %zu runs: %.2f s\n", kept,
	    t_compact);
	rc = 0;
out:
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s.tmp", dir, AB_HISTORY_FILE);
	unlink(path);
	rmdir(dir);
	return rc;
}
