/* SPDX-License-Identifier: MIT */
/*
 * The life cycle of struct run and the names of its statuses, phases and
 * flags. Its JSON document is rundoc.c's.
 */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "xmalloc.h"

static const char *const status_names[RUN_NSTATUS] = {"ok", "unverified",
    "failed", "timeout"};
static const char *const phase_names[PHASE_N] = {"append", "fill", "clear",
    "refill"};

/* Sets a reading to "unknown": NAN temperature and load, -1 otherwise. */
void
run_reading_init(struct host_reading *h)
{
	h->temp_c = NAN;
	h->freq_khz = -1;
	h->load1 = NAN;
	h->throttled = -1;
}

/* Sets every field of r to its "nothing measured" value; owns nothing. */
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
	r->round = -1;
	r->position = -1;
	r->runq_s = r->psi_s = NAN;
}

/* Frees the strings r owns and re-initialises it; NULL is a no-op. */
void
run_clear(struct run *r)
{
	if (r == NULL)
		return;
	free(r->variant);
	free(r->malloc_provider);
	free(r->python_version);
	free(r->error);
	free(r->python_full);
	free(r->libc_version);
	free(r->segment);
	free(r->env);
	run_init(r);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Copies src into dst, duplicating its strings; free dst with run_clear. */
void
run_copy(struct run *dst, const struct run *src)
{
	*dst = *src;
	dst->variant = dup_or_null(src->variant);
	dst->malloc_provider = dup_or_null(src->malloc_provider);
	dst->python_version = dup_or_null(src->python_version);
	dst->error = dup_or_null(src->error);
	dst->python_full = dup_or_null(src->python_full);
	dst->libc_version = dup_or_null(src->libc_version);
	dst->segment = dup_or_null(src->segment);
	dst->env = dup_or_null(src->env);
}

/* The status name used in documents; "unknown" for an invalid value. */
const char *
run_status_name(enum run_status s)
{
	return (unsigned)s < RUN_NSTATUS ? status_names[s] : "unknown";
}

/* Sets *out to the status called `name`; returns 0, or -1 if none is. */
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

/* The phase name used in documents; "unknown" for an invalid value. */
const char *
run_phase_name(enum run_phase p)
{
	return (unsigned)p < PHASE_N ? phase_names[p] : "unknown";
}

/* The flags' names in documents, in bit order. */
const struct run_flag run_flags[RUN_NFLAGS] = {
    {RUN_FLAG_THROTTLED, "throttled"},
    {RUN_FLAG_LOADED, "loaded"},
    {RUN_FLAG_UNDER_VOLTAGE, "under_voltage"},
    {RUN_FLAG_CONTENDED, "contended"},
};
