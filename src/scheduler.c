/* SPDX-License-Identifier: MIT */
/*
 * The daemon's main loop. It owns the configuration, the catalogue, the
 * store and the shared state; the HTTP thread only reads them under the
 * state lock. A round runs at start and then every interval (measured from
 * the start of the previous round), or at once when POST /api/v1/rounds
 * asks. Each run is appended to the history and fsynced, under the state
 * lock, before the state is republished, so anything the API has shown is
 * already on disk. The statistics are then rendered outside the lock. SIGHUP
 * reloads the configuration between runs; a bad file keeps the old one.
 * SIGTERM and SIGINT cancel the running child (the runner kills its process
 * group), and the loop stops the server and returns.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "catalog.h"
#include "host.h"
#include "hostmon.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "rounds.h"
#include "scheduler.h"
#include "state.h"
#include "stats.h"
#include "store.h"
#include "timefmt.h"
#include "xmalloc.h"

#define AB_DEFAULT_STATE_DIR "/var/lib/allocbench"
#define AB_RETRY_MS          30000 /* retry a failed disk this often */
#define AB_COMPACT_MS        (24 * 3600 * 1000LL) /* compact the history daily */
#define AB_MAX_SLEEP_MS      60000
#define AB_LOCK_WAIT_MS      2000 /* for a predecessor's lock to go */

volatile sig_atomic_t scheduler_stop;
volatile sig_atomic_t scheduler_reload;

static int wake_pipe[2] = {-1, -1};

struct sched {
	struct conf conf;
	struct catalog catalog;
	struct store store;
	struct state state;
	struct http *http;
	const struct scheduler_opts *o;
	const char *vcgencmd;
	int64_t last_compact_ms;
	int64_t last_retry_ms;
	int persist_logged; /* persist_ok as last logged */
	int64_t next_round; /* id of the next measured round */
	size_t round_runs;  /* runs recorded in the current round */
	size_t
	    round_flagged[RUN_NFLAGS]; /* verified runs per flag, this round */
	double runq_lo, runq_hi; /* contended runs' delay/wall, this round */
};

void
scheduler_wake(void)
{
	int saved = errno;

	if (wake_pipe[1] != -1 && write(wake_pipe[1], "w", 1) == -1) {
		/* the pipe is full: the loop is awake anyway */
	}
	errno = saved;
}

