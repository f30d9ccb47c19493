/* SPDX-License-Identifier: MIT */
/*
 * The run document built as a cJSON tree, an independent second writer for
 * the tests: rundoc_write must print exactly what cJSON_PrintUnformatted
 * prints for this tree. Included by the tests that compare the two.
 */
#ifndef AB_TEST_RUN_TREE_H
#define AB_TEST_RUN_TREE_H

#include <math.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "num.h"
#include "run.h"
#include "rundoc.h"
#include "timefmt.h"

/* Integers cJSON's printer renders exactly: below 10^15. */
#define AB_PRINT_EXACT 1000000000000000LL

/*
 * A double member, null when not finite. It is a raw item holding the
 * exact text because cJSON 1.7's print_number accepts a 15-digit form that
 * is only "close" to the value (its compare_double), which drops the last
 * bits of about one measured double in five.
 */
static void
add_double(cJSON *o, const char *key, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	num_format_double(v, buf, sizeof(buf));
	cJSON_AddRawToObject(o, key, buf);
}

/*
 * An integer member, null when it holds the "unknown" value. cJSON prints
 * integers below 1e15 exactly; larger ones (never measured in practice)
 * are raw decimal text for the same reason as add_double.
 */
static void
add_int(cJSON *o, const char *key, int64_t v, int64_t unknown)
{
	char buf[32];

	if (v == unknown)
		cJSON_AddNullToObject(o, key);
	else if (v > -AB_PRINT_EXACT && v < AB_PRINT_EXACT)
		cJSON_AddNumberToObject(o, key, (double)v);
	else {
		num_format_int(v, buf);
		cJSON_AddRawToObject(o, key, buf);
	}
}

static void
add_string(cJSON *o, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void
add_reading(cJSON *o, const char *key, const struct host_reading *h)
{
	cJSON *r = cJSON_AddObjectToObject(o, key);

	add_double(r, "temp_c", h->temp_c);
	add_int(r, "freq_khz", h->freq_khz, -1);
	add_double(r, "load1", h->load1);
	add_int(r, "throttled", h->throttled, -1);
}

/*
 * Builds the run document described in run.h; members appear in the order
 * run_from_json reads them. Doubles are raw items (see add_double): print
 * the tree, or read it back with run_from_json, rather than reading their
 * valuedouble. The caller frees the result with cJSON_Delete.
 */
static cJSON *
run_to_json(const struct run *r)
{
	cJSON *o, *ph, *fl;
	char ts[40];
	size_t i;
	int p;

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", AB_RUN_SCHEMA);
	add_string(o, "variant", r->variant);
	add_int(o, "started_ms", r->started_ms, INT64_MIN);
	if (timefmt_rfc3339(r->started_ms, ts, sizeof(ts)) == 0)
		cJSON_AddStringToObject(o, "started_at", ts);
	else
		cJSON_AddNullToObject(o, "started_at");
	cJSON_AddStringToObject(o, "status", run_status_name(r->status));
	add_int(o, "exit_code", r->exit_code, -1);
	cJSON_AddNumberToObject(o, "signal", r->term_signal);
	add_int(o, "iterations", r->iterations, -1);
	add_double(o, "wall_s", r->wall_s);
	add_double(o, "user_s", r->user_s);
	add_double(o, "sys_s", r->sys_s);
	add_int(o, "maxrss_kb", r->maxrss_kb, -1);
	add_int(o, "minflt", r->minflt, -1);
	add_int(o, "majflt", r->majflt, -1);
	add_int(o, "nvcsw", r->nvcsw, -1);
	add_int(o, "nivcsw", r->nivcsw, -1);
	ph = cJSON_AddObjectToObject(o, "phases_s");
	for (p = 0; p < PHASE_N; p++)
		add_double(ph, run_phase_name((enum run_phase)p),
		    r->phase_s[p]);
	add_int(o, "vmhwm_kb", r->vmhwm_kb, -1);
	add_string(o, "malloc_provider", r->malloc_provider);
	add_string(o, "python_version", r->python_version);
	add_string(o, "error", r->error);
	add_reading(o, "host_before", &r->before);
	add_reading(o, "host_after", &r->after);
	fl = cJSON_AddArrayToObject(o, "flags");
	for (i = 0; i < RUN_NFLAGS; i++)
		if (r->flags & run_flags[i].bit)
			cJSON_AddItemToArray(fl,
			    cJSON_CreateString(run_flags[i].name));
	add_int(o, "round", r->round, -1);
	add_int(o, "position", r->position, -1);
	add_double(o, "runq_s", r->runq_s);
	add_double(o, "psi_s", r->psi_s);
	add_string(o, "python_full", r->python_full);
	add_string(o, "libc_version", r->libc_version);
	add_string(o, "segment", r->segment);
	if (r->env != NULL)
		cJSON_AddRawToObject(o, "env", r->env);
	else
		cJSON_AddNullToObject(o, "env");
	return o;
}

#endif
