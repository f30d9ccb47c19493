/* SPDX-License-Identifier: MIT */
/*
 * The run document: one struct run as JSON text, the line format of the
 * history and the element of GET /api/v1/runs. Writing goes straight into
 * a byte buffer (jsonw.c), with unknown values as null and doubles in their
 * shortest exact text. Reading validates every member's type strictly and
 * refuses documents from a newer schema without reading them.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "log.h"
#include "rundoc.h"
#include "xmalloc.h"

/* 2^63: v and started_ms are in [-2^63, 2^63), exact up to 2^53. */
#define AB_INT64_LIM 9223372036854775808.0

/* The rest of a host reading object, after its key. */
static void
put_reading(struct ab_buf *b, const struct host_reading *h)
{
	AB_BUF_LIT(b, "{\"temp_c\":");
	jsonw_double(b, h->temp_c);
	AB_BUF_LIT(b, ",\"freq_khz\":");
	jsonw_int(b, h->freq_khz, -1);
	AB_BUF_LIT(b, ",\"load1\":");
	jsonw_double(b, h->load1);
	AB_BUF_LIT(b, ",\"throttled\":");
	jsonw_int(b, h->throttled, -1);
	AB_BUF_LIT(b, "}");
}

/*
 * Writes what cJSON_PrintUnformatted would print for the tree of the same
 * document, member by
 * member in the same order and with the same formatting helpers; cJSON
 * prints integers below 1e15 (all add_int gives it) in plain decimal, as
 * format_int does. tests/check_run.c compares the two byte for byte.
 */
void
rundoc_write(struct ab_buf *b, const struct run *r)
{
	size_t i, n = 0;
	int p;

	AB_BUF_LIT(b, "{\"v\":");
	jsonw_int(b, AB_RUN_SCHEMA, INT64_MIN);
	AB_BUF_LIT(b, ",\"variant\":");
	jsonw_string(b, r->variant);
	AB_BUF_LIT(b, ",\"started_ms\":");
	jsonw_int(b, r->started_ms, INT64_MIN);
	AB_BUF_LIT(b, ",\"started_at\":");
	jsonw_time(b, r->started_ms);
	AB_BUF_LIT(b, ",\"status\":");
	jsonw_string(b, run_status_name(r->status));
	AB_BUF_LIT(b, ",\"exit_code\":");
	jsonw_int(b, r->exit_code, -1);
	AB_BUF_LIT(b, ",\"signal\":");
	jsonw_int(b, r->term_signal, INT64_MIN);
	AB_BUF_LIT(b, ",\"iterations\":");
	jsonw_int(b, r->iterations, -1);
	AB_BUF_LIT(b, ",\"wall_s\":");
	jsonw_double(b, r->wall_s);
	AB_BUF_LIT(b, ",\"user_s\":");
	jsonw_double(b, r->user_s);
	AB_BUF_LIT(b, ",\"sys_s\":");
	jsonw_double(b, r->sys_s);
	AB_BUF_LIT(b, ",\"maxrss_kb\":");
	jsonw_int(b, r->maxrss_kb, -1);
	AB_BUF_LIT(b, ",\"minflt\":");
	jsonw_int(b, r->minflt, -1);
	AB_BUF_LIT(b, ",\"majflt\":");
	jsonw_int(b, r->majflt, -1);
	AB_BUF_LIT(b, ",\"nvcsw\":");
	jsonw_int(b, r->nvcsw, -1);
	AB_BUF_LIT(b, ",\"nivcsw\":");
	jsonw_int(b, r->nivcsw, -1);
	AB_BUF_LIT(b, ",\"phases_s\":{");
	for (p = 0; p < PHASE_N; p++) {
		if (p > 0)
			AB_BUF_LIT(b, ",");
		jsonw_string(b, run_phase_name((enum run_phase)p));
		AB_BUF_LIT(b, ":");
		jsonw_double(b, r->phase_s[p]);
	}
	AB_BUF_LIT(b, "},\"vmhwm_kb\":");
	jsonw_int(b, r->vmhwm_kb, -1);
	AB_BUF_LIT(b, ",\"malloc_provider\":");
	jsonw_string(b, r->malloc_provider);
	AB_BUF_LIT(b, ",\"python_version\":");
	jsonw_string(b, r->python_version);
	AB_BUF_LIT(b, ",\"error\":");
	jsonw_string(b, r->error);
	AB_BUF_LIT(b, ",\"host_before\":");
	put_reading(b, &r->before);
	AB_BUF_LIT(b, ",\"host_after\":");
	put_reading(b, &r->after);
	AB_BUF_LIT(b, ",\"flags\":[");
	for (i = 0; i < RUN_NFLAGS; i++) {
		if (!(r->flags & run_flags[i].bit))
			continue;
		if (n++ > 0)
			AB_BUF_LIT(b, ",");
		jsonw_string(b, run_flags[i].name);
	}
	AB_BUF_LIT(b, "],\"round\":");
	jsonw_int(b, r->round, -1);
	AB_BUF_LIT(b, ",\"position\":");
	jsonw_int(b, r->position, -1);
	AB_BUF_LIT(b, ",\"runq_s\":");
	jsonw_double(b, r->runq_s);
	AB_BUF_LIT(b, ",\"psi_s\":");
	jsonw_double(b, r->psi_s);
	AB_BUF_LIT(b, ",\"python_full\":");
	jsonw_string(b, r->python_full);
	AB_BUF_LIT(b, ",\"libc_version\":");
	jsonw_string(b, r->libc_version);
	AB_BUF_LIT(b, ",\"segment\":");
	jsonw_string(b, r->segment);
	AB_BUF_LIT(b, ",\"env\":");
	if (r->env != NULL)
		ab_buf_puts(b, r->env);
	else
		AB_BUF_LIT(b, "null");
	AB_BUF_LIT(b, "}");
}