static void
drain_wake(void)
{
	char buf[64];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* $STATE_DIRECTORY from systemd (first of a colon list), else the default. */
static char *
state_dir_of(const struct conf *c)
{
	const char *env = getenv("STATE_DIRECTORY");

	if (c->state_dir != NULL)
		return xstrdup(c->state_dir);
	if (env != NULL && *env != '\0')
		return xstrndup(env, strcspn(env, ":"));
	return xstrdup(AB_DEFAULT_STATE_DIR);
}

/* Builds the catalogue for c and logs what is unavailable and why. */
static void
build_catalog(struct catalog *cat, const struct conf *c)
{
	char err[256];
	size_t i;

	if (catalog_from_conf(cat, c, err, sizeof(err)) == -1)
		log_err("%s", err);
	for (i = 0; i < cat->nvariants; i++)
		if (!cat->variants[i].available)
			log_warn("%s unavailable: %s", cat->variants[i].id,
			    cat->variants[i].reason);
}

/* Logs the history's health once per change. Lock held. */
static void
check_persist(struct sched *s)
{
	if (s->store.persist_ok == s->persist_logged)
		return;
	if (s->store.persist_ok)
		log_info("history: writing to %s/%s again", s->store.dir,
		    AB_HISTORY_FILE);
	else
		log_err("history: %s; results are kept in memory until the "
		        "disk recovers",
		    s->store.persist_err);
	s->persist_logged = s->store.persist_ok;
}

static void
history_warn(const char *msg)
{
	log_warn("%s", msg);
}

/* Copies the settings the state publishes with. Lock held. */
static void
state_settings(struct sched *s)
{
	s->state.catalog = &s->catalog;
	s->state.interval_s = (double)s->conf.interval_s;
	s->state.ropts = (struct render_opts){
	    .window = (size_t)s->conf.window,
	    .iterations = s->conf.iterations,
	    .include_flagged = s->conf.include_flagged,
	    .margin = s->conf.margin,
	    /* the daemon looks after every round at a sliding window */
	    .looks =
	        s->conf.window >= AB_MIN_PAIRS ? (size_t)s->conf.window : 0,
	};
}

/*
 * The median wall time of the variant's newest `window` clean verified
 * runs of its current environment, or NAN when it has none: what the hang
 * limit of its next run scales with.
 */
static double
median_wall(const struct sched *s, const char *variant)
{
	struct store_filter f = {
	    .iterations = s->conf.iterations,
	    .include_flagged = 0,
	    .segment = store_segment(&s->store, variant),
	};
	const struct run **runs = NULL;
	struct stats_desc d;
	double *w, m = NAN;
	size_t n, i;

	n = store_ok_runs(&s->store, variant, &f, (size_t)s->conf.window,
	    &runs);
	if (n > 0) {
		w = xcalloc(n, sizeof(*w));
		for (i = 0; i < n; i++)
			w[i] = runs[i]->wall_s;
		if (stats_describe(w, n, &d) == 0)
			m = d.median;
		free(w);
	}
	free(runs);
	return m;
}

static void
on_tick(void *arg)
{
	(void)arg;
	notify_watchdog();
}

static void
on_progress(void *arg, const struct rounds_progress *p)
{
	struct sched *s = arg;
	double hang;

	if (p->result != NULL) {
		pthread_mutex_lock(&s->state.lock);
		s->state.run_started_ms = 0;
		pthread_mutex_unlock(&s->state.lock);
		return;
	}
	hang =
	    metrics_hang_limit(median_wall(s, p->variant), s->conf.timeout_s);
	pthread_mutex_lock(&s->state.lock);
	snprintf(s->state.current, sizeof(s->state.current), "%s", p->variant);
	s->state.run_started_ms = timefmt_now_ms();
	s->state.hang_s = hang;
	if (!p->warmup)
		s->state.runs_started++;
	pthread_mutex_unlock(&s->state.lock);
	/* so that /metrics counts the run in progress as started */
	if (!p->warmup)
		state_publish(&s->state);
	notify_status("measuring %s%s (%zu/%zu)", p->variant,
	    p->warmup ? " (warm-up)" : "", p->index, p->total);
}

/* Counts a verified run's flags for the round's log line. */
static void
note_flags(struct sched *s, const struct run *r)
{
	double f;
	size_t i;

	if (r->status != RUN_OK)
		return;
	for (i = 0; i < RUN_NFLAGS; i++)
		if (r->flags & run_flags[i].bit)
			s->round_flagged[i]++;
	if ((r->flags & RUN_FLAG_CONTENDED) && r->wall_s > 0) {
		f = r->runq_s / r->wall_s;
		s->runq_lo = f < s->runq_lo ? f : s->runq_lo;
		s->runq_hi = f > s->runq_hi ? f : s->runq_hi;
	}
}

/*
 * One line per round on what was left out and why, for example
 * "round 12: 4 runs, excluded: contended 2 (run-queue delay 7-19%)".
 */
static void
log_round(struct sched *s)
{
	struct ab_buf b = AB_BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < RUN_NFLAGS; i++) {
		if (s->round_flagged[i] == 0)
			continue;
		ab_buf_printf(&b, "%s %s %zu",
		    n++ ? "," : " excluded:", run_flags[i].name,
		    s->round_flagged[i]);
		if (run_flags[i].bit == RUN_FLAG_CONTENDED)
			ab_buf_printf(&b, " (run-queue delay %.0f-%.0f%%)",
			    s->runq_lo * 100, s->runq_hi * 100);
	}
	log_info("round %llu: %zu runs,%s", (unsigned long long)s->next_round,
	    s->round_runs, n ? b.p : " none excluded");
	ab_buf_free(&b);
}

static void
on_record(void *arg, const struct run *r)
{
	struct sched *s = arg;
	int64_t now = timefmt_now_ms();

	pthread_mutex_lock(&s->state.lock);
	store_append(&s->store, r);
	check_persist(s);
	s->state.reading = r->after;
	s->state.updated_ms = now;
	s->state.runs_finished[r->status]++;
	if (r->status == RUN_OK)
		metrics_count_flags(r->flags, s->state.runs_flagged);
	pthread_mutex_unlock(&s->state.lock);
	state_publish(&s->state);
	s->round_runs++;
	note_flags(s, r);

	if (r->status == RUN_OK)
		log_debug("%s: ok, %.3f s%s", r->variant, r->wall_s,
		    r->flags ? " (flagged, excluded)" : "");
	else
		log_warn("%s: %s: %.*s", r->variant, run_status_name(r->status),
		    r->error ? (int)strcspn(r->error, "\n") : 4,
		    r->error ? r->error : "none");
}

