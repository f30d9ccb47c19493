/* SPDX-License-Identifier: MIT */
/*
 * The measurement protocol. A session is W warm-up rounds then N measured
 * rounds; a round runs every available variant once, in the order of one
 * row of a Williams design (stats_williams), and the rows continue from
 * round to round by round id, across sessions and restarts. So every
 * variant takes every position equally often and follows every other
 * equally often: carry-over, heating and drift are spread over all of
 * them. Warm-up runs are reported to the progress callback but never
 * stored. Around each run the host is read (temperature, throttling, CPU
 * pressure); a run during which the device throttled or ran under-voltage,
 * that waited for the CPU longer than allowed, or that started above the
 * load limit, is flagged. Each verified run records the fingerprint of its
 * environment. Each run's environment is padded to a random length so that
 * stack alignment is not a constant bias for any variant.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Environment padding is drawn from [0, AB_ENV_PAD_MAX): every alignment
 * of the initial stack within a page (see runner_environ). */
#define AB_ENV_PAD_MAX 4096

#include "contention.h"
#include "fingerprint.h"
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

void
rounds_order(size_t k, int64_t round, size_t *order)
{
	size_t rows = stats_williams_rows(k);

	if (k == 0)
		return;
	stats_williams(k, (size_t)((uint64_t)round % rows), order);
}

/*
 * The fingerprint of a verified run's environment: the host's part, the
 * interpreter and libc it reported, and the identity of the library that
 * provided malloc. Leaves segment and env NULL when that cannot be read.
 */
static void
fingerprint_run(const struct fingerprint *host, const struct allocator *al,
    struct run *r)
{
	struct fingerprint fp = *host;
	char hash[AB_FP_HASH_HEX], err[256], *text;
	const char *lib = r->malloc_provider ? r->malloc_provider : al->library;
	cJSON *j;

	if (r->status != RUN_OK || lib == NULL)
		return;
	snprintf(fp.interpreter, sizeof(fp.interpreter), "%s",
	    r->python_full          ? r->python_full
	        : r->python_version ? r->python_version
	                            : "");
	snprintf(fp.libc, sizeof(fp.libc), "%s",
	    r->libc_version ? r->libc_version : "");
	if (fingerprint_set_allocator(&fp, al->name, lib, err, sizeof(err)) ==
	    -1)
		return;
	fingerprint_hash(&fp, hash);
	j = fingerprint_to_json(&fp);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (text == NULL)
		return;
	r->env = xstrdup(text);
	cJSON_free(text);
	r->segment = xstrdup(hash);
}

/* The flags of a finished run: the host's, and the CPU it waited for. */
static unsigned
flags_of(const struct rounds_opts *o, const struct run *r)
{
	struct contention ct = {NAN, NAN, NAN};
	unsigned flags = hostmon_flags(&r->before, &r->after, o->max_load);

	if (isfinite(r->runq_s) && r->wall_s > 0)
		ct.runq_frac = r->runq_s / r->wall_s;
	if (contention_contended(&ct, o->max_runq))
		flags |= RUN_FLAG_CONTENDED;
	return flags;
}

/* CPU pressure stall ("some") between two readings, in seconds, or NAN. */
static double
psi_between(int ok_before, const struct psi *before, int ok_after,
    const struct psi *after)
{
	if (!ok_before || !ok_after ||
	    after->some.total_us < before->some.total_us)
		return NAN;
	return (double)(after->some.total_us - before->some.total_us) / 1e6;
}

int
rounds_run(const struct catalog *c, const struct rounds_opts *o,
    struct store *s, char *err, size_t errlen)
{
	const struct variant **avail = NULL;
	struct rounds_progress p = {0};
	struct fingerprint host;
	struct psi psi_b, psi_a;
	struct run r;
	size_t navail = 0, i, k, *order = NULL;
	long round, nrounds = o->warmup + o->runs;
	int64_t id;
	char perr[128];
	int ok_b, ok_a;
	double t0 = timefmt_mono_s();
	uint64_t rng = (uint64_t)(t0 * 1e9) ^ ((uint64_t)getpid() << 32);
	int rc = -1;

	run_init(&r);
	avail = xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*avail));
	for (i = 0; i < c->nvariants; i++)
		if (c->variants[i].available)
			avail[navail++] = &c->variants[i];
	p.total = navail * (size_t)nrounds;
	order = xcalloc(navail ? navail : 1, sizeof(*order));
	fingerprint_host(o->host_root, o->vcgencmd, &host);

	for (round = 0; round < nrounds; round++) {
		/* warm-ups run the first measured round's order */
		id = o->first_round +
		    (round < o->warmup ? 0 : round - o->warmup);
		rounds_order(navail, id, order);
		for (k = 0; k < navail; k++) {
			const struct variant *v = avail[order[k]];
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
			ok_b = contention_read_psi(o->host_root, &psi_b, perr,
			           sizeof(perr)) == CONTENTION_OK;
			if (runner_run(&spec, &r, err, errlen) == -1)
				goto out;
			ok_a = contention_read_psi(o->host_root, &psi_a, perr,
			           sizeof(perr)) == CONTENTION_OK;
			r.before = before;
			hostmon_read(o->host_root, o->vcgencmd, &r.after);
			r.psi_s = psi_between(ok_b, &psi_b, ok_a, &psi_a);
			r.flags = flags_of(o, &r);
			r.variant = xstrdup(v->id);
			r.round = id;
			r.position = (int)k;
			fingerprint_run(&host, al, &r);
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
		if (round >= o->warmup && o->round_done != NULL &&
		    o->round_done(o->arg, id))
			break;
	}
	rc = 0;
out:
	run_clear(&r);
	free(order);
	free(avail);
	return rc;
}
