/* SPDX-License-Identifier: MIT */
/*
 * The record of one measured run: what the runner fills in, the store keeps
 * and the renderer summarises. Strings are owned by the record.
 */
#ifndef AB_RUN_H
#define AB_RUN_H

#include <stddef.h>
#include <stdint.h>

/* The PATH of every run's clean environment, and where interpreter names
 * are looked up. */
#define AB_CLEAN_PATH "/usr/local/bin:/usr/bin:/bin"

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
	double temp_c;     /* hottest thermal zone, degrees C; NAN if unknown */
	long freq_khz;     /* cpu0 scaling_cur_freq; -1 if unknown */
	double load1;      /* 1-minute load average; NAN if unknown */
	int64_t throttled; /* Raspberry Pi get_throttled bits (32 of them, so
	                      64-bit on every platform); -1 if unknown */
};

/* Why a run is excluded from the statistics although it verified. */
#define RUN_FLAG_THROTTLED                                                     \
	0x1u                        /* frequency capped, throttled or soft     \
	                               temperature limit, or a change */
#define RUN_FLAG_LOADED        0x2u /* started above the configured load */
#define RUN_FLAG_UNDER_VOLTAGE 0x4u /* under-voltage during it */
#define RUN_FLAG_CONTENDED     0x8u /* kept off the CPU (run-queue delay) */
#define RUN_NFLAGS             4

/* A flag bit and its name in documents ("throttled", "loaded"). */
struct run_flag {
	unsigned bit;
	const char *name;
};

/* Every flag, in bit order. */
extern const struct run_flag run_flags[RUN_NFLAGS];

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
	int64_t round;  /* id of the measurement round; -1 unknown (old runs) */
	int position;   /* 0-based place in the round's order; -1 unknown */
	double runq_s;  /* the workload's own run-queue delay (schedstat);
	                   NAN if unknown */
	double psi_s;   /* CPU pressure "some" stall time over the run; NAN */
	char *python_full;  /* the interpreter's sys.version, or NULL */
	char *libc_version; /* gnu_get_libc_version(), or NULL */
	char *segment;      /* fingerprint hash of the environment, or NULL */
	char *env;          /* the fingerprint as a JSON object, or NULL */
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

#endif
