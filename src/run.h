/* SPDX-License-Identifier: MIT */
/*
 * The record of one measured run: what the runner fills in, the store keeps
 * and the renderer summarises. Strings are owned by the record.
 */
#ifndef AB_RUN_H
#define AB_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum run_status {
	RUN_OK = 0,     /* exited 0, reported, malloc provider verified */
	RUN_UNVERIFIED, /* completed, but malloc came from the wrong object */
	RUN_FAILED,     /* non-zero exit, signal, or a missing/bad report */
	RUN_TIMEOUT,    /* killed after the per-run timeout */
	RUN_NSTATUS
};

enum run_phase {
	PHASE_APPEND = 0,
	PHASE_FILL,
	PHASE_CLEAR,
	PHASE_REFILL,
	PHASE_N
};

/* Host readings taken just before and just after a run (hostmon.c). */
struct host_reading {
	double temp_c;  /* hottest thermal zone, degrees C; NAN if unknown */
	long freq_khz;  /* cpu0 scaling_cur_freq; -1 if unknown */
	double load1;   /* 1-minute load average; NAN if unknown */
	long throttled; /* Raspberry Pi get_throttled bits; -1 if unknown */
};

/* Why a run is excluded from the statistics although it verified. */
#define RUN_FLAG_THROTTLED 0x1u /* throttling active or changed during it */
#define RUN_FLAG_LOADED    0x2u /* started above the configured load */

struct run {
	char *variant;      /* "INTERPRETER/ALLOCATOR" */
	int64_t started_ms; /* wall-clock start, ms since the epoch */
	enum run_status status;
	int exit_code;   /* -1 when the child did not exit normally */
	int term_signal; /* 0 unless killed by a signal */
	long iterations;
	double wall_s; /* CLOCK_MONOTONIC, fork to reap */
	double user_s; /* wait4 rusage */
	double sys_s;
	long maxrss_kb;
	long minflt;
	long majflt;
	long nvcsw;
	long nivcsw;
	double phase_s[PHASE_N]; /* as reported by the workload; NAN if none */
	long vmhwm_kb;           /* the workload's own VmHWM; -1 if none */
	char *malloc_provider;   /* object that provides malloc, or NULL */
	char *python_version;    /* e.g. "3.11.2", or NULL */
	char *error; /* why it is not ok (stderr tail etc.), or NULL */
	struct host_reading before;
	struct host_reading after;
	unsigned flags; /* RUN_FLAG_* */
};

/* Sets a reading to "unknown" (NAN, -1). */
void run_reading_init(struct host_reading *);

/* Sets every field to its "nothing measured" value (NAN, -1, NULL). */
void run_init(struct run *);

/* Frees the strings a run owns and re-initialises it; NULL is a no-op. */
void run_clear(struct run *);

/* Deep copy: dst must be uninitialised or cleared; free with run_clear. */
void run_copy(struct run *dst, const struct run *src);

/* "ok", "unverified", "failed", "timeout". */
const char *run_status_name(enum run_status);

/* Reverse of run_status_name; returns 0, or -1 for an unknown name. */
int run_status_parse(const char *, enum run_status *);

/* "append", "fill", "clear", "refill". */
const char *run_phase_name(enum run_phase);

/* The version of the run document below; lines with a larger "v" are
 * from a newer allocbenchd and are never read as this one. */
#define AB_RUN_SCHEMA 1

/*
 * The run as a JSON object: the history line format and the element of
 * GET /api/v1/runs. Fields: v, variant, started_ms, started_at (RFC 3339),
 * status, exit_code, signal, iterations, wall_s, user_s, sys_s, maxrss_kb,
 * minflt, majflt, nvcsw, nivcsw, phases_s {append, fill, clear, refill},
 * vmhwm_kb, malloc_provider, python_version, error, host_before and
 * host_after {temp_c, freq_khz, load1, throttled}, flags (array of
 * "throttled", "loaded"). Unknown numbers are null. Doubles are raw items
 * holding their shortest exact text (cJSON 1.7 prints some doubles a bit
 * off): print the tree or read it with run_from_json, not valuedouble.
 * The caller owns the result (cJSON_Delete).
 */
cJSON *run_to_json(const struct run *);

/*
 * A growing text buffer that run_write_json and its callers append to.
 * Start from {NULL, 0, 0}; p is NUL-terminated (p[len] == '\0') once
 * anything was appended. The buffer owns p: free it with run_buf_free, or
 * take it over and free it with free(3).
 */
struct run_buf {
	char *p;
	size_t len; /* bytes of text, without the NUL */
	size_t cap; /* bytes allocated at p */
};

/* Appends n bytes at s; aborts on out-of-memory (xmalloc.h). */
void run_buf_append(struct run_buf *, const void *s, size_t n);

/* Empties b and keeps its memory for the next document. */
void run_buf_reset(struct run_buf *);

/* Frees b's memory and empties it; an empty buffer is a no-op. */
void run_buf_free(struct run_buf *);

/*
 * Appends the run document of run_to_json to b as text, exactly the bytes
 * cJSON_PrintUnformatted(run_to_json(r)) gives, without building the tree:
 * what the history and GET /api/v1/runs write. No newline is appended.
 */
void run_write_json(struct run_buf *b, const struct run *r);

/*
 * Reads a run document into *out (run_init'ed here; free with run_clear).
 * Returns 0; -1 with a message in err for a malformed document; -2 when its
 * "v" is newer than AB_RUN_SCHEMA (err says so). On error *out is cleared.
 */
int run_from_json(const cJSON *, struct run *out, char *err, size_t errlen);

#endif
