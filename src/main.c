/* SPDX-License-Identifier: MIT */
/*
 * allocbenchd: command line, signals and wiring. Without --once it runs the
 * daemon in the foreground (scheduler.c) with the configuration file
 * overridden by command-line flags. `--once` measures every variant, prints
 * the table (or the summary document with --json) and exits 0 when the
 * baseline produced verified runs, 1 otherwise. Usage errors exit 2, a bad
 * configuration 78 (EX_CONFIG).
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
#include "conf.h"
#include "host.h"
#include "hostmon.h"
#include "log.h"
#include "num.h"
#include "render.h"
#include "rounds.h"
#include "scheduler.h"
#include "store.h"
#include "xmalloc.h"

#define AB_EXIT_USAGE    2
#define AB_CONFIG_FILE   AB_SYSCONFDIR "/allocbench/allocbenchd.conf"
#define AB_MAX_OVERRIDES 32

struct override {
	const char *section;
	const char *key;
	const char *value;
	const char *option;
};

struct options {
	int once;
	int json;
	int verbose;
	int check_config;
	long runs;
	const char *config;
	int config_given;
	const char *workload;
	struct override ov[AB_MAX_OVERRIDES];
	size_t nov;
	const char **interps;
	size_t ninterps;
	const char **allocs;
	size_t nallocs;
};

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		scheduler_reload = 1;
	else
		scheduler_stop = 1;
	scheduler_wake();
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: allocbenchd [--config FILE] [--listen ADDR:PORT] "
	    "[--state-dir DIR]\n"
	    "                   [--www-dir DIR] [--interval SECONDS] "
	    "[--window N]\n"
	    "                   [--iterations N] [--warmup W] "
	    "[--timeout SECONDS]\n"
	    "                   [--interpreter NAME[=PATH][,ENV=VAL...]]...\n"
	    "                   [--allocator NAME=PATH]... [--verbose]\n"
	    "       allocbenchd --once [--runs N] [--json] [options above]\n"
	    "       allocbenchd --check-config [--config FILE]\n"
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

/* 1 when this is the build tree's binary, which uses the source tree. */
static int
uninstalled(void)
{
	char self[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 0;
	self[n] = '\0';
	return strcmp(self, AB_BUILD_BINARY) == 0;
}

/*
 * The workload to run: the one given, else the source tree's when this is
 * the uninstalled build-tree binary, else the installed one.
 */
static const char *
find_workload(const char *given)
{
	if (given != NULL)
		return given;
	return uninstalled() ? AB_SOURCE_DIR "/src/workloads/churn.py"
	                     : AB_PKGDATADIR "/churn.py";
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
run_once(struct catalog *cat, const struct options *o, const struct conf *c)
{
	struct rounds_opts ro = {
	    .runs = o->runs,
	    .warmup = c->warmup,
	    .iterations = c->iterations,
	    .timeout_s = c->timeout_s,
	    .workload = o->workload,
	    .cancel = &scheduler_stop,
	    .host_root = c->host_root,
	    .vcgencmd = hostmon_vcgencmd(),
	    .max_load = 0,
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
	host_read(&host, c->host_root);

	rc = rounds_run(cat, &ro, &st, err, sizeof(err));
	if (rc == -1)
		log_err("measurement stopped: %s", err);

	clock_gettime(CLOCK_REALTIME, &now);
	doc = render_summary(cat, &st, &host, 0, c->iterations,
	    c->include_flagged,
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

/* Remembers a flag that overrides a configuration key; exits 2 if bad. */
static void
add_override(struct options *o, const char *option, const char *section,
    const char *key, const char *value)
{
	struct conf scratch;
	char err[256];
	const char *msg = err;
	size_t klen = strlen(key);

	conf_defaults(&scratch);
	if (conf_set(&scratch, section, key, value, err, sizeof(err)) == -1) {
		conf_free(&scratch);
		if (strncmp(err, key, klen) == 0 &&
		    strncmp(err + klen, ": ", 2) == 0)
			msg = err + klen + 2;
		usage_error("--%s: %s", option, msg);
	}
	conf_free(&scratch);
	if (o->nov == AB_MAX_OVERRIDES)
		usage_error("too many options");
	o->ov[o->nov++] = (struct override){section, key, value, option};
}

static void
replace_list(char ***list, size_t *n, const char **from, size_t nfrom)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*list)[i]);
	free(*list);
	*list = xcalloc(nfrom ? nfrom : 1, sizeof(**list));
	for (i = 0; i < nfrom; i++)
		(*list)[i] = xstrdup(from[i]);
	*n = nfrom;
}

/*
 * Builds the configuration: defaults, then the file (when it exists or was
 * named), then the command-line flags. Returns 0, or -1 with err set.
 */
static int
build_conf(const struct options *o, int read_file, struct conf *c, char *err,
    size_t errlen)
{
	size_t i;

	conf_defaults(c);
	if (read_file && (o->config_given || access(o->config, F_OK) == 0) &&
	    conf_load(c, o->config, err, errlen) == -1)
		return -1;
	if (read_file &&
	    conf_load_credentials(c, getenv("CREDENTIALS_DIRECTORY"), err,
	        errlen) == -1)
		return -1;
	for (i = 0; i < o->nov; i++)
		if (conf_set(c, o->ov[i].section, o->ov[i].key, o->ov[i].value,
		        err, errlen) == -1)
			return -1;
	if (o->ninterps > 0)
		replace_list(&c->interpreters, &c->ninterpreters, o->interps,
		    o->ninterps);
	if (o->nallocs > 0)
		replace_list(&c->allocators, &c->nallocators, o->allocs,
		    o->nallocs);
	if (c->www_dir == NULL)
		c->www_dir = xstrdup(uninstalled() ? AB_SOURCE_DIR "/www"
		                                   : AB_PKGDATADIR "/www");
	return 0;
}

static int
reload_conf(void *arg, struct conf *out, char *err, size_t errlen)
{
	conf_free(out);
	return build_conf(arg, 1, out, err, errlen);
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static const char **
push(const char **list, size_t *n, const char *item)
{
	list = xreallocarray(list, *n + 1, sizeof(*list));
	list[(*n)++] = item;
	return list;
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
	    {"config", required_argument, NULL, 'c'},
	    {"listen", required_argument, NULL, 'l'},
	    {"state-dir", required_argument, NULL, 's'},
	    {"www-dir", required_argument, NULL, 'd'},
	    {"interval", required_argument, NULL, 'T'},
	    {"window", required_argument, NULL, 'N'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct options o = {
	    .runs = 10,
	    .config = AB_CONFIG_FILE,
	};
	struct scheduler_opts so;
	struct catalog cat;
	struct conf conf;
	char err[512];
	int ch, rc;

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
			add_override(&o, "warmup", "workload", "warmup",
			    optarg);
			break;
		case 'i':
			add_override(&o, "iterations", "workload", "iterations",
			    optarg);
			break;
		case 't':
			add_override(&o, "timeout", "workload", "timeout",
			    optarg);
			break;
		case 'I':
			catalog_init(&cat);
			if (catalog_add_interpreter(&cat, optarg, err,
			        sizeof(err)) == -1)
				usage_error("--interpreter: %s", err);
			catalog_free(&cat);
			o.interps = push(o.interps, &o.ninterps, optarg);
			break;
		case 'A':
			catalog_init(&cat);
			if (catalog_add_allocator(&cat, optarg, err,
			        sizeof(err)) == -1)
				usage_error("--allocator: %s", err);
			catalog_free(&cat);
			o.allocs = push(o.allocs, &o.nallocs, optarg);
			break;
		case 'W':
			o.workload = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'c':
			o.config = optarg;
			o.config_given = 1;
			break;
		case 'l':
			add_override(&o, "listen", "daemon", "listen", optarg);
			break;
		case 's':
			add_override(&o, "state-dir", "daemon", "state_dir",
			    optarg);
			break;
		case 'd':
			add_override(&o, "www-dir", "daemon", "www_dir",
			    optarg);
			break;
		case 'T':
			add_override(&o, "interval", "daemon", "interval",
			    optarg);
			break;
		case 'N':
			add_override(&o, "window", "daemon", "window", optarg);
			break;
		case 'C':
			o.check_config = 1;
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
	if (o.once && o.check_config)
		usage_error("--once and --check-config exclude each other");
	log_init(o.verbose);
	o.workload = find_workload(o.workload);

	/* --once reads a configuration file only when one is named */
	if (build_conf(&o, !o.once || o.config_given, &conf, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, "allocbenchd: %s\n", err);
		conf_free(&conf);
		rc = AB_EX_CONFIG;
		goto out;
	}
	if (o.check_config) {
		printf("%s: ok\n",
		    access(o.config, F_OK) == 0 ? o.config : "defaults");
		conf_free(&conf);
		rc = 0;
		goto out;
	}
	install_signals();

	if (o.once) {
		size_t i;

		catalog_init(&cat);
		for (i = 0; i < conf.nallocators; i++)
			catalog_add_allocator(&cat, conf.allocators[i], err,
			    sizeof(err));
		for (i = 0; i < conf.ninterpreters; i++)
			catalog_add_interpreter(&cat, conf.interpreters[i], err,
			    sizeof(err));
		catalog_resolve(&cat, NULL, NULL);
		rc = run_once(&cat, &o, &conf);
		catalog_free(&cat);
		conf_free(&conf);
		goto out;
	}

	if (access(o.workload, R_OK) == -1)
		log_warn("workload %s: %s; every run will fail", o.workload,
		    strerror(errno));
	so = (struct scheduler_opts){
	    .workload = o.workload,
	    .vendor_dir = AB_CHARTJS_DIR[0] != '\0' ? AB_CHARTJS_DIR : NULL,
	    .reload = reload_conf,
	    .reload_arg = &o,
	};
	rc = scheduler_run(&conf, &so);
out:
	free(o.interps);
	free(o.allocs);
	return rc;
}
