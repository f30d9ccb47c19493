/* SPDX-License-Identifier: MIT */
/*
 * allocbenchd: the command line, signals and wiring. The options are one
 * table: each names the configuration key it overrides or the mode it
 * belongs to, and --help is printed from it. Without a mode the daemon runs
 * in the foreground (scheduler.c); --once measures once (once.c);
 * --check-config only checks the file. Usage errors exit 2 with one line
 * on stderr, a bad configuration 78 (EX_CONFIG).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "conf.h"
#include "log.h"
#include "num.h"
#include "once.h"
#include "scheduler.h"
#include "stats.h"
#include "xmalloc.h"

#define AB_EXIT_USAGE    2
#define AB_CONFIG_FILE   AB_SYSCONFDIR "/allocbench/allocbenchd.conf"
#define AB_MAX_OVERRIDES 32

enum opt_id {
	OPT_CONFIG = 256,
	OPT_OVERRIDE,
	OPT_INTERPRETER,
	OPT_ALLOCATOR,
	OPT_WORKLOAD,
	OPT_ONCE,
	OPT_RUNS,
	OPT_MAX_RUNS,
	OPT_MAX_TIME,
	OPT_JSON,
	OPT_CHECK_CONFIG,
	OPT_VERBOSE,
	OPT_VERSION = 'V',
	OPT_HELP = 'h',
};

/* Which invocation an option belongs to. */
enum opt_mode {
	MODE_ANY,  /* the daemon and --once */
	MODE_ONCE, /* only with --once */
};

/*
 * Every option. An OPT_OVERRIDE sets the configuration key section/key, as
 * the file would, after the file is read.
 */
static const struct opt_def {
	const char *name;
	int id;
	const char *arg; /* NULL: takes no value */
	enum opt_mode mode;
	const char *section; /* OPT_OVERRIDE only */
	const char *key;
	const char *help;
} opt_defs[] = {
    {"config", OPT_CONFIG, "FILE", MODE_ANY, NULL, NULL,
        "configuration file (default " AB_CONFIG_FILE ")"},
    {"listen", OPT_OVERRIDE, "ADDR:PORT", MODE_ANY, "daemon", "listen",
        "HTTP address (default 127.0.0.1:8080)"},
    {"state-dir", OPT_OVERRIDE, "DIR", MODE_ANY, "daemon", "state_dir",
        "history directory (default $STATE_DIRECTORY or "
        "/var/lib/allocbench)"},
    {"www-dir", OPT_OVERRIDE, "DIR", MODE_ANY, "daemon", "www_dir",
        "dashboard directory"},
    {"interval", OPT_OVERRIDE, "SECONDS", MODE_ANY, "daemon", "interval",
        "seconds between round starts (default 600)"},
    {"window", OPT_OVERRIDE, "N", MODE_ANY, "daemon", "window",
        "newest verified runs per variant in the statistics (default 30)"},
    {"iterations", OPT_OVERRIDE, "N", MODE_ANY, "workload", "iterations",
        "items the workload churns (default 2000000)"},
    {"warmup", OPT_OVERRIDE, "W", MODE_ANY, "workload", "warmup",
        "discarded warm-up rounds (default 1)"},
    {"timeout", OPT_OVERRIDE, "SECONDS", MODE_ANY, "workload", "timeout",
        "kill a run after this long (default 600)"},
    {"max-runq", OPT_OVERRIDE, "FRACTION", MODE_ANY, "daemon", "max_runq",
        "flag runs that waited for the CPU longer (default 0.10; 0: never)"},
    {"margin", OPT_OVERRIDE, "FRACTION", MODE_ANY, "daemon", "margin",
        "equivalence margin of the verdicts (default 0.02)"},
    {"workload", OPT_WORKLOAD, "PATH", MODE_ANY, NULL, NULL,
        "the churn workload (default: the installed churn.py)"},
    {"interpreter", OPT_INTERPRETER, "NAME[=PATH][,ENV=VAL...]", MODE_ANY, NULL,
        NULL, "measure this interpreter (repeatable)"},
    {"allocator", OPT_ALLOCATOR, "NAME=PATH", MODE_ANY, NULL, NULL,
        "add or replace an allocator library (repeatable)"},
    {"verbose", OPT_VERBOSE, NULL, MODE_ANY, NULL, NULL, "log debug messages"},
    {"once", OPT_ONCE, NULL, MODE_ANY, NULL, NULL,
        "measure once, print the table and exit"},
    {"runs", OPT_RUNS, "N", MODE_ONCE, NULL, NULL,
        "exactly N measured rounds (default: until decided)"},
    {"max-runs", OPT_MAX_RUNS, "N", MODE_ONCE, NULL, NULL,
        "at most N rounds until every comparison is decided (default 30)"},
    {"max-time", OPT_MAX_TIME, "SECONDS", MODE_ONCE, NULL, NULL,
        "stop deciding after this long (default: no limit)"},
    {"json", OPT_JSON, NULL, MODE_ONCE, NULL, NULL,
        "print the summary document instead of the table"},
    {"check-config", OPT_CHECK_CONFIG, NULL, MODE_ANY, NULL, NULL,
        "check the configuration file and exit"},
    {"version", OPT_VERSION, NULL, MODE_ANY, NULL, NULL,
        "print the version and exit"},
    {"help", OPT_HELP, NULL, MODE_ANY, NULL, NULL, "print this help and exit"},
};