static void
run_round(struct sched *s)
{
	struct rounds_opts ro = {
	    .runs = 1,
	    .warmup = s->conf.warmup,
	    .iterations = s->conf.iterations,
	    .timeout_s = s->conf.timeout_s,
	    .workload = s->o->workload,
	    .cancel = &scheduler_stop,
	    .progress = on_progress,
	    .arg = s,
	    .host_root = s->conf.host_root,
	    .vcgencmd = s->vcgencmd,
	    .max_load = s->conf.max_load,
	    .max_runq = s->conf.max_runq,
	    .first_round = s->next_round,
	    .record = on_record,
	    .tick = on_tick,
	};
	char err[256];
	int64_t start = timefmt_now_ms();

	pthread_mutex_lock(&s->state.lock);
	s->state.running = 1;
	s->state.round_requested = 0;
	s->state.next_round_ms = 0;
	pthread_mutex_unlock(&s->state.lock);
	s->round_runs = 0;
	memset(s->round_flagged, 0, sizeof(s->round_flagged));
	s->runq_lo = INFINITY;
	s->runq_hi = -INFINITY;
	log_info("round %llu starting",
	    (unsigned long long)s->state.rounds_completed + 1);

	if (rounds_run(&s->catalog, &ro, NULL, err, sizeof(err)) == -1 &&
	    !scheduler_stop)
		log_err("round stopped: %s", err);

	log_round(s);
	/* a cancelled round used its id too: ids are never reused */
	s->next_round++;
	pthread_mutex_lock(&s->state.lock);
	s->state.running = 0;
	s->state.current[0] = '\0';
	s->state.run_started_ms = 0;
	if (!scheduler_stop) {
		s->state.rounds_completed++;
		s->state.last_round_ms = timefmt_now_ms();
	}
	s->state.next_round_ms = start + s->conf.interval_s * 1000;
	if (s->state.next_round_ms < timefmt_now_ms())
		s->state.next_round_ms = timefmt_now_ms();
	pthread_mutex_unlock(&s->state.lock);
	state_publish(&s->state);
	notify_status("idle; %zu runs in the last round, next round in %lld s",
	    s->round_runs,
	    (long long)(s->state.next_round_ms - timefmt_now_ms()) / 1000);
}

/* Names the settings that differ and only take effect after a restart. */
static void
warn_restart_only(const struct conf *old, const struct conf *new)
{
#define AB_DIFF_STR(f)                                                         \
	(((old->f) == NULL) != ((new->f) == NULL) ||                           \
	    ((old->f) != NULL && strcmp(old->f, new->f) != 0))
	if (AB_DIFF_STR(listen) || AB_DIFF_STR(www_dir) ||
	    AB_DIFF_STR(api_token) || AB_DIFF_STR(state_dir) ||
	    old->max_connections != new->max_connections ||
	    old->max_per_ip != new->max_per_ip ||
	    old->conn_timeout_s != new->conn_timeout_s ||
	    old->retention_days != new->retention_days ||
	    old->history_max_mb != new->history_max_mb)
		log_warn("reload: listen, www_dir, api_token, state_dir, "
		         "connection limits and history limits take effect "
		         "after a restart");
#undef AB_DIFF_STR
}

static void
reload(struct sched *s)
{
	struct conf fresh;
	struct catalog cat;
	char err[512];

	scheduler_reload = 0;
	if (s->o->reload == NULL)
		return;
	conf_defaults(&fresh);
	if (s->o->reload(s->o->reload_arg, &fresh, err, sizeof(err)) == -1) {
		log_err("reload failed, keeping the old configuration: %s",
		    err);
		conf_free(&fresh);
		return;
	}
	warn_restart_only(&s->conf, &fresh);
	build_catalog(&cat, &fresh);

	pthread_mutex_lock(&s->state.lock);
	catalog_free(&s->catalog);
	s->catalog = cat;
	/* restart-only settings keep their running values */
	free(fresh.listen);
	fresh.listen = xstrdup(s->conf.listen);
	conf_free(&s->conf);
	s->conf = fresh;
	state_settings(s);
	pthread_mutex_unlock(&s->state.lock);
	state_publish(&s->state);
	log_info("configuration reloaded: %zu variants", cat.nvariants);
	notify_status("configuration reloaded");
}

/*
 * Retries a failed disk, checks that the history's lock still holds (the
 * directory may have been deleted), and compacts daily.
 */
static void
maintain(struct sched *s, int64_t now)
{
	int changed = 0;

	pthread_mutex_lock(&s->state.lock);
	if (s->store.dir != NULL &&
	    (s->store.persist_ok || now - s->last_retry_ms >= AB_RETRY_MS)) {
		s->last_retry_ms = now;
		store_retry(&s->store);
		check_persist(s);
	}
	if (s->store.dir != NULL && s->store.persist_ok &&
	    (now - s->last_compact_ms >= AB_COMPACT_MS ||
	        (s->store.max_bytes != 0 &&
	            s->store.file_bytes > s->store.max_bytes))) {
		s->last_compact_ms = now;
		changed = store_compact(&s->store, now) == 0;
		check_persist(s);
	}
	pthread_mutex_unlock(&s->state.lock);
	if (changed)
		state_publish(&s->state);
}