/*
 * Reading one object: its members are usually in the order rundoc_write
 * wrote them, so each lookup first tries the member after the previous
 * hit and falls back to a search. Messages name the member with its path.
 */
struct reader {
	const cJSON *obj;
	const cJSON *next;
	const char *path; /* "" or "phases_s." */
	char *err;
	size_t errlen;
};

static int fail(struct reader *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->err, rd->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void
reader_init(struct reader *rd, const cJSON *obj, const char *path, char *err,
    size_t errlen)
{
	rd->obj = obj;
	rd->next = obj != NULL ? obj->child : NULL;
	rd->path = path;
	rd->err = err;
	rd->errlen = errlen;
}

/* The member `key`, or NULL when it is absent or null. */
static const cJSON *
member(struct reader *rd, const char *key)
{
	const cJSON *m = rd->next;

	if (m == NULL || m->string == NULL || strcmp(m->string, key) != 0)
		m = cJSON_GetObjectItemCaseSensitive(rd->obj, key);
	if (m == NULL)
		return NULL;
	rd->next = m->next;
	return cJSON_IsNull(m) ? NULL : m;
}

/* A number item's value: a cJSON number or a raw item from add_double. */
static int
item_double(const cJSON *m, double *out)
{
	char *end;
	double v;

	if (cJSON_IsNumber(m))
		v = m->valuedouble;
	else if (cJSON_IsRaw(m) && m->valuestring != NULL) {
		v = strtod(m->valuestring, &end);
		if (end == m->valuestring || *end != '\0')
			return -1;
	} else
		return -1;
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* A finite number member; absent or null leaves *out (the unknown). */
static int
read_double(struct reader *rd, const char *key, double *out)
{
	const cJSON *m = member(rd, key);

	if (m != NULL && item_double(m, out) == -1)
		return fail(rd, "%s%s is not a number", rd->path, key);
	return 0;
}

/*
 * An integer-valued number member in [min, max]; absent or null leaves
 * *out. With `required` set, absent or null is an error.
 */
static int
read_int(struct reader *rd, const char *key, double min, double max,
    int required, double *out)
{
	const cJSON *m = member(rd, key);
	double v;

	if (m == NULL) {
		if (required)
			return fail(rd, "missing %s%s", rd->path, key);
		return 0;
	}
	if (item_double(m, &v) == -1)
		return fail(rd, "%s%s is not a number", rd->path, key);
	if (v != floor(v))
		return fail(rd, "%s%s is not an integer", rd->path, key);
	if (v < min || v >= max)
		return fail(rd, "%s%s is out of range", rd->path, key);
	*out = v;
	return 0;
}

static int
read_long(struct reader *rd, const char *key, long *out)
{
	double v = (double)*out;

	if (read_int(rd, key, (double)LONG_MIN, (double)LONG_MAX + 1.0, 0,
	        &v) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

static int
read_i64(struct reader *rd, const char *key, int64_t *out)
{
	double v = (double)*out;

	if (read_int(rd, key, -AB_INT64_LIM, AB_INT64_LIM, 0, &v) == -1)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static int
read_intval(struct reader *rd, const char *key, int *out)
{
	double v = *out;

	if (read_int(rd, key, INT_MIN, INT_MAX + 1.0, 0, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* A string member, copied; absent or null gives NULL. */
static int
read_string(struct reader *rd, const char *key, char **out)
{
	const cJSON *m = member(rd, key);

	if (m == NULL)
		return 0;
	if (!cJSON_IsString(m) || m->valuestring == NULL)
		return fail(rd, "%s%s is not a string", rd->path, key);
	*out = xstrdup(m->valuestring);
	return 0;
}

/* An object member to read with `sub`; absent or null gives obj NULL. */
static int
read_object(struct reader *rd, const char *key, char *path, size_t pathlen,
    struct reader *sub)
{
	const cJSON *m = member(rd, key);

	if (m != NULL && !cJSON_IsObject(m))
		return fail(rd, "%s%s is not an object", rd->path, key);
	snprintf(path, pathlen, "%s%s.", rd->path, key);
	reader_init(sub, m, path, rd->err, rd->errlen);
	return 0;
}

static int
read_reading(struct reader *rd, const char *key, struct host_reading *h)
{
	struct reader sub;
	char path[32];

	if (read_object(rd, key, path, sizeof(path), &sub) == -1)
		return -1;
	if (sub.obj == NULL)
		return 0;
	if (read_double(&sub, "temp_c", &h->temp_c) == -1 ||
	    read_long(&sub, "freq_khz", &h->freq_khz) == -1 ||
	    read_double(&sub, "load1", &h->load1) == -1 ||
	    read_i64(&sub, "throttled", &h->throttled) == -1)
		return -1;
	return 0;
}

static int
read_flags(struct reader *rd, unsigned *out)
{
	const cJSON *m = member(rd, "flags"), *e;
	size_t i, n = 0;

	if (m == NULL)
		return 0;
	if (!cJSON_IsArray(m))
		return fail(rd, "flags is not an array");
	cJSON_ArrayForEach(e, m) {
		if (!cJSON_IsString(e) || e->valuestring == NULL)
			return fail(rd, "flags[%zu] is not a string", n);
		for (i = 0; i < RUN_NFLAGS; i++)
			if (strcmp(e->valuestring, run_flags[i].name) == 0)
				break;
		if (i == RUN_NFLAGS)
			return fail(rd, "flag '%s' unknown", e->valuestring);
		*out |= run_flags[i].bit;
		n++;
	}
	return 0;
}

/* The env member: an object, kept as its compact text; absent or null
 * leaves NULL. */
static int
read_env(struct reader *rd, char **out)
{
	const cJSON *m = member(rd, "env");
	char *text;

	if (m == NULL)
		return 0;
	if (!cJSON_IsObject(m))
		return fail(rd, "env is not an object");
	if ((text = cJSON_PrintUnformatted(m)) == NULL) {
		log_err("out of memory printing a run's env");
		abort();
	}
	*out = xstrdup(text);
	cJSON_free(text);
	return 0;
}

/*
 * Reads a run document into *out, checking every member's type: required
 * are v, a non-empty variant, an integer started_ms and a known status;
 * other members may be absent or null (unknown). started_at is derived
 * from started_ms and not read; members this schema does not know are
 * ignored. Returns 0; -1 with the reason in err; -2 when v is newer than
 * AB_RUN_SCHEMA. On error *out is cleared.
 */
int
rundoc_read(const cJSON *doc, struct run *out, char *err, size_t errlen)
{
	struct reader rd, sub;
	const cJSON *m;
	char path[32];
	double v = 0, started = 0, rnd = -1;
	int p;

	run_init(out);
	if (!cJSON_IsObject(doc)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	reader_init(&rd, doc, "", err, errlen);
	if (read_int(&rd, "v", -AB_INT64_LIM, AB_INT64_LIM, 1, &v) == -1)
		goto fail;
	if (v > AB_RUN_SCHEMA) {
		snprintf(err, errlen,
		    "schema %.0f is newer than this allocbenchd (%d)", v,
		    AB_RUN_SCHEMA);
		return -2;
	}
	if (v < 1) {
		fail(&rd, "schema %.0f is not valid", v);
		goto fail;
	}
	if ((m = member(&rd, "variant")) == NULL) {
		fail(&rd, "missing variant");
		goto fail;
	}
	if (!cJSON_IsString(m) || m->valuestring == NULL) {
		fail(&rd, "variant is not a string");
		goto fail;
	}
	if (m->valuestring[0] == '\0') {
		fail(&rd, "variant is empty");
		goto fail;
	}
	out->variant = xstrdup(m->valuestring);
	if (read_int(&rd, "started_ms", -AB_INT64_LIM, AB_INT64_LIM, 1,
	        &started) == -1)
		goto fail;
	out->started_ms = (int64_t)started;
	if ((m = member(&rd, "status")) == NULL) {
		fail(&rd, "missing status");
		goto fail;
	}
	if (!cJSON_IsString(m) || m->valuestring == NULL) {
		fail(&rd, "status is not a string");
		goto fail;
	}
	if (run_status_parse(m->valuestring, &out->status) == -1) {
		fail(&rd, "status '%s' unknown", m->valuestring);
		goto fail;
	}
	if (read_intval(&rd, "exit_code", &out->exit_code) == -1 ||
	    read_intval(&rd, "signal", &out->term_signal) == -1 ||
	    read_long(&rd, "iterations", &out->iterations) == -1 ||
	    read_double(&rd, "wall_s", &out->wall_s) == -1 ||
	    read_double(&rd, "user_s", &out->user_s) == -1 ||
	    read_double(&rd, "sys_s", &out->sys_s) == -1 ||
	    read_long(&rd, "maxrss_kb", &out->maxrss_kb) == -1 ||
	    read_long(&rd, "minflt", &out->minflt) == -1 ||
	    read_long(&rd, "majflt", &out->majflt) == -1 ||
	    read_long(&rd, "nvcsw", &out->nvcsw) == -1 ||
	    read_long(&rd, "nivcsw", &out->nivcsw) == -1)
		goto fail;
	if (read_object(&rd, "phases_s", path, sizeof(path), &sub) == -1)
		goto fail;
	for (p = 0; sub.obj != NULL && p < PHASE_N; p++)
		if (read_double(&sub, run_phase_name((enum run_phase)p),
		        &out->phase_s[p]) == -1)
			goto fail;
	if (read_long(&rd, "vmhwm_kb", &out->vmhwm_kb) == -1 ||
	    read_string(&rd, "malloc_provider", &out->malloc_provider) == -1 ||
	    read_string(&rd, "python_version", &out->python_version) == -1 ||
	    read_string(&rd, "error", &out->error) == -1 ||
	    read_reading(&rd, "host_before", &out->before) == -1 ||
	    read_reading(&rd, "host_after", &out->after) == -1 ||
	    read_flags(&rd, &out->flags) == -1)
		goto fail;
	/* version 1 had no rounds: those runs stay -1 and are never paired */
	if (read_int(&rd, "round", 0, AB_INT64_LIM, 0, &rnd) == -1 ||
	    read_intval(&rd, "position", &out->position) == -1)
		goto fail;
	out->round = (int64_t)rnd;
	if (out->position < -1) {
		fail(&rd, "position is negative");
		goto fail;
	}
	if (read_double(&rd, "runq_s", &out->runq_s) == -1 ||
	    read_double(&rd, "psi_s", &out->psi_s) == -1 ||
	    read_string(&rd, "python_full", &out->python_full) == -1 ||
	    read_string(&rd, "libc_version", &out->libc_version) == -1 ||
	    read_string(&rd, "segment", &out->segment) == -1 ||
	    read_env(&rd, &out->env) == -1)
		goto fail;
	return 0;
fail:
	run_clear(out);
	return -1;
}
