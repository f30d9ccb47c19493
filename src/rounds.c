/* SPDX-License-Identifier: MIT */
/*
 * The measurement protocol. A session is W warm-up rounds then N measured
 * rounds; a round runs every available variant once. Round r starts at
 * variant r mod V of the available variants and wraps around, so each
 * variant takes every position in the order equally often and slow drift
 * (thermal, background load) is spread over all of them. Warm-up runs are
 * reported to the progress callback but never stored. Host readings are
 * taken just before and just after each run, and a run during which the
 * device throttled, or that started above the load limit, is flagged. Each
 * run's environment is padded to a random length so that stack alignment
 * is not a constant bias for any variant.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Environment padding is drawn from [0, AB_ENV_PAD_MAX): every alignment
 * of the initial stack within a page (see runner_environ). */
#define AB_ENV_PAD_MAX 4096

#include "hostmon.h"
#include "rounds.h"
#include "runner.h"
#include "stats.h"
#include "timefmt.h"
#include "xmalloc.h"

static void
report(const struct rounds_opts *o, struct rounds_progress *p)
{
	if (o->progress != NULL)
		o->progress(o->arg, p);
}

int
rounds_run(const struct catalog *c, const struct rounds_opts *o,
    struct store *s, char *err, size_t errlen)
{
	const struct variant **avail = NULL;
	struct rounds_progress p = {0};
	struct run r;
	size_t navail = 0, i, k;
	long round, nrounds = o->warmup + o->runs;
	double t0 = timefmt_mono_s();
	uint64_t rng = (uint64_t)(t0 * 1e9) ^ ((uint64_t)getpid() << 32);
	int rc = -1;

	run_init(&r);
	avail = xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*avail));
	for (i = 0; i < c->nvariants; i++)
		if (c->variants[i].available)
			avail[navail++] = &c->variants[i];
	p.total = navail * (size_t)nrounds;

	for (round = 0; round < nrounds; round++) {
		for (k = 0; k < navail; k++) {
			const struct variant *v =
			    avail[((size_t)round + k) % navail];
			const struct interpreter *in = &c->interps[v->interp];
			const struct allocator *al = &c->allocs[v->alloc];
			struct runner_spec spec = {
			    .interpreter = in->path,
			    .extra_env = (const char *const *)in->env,
			    .preload = al->library,
			    .workload = o->workload,
			    .iterations = o->iterations,
			    .timeout_s = o->timeout_s,
			    .cancel = o->cancel,
			    .tick = o->tick,
			    .tick_arg = o->arg,
			    .env_pad = (size_t)(stats_splitmix64(&rng) %
			        AB_ENV_PAD_MAX),
			};
			struct host_reading before;

			if (o->cancel != NULL && *o->cancel) {
				snprintf(err, errlen, "cancelled");
				goto out;
			}
			p.index++;
			p.variant = v->id;
			p.warmup = round < o->warmup;
			p.elapsed_s = timefmt_mono_s() - t0;
			p.result = NULL;
			report(o, &p);

			hostmon_read(o->host_root, o->vcgencmd, &before);
			if (runner_run(&spec, &r, err, errlen) == -1)
				goto out;
			r.before = before;
			hostmon_read(o->host_root, o->vcgencmd, &r.after);
			r.flags =
			    hostmon_flags(&r.before, &r.after, o->max_load);
			r.variant = xstrdup(v->id);
			p.elapsed_s = timefmt_mono_s() - t0;
			p.result = &r;
			report(o, &p);
			if (o->cancel != NULL && *o->cancel) {
				snprintf(err, errlen, "cancelled");
				goto out;
			}
			if (!p.warmup && o->record != NULL)
				o->record(o->arg, &r);
			else if (!p.warmup)
				store_append(s, &r);
			run_clear(&r);
		}
	}
	rc = 0;
out:
	run_clear(&r);
	free(avail);
	return rc;
}
