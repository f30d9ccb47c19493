/* SPDX-License-Identifier: MIT */
/*
 * Life cycle and names of struct run, and its JSON document: the history
 * line format and the element of GET /api/v1/runs. Writing turns unknown
 * values into null and doubles into their shortest exact text; reading
 * validates every member's type strictly and refuses documents from a newer
 * schema without reading them.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
}

/* Frees the four strings r owns and re-initialises it; NULL is a no-op. */
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

/* Copies src into dst, duplicating its strings; free dst with run_clear. */
void
run_copy(struct run *dst, const struct run *src)
{
	*dst = *src;
	dst->variant = dup_or_null(src->variant);
	dst->malloc_provider = dup_or_null(src->malloc_provider);
	dst->python_version = dup_or_null(src->python_version);
	dst->error = dup_or_null(src->error);
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

#define AB_RUN_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Integers cJSON's printer renders exactly: below 10^15. */
#define AB_PRINT_EXACT 1000000000000000LL
/* 2^63: v and started_ms are in [-2^63, 2^63), exact up to 2^53. */
#define AB_INT64_LIM 9223372036854775808.0

static const char *const flag_names[] = {"throttled", "loaded"};
static const unsigned flag_bits[] = {RUN_FLAG_THROTTLED, RUN_FLAG_LOADED};
#define NFLAGS (sizeof(flag_bits) / sizeof(flag_bits[0]))

/*
 * RFC 3339 UTC with milliseconds, "2025-11-25T14:34:56.123Z", the format of
 * render_rfc3339 (which this leaf module must not call). Returns -1 for
 * times whose year has no four-digit form.
 */
static int
format_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t sec = ms / 1000, frac = ms % 1000;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return -1;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)frac);
	return 0;
}

/*
 * A double as the shortest of %.15g, %.16g and %.17g that reads back to the
 * same value; %.17g always does (IEEE 754 binary64 needs 17 significant
 * digits).
 */
static void
format_double(double v, char *buf, size_t len)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, len, "%.17g", v);
}

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
	format_double(v, buf, sizeof(buf));
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
		snprintf(buf, sizeof(buf), "%lld", (long long)v);
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
cJSON *
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
	if (format_rfc3339(r->started_ms, ts, sizeof(ts)) == 0)
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
		add_double(ph, phase_names[p], r->phase_s[p]);
	add_int(o, "vmhwm_kb", r->vmhwm_kb, -1);
	add_string(o, "malloc_provider", r->malloc_provider);
	add_string(o, "python_version", r->python_version);
	add_string(o, "error", r->error);
	add_reading(o, "host_before", &r->before);
	add_reading(o, "host_after", &r->after);
	fl = cJSON_AddArrayToObject(o, "flags");
	for (i = 0; i < NFLAGS; i++)
		if (r->flags & flag_bits[i])
			cJSON_AddItemToArray(fl,
			    cJSON_CreateString(flag_names[i]));
	return o;
}

/*
 * Reading one object: its members are usually in the order run_to_json
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

static int fail(struct reader *, const char *, ...) AB_RUN_PRINTF(2, 3);

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
	    read_long(&sub, "throttled", &h->throttled) == -1)
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
		for (i = 0; i < NFLAGS; i++)
			if (strcmp(e->valuestring, flag_names[i]) == 0)
				break;
		if (i == NFLAGS)
			return fail(rd, "flag '%s' unknown", e->valuestring);
		*out |= flag_bits[i];
		n++;
	}
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
run_from_json(const cJSON *doc, struct run *out, char *err, size_t errlen)
{
	struct reader rd, sub;
	const cJSON *m;
	char path[32];
	double v = 0, started = 0;
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
		if (read_double(&sub, phase_names[p], &out->phase_s[p]) == -1)
			goto fail;
	if (read_long(&rd, "vmhwm_kb", &out->vmhwm_kb) == -1 ||
	    read_string(&rd, "malloc_provider", &out->malloc_provider) == -1 ||
	    read_string(&rd, "python_version", &out->python_version) == -1 ||
	    read_string(&rd, "error", &out->error) == -1 ||
	    read_reading(&rd, "host_before", &out->before) == -1 ||
	    read_reading(&rd, "host_after", &out->after) == -1 ||
	    read_flags(&rd, &out->flags) == -1)
		goto fail;
	return 0;
fail:
	run_clear(out);
	return -1;
}