static int
sleep_ms(struct sched *s, int64_t now)
{
	int64_t ms = AB_MAX_SLEEP_MS;
	uint64_t wd = notify_watchdog_usec();

	if (s->state.next_round_ms != 0 && s->state.next_round_ms - now < ms)
		ms = s->state.next_round_ms - now;
	if (!s->store.persist_ok && s->store.dir != NULL && AB_RETRY_MS < ms)
		ms = AB_RETRY_MS;
	if (wd != 0 && (int64_t)(wd / 2000) < ms)
		ms = (int64_t)(wd / 2000);
	return ms < 0 ? 0 : (int)ms;
}

static int
open_wake_pipe(void)
{
	return pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK);
}

/*
 * Locks the state directory and loads the history. Returns 0 (the history
 * may still be memory-only, which is logged), or -1 when another daemon
 * holds the directory.
 */
static int
open_history(struct sched *s, int64_t now)
{
	char err[512], *dir;
	int opened;

	dir = state_dir_of(&s->conf);
	opened = store_open(&s->store, dir, now,
	    (int64_t)s->conf.retention_days * 86400 * 1000,
	    (size_t)s->conf.history_max_mb * 1024 * 1024, history_warn, err,
	    sizeof(err));
	if (opened == -2) {
		log_err("%s is in use by another allocbenchd", dir);
		free(dir);
		return -1;
	} else if (opened == -1)
		log_err("history: %s; results are kept in memory until the "
		        "disk recovers",
		    err);
	else
		log_info(
		    "history: %zu runs loaded from %s/%s (%zu skipped, %zu "
		    "from a newer version kept aside)",
		    s->store.loaded, dir, AB_HISTORY_FILE, s->store.skipped,
		    s->store.newer);
	free(dir);
	return 0;
}

int
scheduler_run(struct conf *c, const struct scheduler_opts *o)
{
	struct sched *s;
	struct http_opts ho;
	struct pollfd pfd;
	char err[512], *www = NULL;
	int64_t now;
	int rc = 1, due;

	s = xcalloc(1, sizeof(*s));
	s->o = o;
	s->conf = *c;
	memset(c, 0, sizeof(*c));
	s->vcgencmd = hostmon_vcgencmd();
	now = timefmt_now_ms();
	state_init(&s->state, PACKAGE_VERSION, now);
	store_init(&s->store);
	s->store.lock_wait_ms = AB_LOCK_WAIT_MS;
	if (open_wake_pipe() == -1) {
		log_err("pipe: %s", strerror(errno));
		goto out;
	}
	s->state.wake_fd = wake_pipe[1];

	if (open_history(s, now) == -1)
		goto out;
	s->persist_logged = s->store.persist_ok;
	s->last_compact_ms = now;
	/* the order continues where the history left off */
	s->next_round = store_next_round(&s->store);

	build_catalog(&s->catalog, &s->conf);
	host_read(&s->state.host, s->conf.host_root);
	hostmon_read(s->conf.host_root, s->vcgencmd, &s->state.reading);
	s->state.store = &s->store;
	state_settings(s);
	s->state.next_round_ms = now;
	state_publish(&s->state);

	www = s->conf.www_dir ? xstrdup(s->conf.www_dir) : NULL;
	ho = (struct http_opts){
	    .listen = s->conf.listen,
	    .www_dir = www,
	    .vendor_dir = o->vendor_dir,
	    .api_token = s->conf.api_token,
	    .max_connections = (unsigned)s->conf.max_connections,
	    .max_per_ip = (unsigned)s->conf.max_per_ip,
	    .timeout_s = (unsigned)s->conf.conn_timeout_s,
	};
	if ((s->http = http_start(&ho, &s->state, err, sizeof(err))) == NULL) {
		log_err("http: %s", err);
		goto out;
	}
	log_info("listening on %s (port %u), dashboard from %s", ho.listen,
	    http_port(s->http), www ? www : "(none)");
	notify_ready("first round starting");

	rc = 0;
	while (!scheduler_stop) {
		if (scheduler_reload)
			reload(s);
		now = timefmt_now_ms();
		pthread_mutex_lock(&s->state.lock);
		due = s->state.round_requested ||
		    (s->state.next_round_ms != 0 &&
		        now >= s->state.next_round_ms);
		pthread_mutex_unlock(&s->state.lock);
		if (due) {
			run_round(s);
			continue;
		}
		maintain(s, now);
		notify_watchdog();
		pfd.fd = wake_pipe[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, sleep_ms(s, now)) > 0)
			drain_wake();
	}
	log_info("stopping");
	notify_stopping();
out:
	http_stop(s->http);
	pthread_mutex_lock(&s->state.lock);
	store_free(&s->store);
	pthread_mutex_unlock(&s->state.lock);
	state_free(&s->state);
	catalog_free(&s->catalog);
	conf_free(&s->conf);
	free(www);
	free(s);
	if (wake_pipe[0] != -1) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
		wake_pipe[0] = wake_pipe[1] = -1;
	}
	return rc;
}
