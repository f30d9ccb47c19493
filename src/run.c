/* SPDX-License-Identifier: MIT */
/*
 * Life cycle and names of struct run.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "xmalloc.h"

static const char *const status_names[RUN_NSTATUS] = {"ok", "unverified",
    "failed", "timeout"};
static const char *const phase_names[PHASE_N] = {"append", "fill", "clear",
    "refill"};

void
run_reading_init(struct host_reading *h)
{
	h->temp_c = NAN;
	h->freq_khz = -1;
	h->load1 = NAN;
	h->throttled = -1;
}

void
run_init(struct run *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	run_reading_init(&r->before);
	run_reading_init(&r->after);
	r->status = RUN_FAILED;
	r->exit_code = -1;
	r->iterations = -1;
	r->wall_s = r->user_s = r->sys_s = NAN;
	r->maxrss_kb = r->minflt = r->majflt = r->nvcsw = r->nivcsw = -1;
	for (i = 0; i < PHASE_N; i++)
		r->phase_s[i] = NAN;
	r->vmhwm_kb = -1;
}

void
run_clear(struct run *r)
{
	if (r == NULL)
		return;
	free(r->variant);
	free(r->malloc_provider);
	free(r->python_version);
	free(r->error);
	run_init(r);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
run_copy(struct run *dst, const struct run *src)
{
	*dst = *src;
	dst->variant = dup_or_null(src->variant);
	dst->malloc_provider = dup_or_null(src->malloc_provider);
	dst->python_version = dup_or_null(src->python_version);
	dst->error = dup_or_null(src->error);
}

const char *
run_status_name(enum run_status s)
{
	return (unsigned)s < RUN_NSTATUS ? status_names[s] : "unknown";
}

int
run_status_parse(const char *name, enum run_status *out)
{
	int i;

	for (i = 0; i < RUN_NSTATUS; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum run_status)i;
			return 0;
		}
	}
	return -1;
}

const char *
run_phase_name(enum run_phase p)
{
	return (unsigned)p < PHASE_N ? phase_names[p] : "unknown";
}