#define NOPTS (sizeof(opt_defs) / sizeof(opt_defs[0]))

struct override {
	const struct opt_def *def;
	const char *value;
};

struct options {
	int once;
	int json;
	int verbose;
	int check_config;
	long runs;
	long max_runs;
	double max_time;
	const char *config;
	int config_given;
	const char *workload;
	const struct opt_def *once_only; /* a --once option that was given */
	struct override ov[AB_MAX_OVERRIDES];
	size_t nov;
	const char **interps;
	size_t ninterps;
	const char **allocs;
	size_t nallocs;
};

static volatile sig_atomic_t once_cancel;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		scheduler_reload = 1;
	else {
		scheduler_stop = 1;
		once_cancel = 1;
	}
	scheduler_wake();
}

static void
usage(FILE *fp)
{
	size_t i;
	int n;

	fprintf(fp,
	    "usage: allocbenchd [options]            run the daemon\n"
	    "       allocbenchd --once [options]     measure once\n"
	    "       allocbenchd --check-config [--config FILE]\n"
	    "options:\n");
	for (i = 0; i < NOPTS; i++) {
		const struct opt_def *d = &opt_defs[i];

		n = fprintf(fp, "  %s%c%s--%s%s%s", d->id < 256 ? "-" : "",
		    d->id < 256 ? d->id : ' ', d->id < 256 ? ", " : "   ",
		    d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(fp, "%*s%s%s\n", n < 34 ? 34 - n : 1, "", d->help,
		    d->mode == MODE_ONCE ? " [--once]" : "");
	}
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

/* Checks an override against a scratch configuration; exits 2 if bad. */
static void
add_override(struct options *o, const struct opt_def *d, const char *value)
{
	struct conf scratch;
	char err[256];
	const char *msg = err;
	size_t klen = strlen(d->key);

	conf_defaults(&scratch);
	if (conf_set(&scratch, d->section, d->key, value, err, sizeof(err)) ==
	    -1) {
		conf_free(&scratch);
		if (strncmp(err, d->key, klen) == 0 &&
		    strncmp(err + klen, ": ", 2) == 0)
			msg = err + klen + 2;
		usage_error("--%s: %s", d->name, msg);
	}
	conf_free(&scratch);
	if (o->nov == AB_MAX_OVERRIDES)
		usage_error("too many options");
	o->ov[o->nov++] = (struct override){d, value};
}

/* Checks one --interpreter or --allocator spec; exits 2 if bad. */
static const char **
add_spec(const struct opt_def *d, const char **list, size_t *n,
    const char *spec)
{
	struct catalog cat;
	char err[256];
	int rc;

	catalog_init(&cat);
	rc = d->id == OPT_INTERPRETER
	    ? catalog_add_interpreter(&cat, spec, err, sizeof(err))
	    : catalog_add_allocator(&cat, spec, err, sizeof(err));
	catalog_free(&cat);
	if (rc == -1)
		usage_error("--%s: %s", d->name, err);
	list = xreallocarray(list, *n + 1, sizeof(*list));
	list[(*n)++] = spec;
	return list;
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
		if (conf_set(c, o->ov[i].def->section, o->ov[i].def->key,
		        o->ov[i].value, err, errlen) == -1)
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

/* Applies one parsed option to o; exits for --help, --version and errors. */
static void
apply_option(struct options *o, const struct opt_def *d, const char *arg)
{
	char err[128];

	if (d->mode == MODE_ONCE)
		o->once_only = d;
	switch (d->id) {
	case OPT_CONFIG:
		o->config = arg;
		o->config_given = 1;
		break;
	case OPT_OVERRIDE:
		add_override(o, d, arg);
		break;
	case OPT_INTERPRETER:
		o->interps = add_spec(d, o->interps, &o->ninterps, arg);
		break;
	case OPT_ALLOCATOR:
		o->allocs = add_spec(d, o->allocs, &o->nallocs, arg);
		break;
	case OPT_WORKLOAD:
		o->workload = arg;
		break;
	case OPT_ONCE:
		o->once = 1;
		break;
	case OPT_RUNS:
		if (num_parse_long(arg, 1, 100000, &o->runs, err,
		        sizeof(err)) == -1)
			usage_error("--%s: %s", d->name, err);
		break;
	case OPT_MAX_RUNS:
		/* the per-look levels are calibrated up to AB_LOOKS_MAX */
		if (num_parse_long(arg, AB_MIN_PAIRS, AB_LOOKS_MAX,
		        &o->max_runs, err, sizeof(err)) == -1)
			usage_error("--%s: %s", d->name, err);
		break;
	case OPT_MAX_TIME:
		if (num_parse_double(arg, 1, 7 * 86400.0, &o->max_time, err,
		        sizeof(err)) == -1)
			usage_error("--%s: %s", d->name, err);
		break;
	case OPT_JSON:
		o->json = 1;
		break;
	case OPT_CHECK_CONFIG:
		o->check_config = 1;
		break;
	case OPT_VERBOSE:
		o->verbose = 1;
		break;
	case OPT_VERSION:
		printf("allocbenchd %s\n", PACKAGE_VERSION);
		exit(0);
	case OPT_HELP:
		usage(stdout);
		exit(0);
	}
}

/* Parses argv into o; every mistake is a usage error (exit 2). */
static void
parse_args(int argc, char *argv[], struct options *o)
{
	struct option longopts[NOPTS + 1];
	size_t i;
	int ch, idx;

	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < NOPTS; i++)
		longopts[i] = (struct option){opt_defs[i].name,
		    opt_defs[i].arg ? required_argument : no_argument, NULL,
		    (int)i + 1000};
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hV", longopts, &idx)) != -1) {
		if (ch == 'h' || ch == 'V') {
			for (i = 0; opt_defs[i].id != ch; i++)
				;
			apply_option(o, &opt_defs[i], NULL);
		} else if (ch >= 1000 && ch < 1000 + (int)NOPTS)
			apply_option(o, &opt_defs[ch - 1000], optarg);
		else if (ch == ':')
			usage_error("%s needs a value", argv[optind - 1]);
		else
			usage_error("unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->once && o->check_config)
		usage_error("--once and --check-config exclude each other");
	if (!o->once && o->once_only != NULL)
		usage_error("--%s only applies with --once",
		    o->once_only->name);
}

int
main(int argc, char *argv[])
{
	struct options o = {
	    .max_runs = AB_LOOKS_DEFAULT,
	    .config = AB_CONFIG_FILE,
	};
	struct scheduler_opts so;
	struct once_opts oo;
	struct conf conf;
	char err[512];
	int rc;

	parse_args(argc, argv, &o);
	log_init(o.verbose);
	o.workload = find_workload(o.workload);

	/* --once reads a configuration file only when one is named */
	if (build_conf(&o, !o.once || o.config_given, &conf, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, "allocbenchd: %s\n", err);
		rc = AB_EX_CONFIG;
	} else if (o.check_config) {
		printf("%s: ok\n",
		    access(o.config, F_OK) == 0 ? o.config : "defaults");
		rc = 0;
	} else if (o.once) {
		install_signals();
		oo = (struct once_opts){
		    .runs = o.runs,
		    .max_runs = o.max_runs,
		    .max_time = o.max_time,
		    .json = o.json,
		    .verbose = o.verbose,
		    .workload = o.workload,
		    .cancel = &once_cancel,
		};
		rc = once_run(&conf, &oo);
	} else {
		install_signals();
		if (access(o.workload, R_OK) == -1)
			log_warn("workload %s: %s; every run will fail",
			    o.workload, strerror(errno));
		so = (struct scheduler_opts){
		    .workload = o.workload,
		    .vendor_dir =
		        AB_CHARTJS_DIR[0] != '\0' ? AB_CHARTJS_DIR : NULL,
		    .reload = reload_conf,
		    .reload_arg = &o,
		};
		rc = scheduler_run(&conf, &so);
	}
	conf_free(&conf);
	free(o.interps);
	free(o.allocs);
	return rc;
}
