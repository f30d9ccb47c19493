/* SPDX-License-Identifier: MIT */
/*
 * allocbenchd: command line, signals and wiring. `--once` measures every
 * variant, prints the table (or the summary document with --json) and
 * exits 0 when the baseline produced verified runs, 1 otherwise, 2 on a
 * usage error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "host.h"
#include "log.h"
#include "num.h"
#include "render.h"
#include "rounds.h"
#include "store.h"
#include "xmalloc.h"

#define AB_EXIT_USAGE 2

struct options {
	int once;
	int json;
	int verbose;
	long runs;
	long warmup;
	long iterations;
	double timeout_s;
	const char *workload;
};

static volatile sig_atomic_t cancelled;

static void
on_signal(int sig)
{
	(void)sig;
	cancelled = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: allocbenchd --once [--runs N] [--warmup W] [--iterations N]\n"
	    "                   [--interpreter NAME[=PATH][,ENV=VAL...]]...\n"
	    "                   [--allocator NAME=PATH]... [--timeout SECONDS]\n"
	    "                   [--workload PATH] [--json] [--verbose]\n"
	    "       allocbenchd --version | --help\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("allocbenchd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(AB_EXIT_USAGE);
}

static long
opt_long(const char *name, const char *arg, long min, long max)
{
	char err[128];
	long v;

	if (num_parse_long(arg, min, max, &v, err, sizeof(err)) == -1)
		usage_error("--%s: %s", name, err);
	return v;
}

/*
 * The workload to run: the one given, else the source tree's when this is
 * the uninstalled build-tree binary, else the installed one.
 */
static const char *
find_workload(const char *given)
{
	static char self[4096];
	ssize_t n;

	if (given != NULL)
		return given;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if (strcmp(self, AB_BUILD_BINARY) == 0)
			return AB_SOURCE_DIR "/src/workloads/churn.py";
	}
	return AB_PKGDATADIR "/churn.py";
}

static void
fmt_elapsed(double s, char *buf, size_t len)
{
	long t = (long)s;

	snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* Progress on a terminal: one line rewritten in place. */
static void
progress_tty(void *arg, const struct rounds_progress *p)
{
	char el[32];

	(void)arg;
	fmt_elapsed(p->elapsed_s, el, sizeof(el));
	if (p->result == NULL)
		fprintf(stderr, "\r\033[K[%zu/%zu] %s%s  elapsed %s", p->index,
		    p->total, p->variant, p->warmup ? " (warm-up)" : "", el);
	else
		fprintf(stderr, "\r\033[K[%zu/%zu] %s%s  %.3f s %s  elapsed %s",
		    p->index, p->total, p->variant,
		    p->warmup ? " (warm-up)" : "", p->result->wall_s,
		    run_status_name(p->result->status), el);
	if (p->result != NULL && p->index == p->total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Progress under --verbose when stderr is not a terminal: a log line. */
static void
progress_log(void *arg, const struct rounds_progress *p)
{
	(void)arg;
	if (p->result != NULL)
		log_debug("run %zu/%zu %s%s: %s, %.3f s", p->index, p->total,
		    p->variant, p->warmup ? " (warm-up)" : "",
		    run_status_name(p->result->status), p->result->wall_s);
}

/* 0 when every interpreter's baseline has at least one verified run. */
static int
baseline_verified(const cJSON *doc)
{
	const cJSON *v, *runs;
	int seen = 0;

	cJSON_ArrayForEach(v,
	    cJSON_GetObjectItemCaseSensitive(doc, "variants")) {
		const cJSON *al =
		    cJSON_GetObjectItemCaseSensitive(v, "allocator");

		if (!cJSON_IsString(al) || strcmp(al->valuestring, AB_BASELINE))
			continue;
		seen++;
		runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
		if (cJSON_GetObjectItemCaseSensitive(runs, "ok")->valuedouble <
		    1)
			return -1;
	}
	return seen > 0 ? 0 : -1;
}

static int
run_once(struct catalog *cat, const struct options *o)
{
	struct rounds_opts ro = {
	    .runs = o->runs,
	    .warmup = o->warmup,
	    .iterations = o->iterations,
	    .timeout_s = o->timeout_s,
	    .workload = o->workload,
	    .cancel = &cancelled,
	};
	struct host_info host;
	struct store st;
	struct timespec now;
	char err[256];
	cJSON *doc;
	char *text;
	int rc, status;

	if (access(o->workload, R_OK) == -1) {
		log_err("workload %s: %s", o->workload, strerror(errno));
		return 1;
	}
	if (isatty(STDERR_FILENO))
		ro.progress = progress_tty;
	else if (o->verbose)
		ro.progress = progress_log;
	store_init(&st);
	host_read(&host, NULL);

	rc = rounds_run(cat, &ro, &st, err, sizeof(err));
	if (rc == -1)
		log_err("measurement stopped: %s", err);

	clock_gettime(CLOCK_REALTIME, &now);
	doc = render_summary(cat, &st, &host, 0, o->iterations, 0,
	    (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	if (o->json) {
		text = cJSON_Print(doc);
		puts(text);
		cJSON_free(text);
	} else
		render_table(stdout, doc);
	status = (rc == 0 && baseline_verified(doc) == 0) ? 0 : 1;
	if (rc == 0 && status != 0)
		log_err("the baseline produced no verified run");
	cJSON_Delete(doc);
	store_free(&st);
	if (fflush(stdout) == EOF) {
		log_err("stdout: %s", strerror(errno));
		status = 1;
	}
	return status;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"once", no_argument, NULL, 'o'},
	    {"runs", required_argument, NULL, 'n'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"iterations", required_argument, NULL, 'i'},
	    {"interpreter", required_argument, NULL, 'I'},
	    {"allocator", required_argument, NULL, 'A'},
	    {"timeout", required_argument, NULL, 't'},
	    {"workload", required_argument, NULL, 'W'},
	    {"json", no_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct options o = {
	    .runs = 10,
	    .warmup = 1,
	    .iterations = 2000000,
	    .timeout_s = 600,
	};
	struct sigaction sa;
	struct catalog cat;
	char err[256];
	int ch, rc;

	catalog_init(&cat);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o.once = 1;
			break;
		case 'n':
			o.runs = opt_long("runs", optarg, 1, 100000);
			break;
		case 'w':
			o.warmup = opt_long("warmup", optarg, 0, 1000);
			break;
		case 'i':
			o.iterations =
			    opt_long("iterations", optarg, 1, 1000000000);
			break;
		case 'I':
			if (catalog_add_interpreter(&cat, optarg, err,
			        sizeof(err)) == -1)
				usage_error("--interpreter: %s", err);
			break;
		case 'A':
			if (catalog_add_allocator(&cat, optarg, err,
			        sizeof(err)) == -1)
				usage_error("--allocator: %s", err);
			break;
		case 't':
			if (num_parse_double(optarg, 0.001, 86400, &o.timeout_s,
			        err, sizeof(err)) == -1)
				usage_error("--timeout: %s", err);
			break;
		case 'W':
			o.workload = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'V':
			printf("allocbenchd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			usage_error("%s needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o.once)
		usage_error("only --once is available in this version");
	log_init(o.verbose);
	o.workload = find_workload(o.workload);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	catalog_resolve(&cat, NULL, NULL);
	rc = run_once(&cat, &o);
	catalog_free(&cat);
	return rc;
}
