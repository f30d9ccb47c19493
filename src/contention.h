/* SPDX-License-Identifier: MIT */
/*
 * How much a run was kept off the CPU: the kernel's per-task run-queue
 * delay from /proc/<pid>/schedstat and the system-wide CPU pressure from
 * /proc/pressure/cpu, parsed from text and read below a root prefix so
 * tests can hand fixture trees to the same code. Pure apart from the two
 * readers; errors go to err/errlen.
 */
#ifndef AB_CONTENTION_H
#define AB_CONTENTION_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/*
 * One task's scheduler statistics (Documentation/scheduler/sched-stats.rst,
 * "/proc/<pid>/schedstat"): three fields on one line.
 */
struct schedstat {
	uint64_t run_ns;  /* time spent on the CPU */
	uint64_t wait_ns; /* time spent runnable, waiting on a run queue */
	uint64_t slices;  /* timeslices run on this CPU */
};

/*
 * One line of a pressure file (Documentation/accounting/psi.rst):
 * "some avg10=0.00 avg60=0.00 avg300=0.00 total=0".
 */
struct psi_line {
	double avg10; /* percent of the last 10 s, 60 s, 300 s */
	double avg60;
	double avg300;
	uint64_t total_us; /* stall time since boot, microseconds */
};

/* /proc/pressure/cpu: "some" always, "full" from Linux 5.13 on. */
struct psi {
	struct psi_line some;
	struct psi_line full; /* all zero when has_full is 0 */
	int has_full;
};

/* What a reader found. */
enum contention_rc {
	CONTENTION_ERROR = -1, /* the file is there but unreadable or garbage */
	CONTENTION_OK = 0,     /* *out holds the reading */
	CONTENTION_ABSENT = 1, /* this kernel does not provide it */
};

/* A run's contention; each fraction is NAN when it is unknown. */
struct contention {
	double runq_frac;     /* wait_ns / wall time */
	double psi_some_frac; /* delta(some total) / wall time */
	double psi_full_frac; /* delta(full total) / wall time */
};

/*
 * Parses the text of /proc/<pid>/schedstat: three unsigned decimal
 * integers separated by single spaces, with an optional final newline.
 * Returns 0, or -1 with a message in err and *out untouched.
 */
int contention_parse_schedstat(const char *text, struct schedstat *out,
    char *err, size_t errlen);

/*
 * Parses the text of /proc/pressure/cpu: a "some" line, then optionally a
 * "full" line, each "avg10=X avg60=X avg300=X total=N" with averages in
 * [0, 100]. Returns 0, or -1 with a message in err ("line 2: ...") and
 * *out untouched.
 */
int contention_parse_psi(const char *text, struct psi *out, char *err,
    size_t errlen);

/*
 * Reads ROOT/proc/<pid>/schedstat, or ROOT/proc/self/schedstat when pid is
 * 0; root "" or NULL is the real system. Returns CONTENTION_OK with *out
 * set; CONTENTION_ABSENT when the kernel has no such file (built without
 * CONFIG_SCHED_INFO); CONTENTION_ERROR for an unreadable or malformed file.
 * Both of the latter put the reason in err and leave *out untouched.
 */
enum contention_rc contention_read_schedstat(const char *root, long pid,
    struct schedstat *out, char *err, size_t errlen);

/*
 * Reads ROOT/proc/pressure/cpu; root "" or NULL is the real system.
 * Returns as contention_read_schedstat. CONTENTION_ABSENT covers a kernel
 * without PSI (no file) and one booted with psi=0 (reads fail with
 * EOPNOTSUPP).
 */
enum contention_rc contention_read_psi(const char *root, struct psi *out,
    char *err, size_t errlen);

/*
 * Whether a failure with errno e means "this kernel does not provide the
 * file" rather than an error: ENOENT, ENOTDIR, EOPNOTSUPP. Returns 1 or 0.
 */
int contention_errno_absent(int e);

/*
 * The run-queue delay as a fraction of wall_s: ss->wait_ns / wall time.
 * Returns 0 with *out set, or -1 with a message in err and *out untouched
 * when wall_s is not a finite number > 0 or the kernel does not account
 * run-queue delay (all three fields 0).
 */
int contention_runq_frac(const struct schedstat *ss, double wall_s, double *out,
    char *err, size_t errlen);

/*
 * The CPU pressure over a run of wall_s seconds, from the pressure files
 * read before and after it: delta(some total) / wall time into *some and,
 * when both readings have a "full" line, delta(full total) / wall time
 * into *full (else NAN). Returns 0, or -1 with a message in err and both
 * outputs untouched when wall_s is not finite and > 0 or a total went
 * backwards.
 */
int contention_psi_frac(const struct psi *before, const struct psi *after,
    double wall_s, double *some, double *full, char *err, size_t errlen);

/*
 * Fills *out for a run of wall_s seconds from what is known: ss is the
 * workload's own schedstat at its end, psi_before/psi_after the pressure
 * readings around it; any of them may be NULL. What cannot be computed
 * stays NAN. Never fails.
 */
void contention_of_run(const struct schedstat *ss, const struct psi *psi_before,
    const struct psi *psi_after, double wall_s, struct contention *out);

/*
 * Whether a run counts as contended: 1 when c->runq_frac is known and
 * above max_runq_frac, else 0 (unknown delay never flags a run;
 * max_runq_frac <= 0 or NAN disables the test).
 */
int contention_contended(const struct contention *c, double max_runq_frac);

/*
 * Reads the workload report's "schedstat" member: an array of three
 * integers [run_ns, wait_ns, slices], each in [0, 2^53], or null. Returns
 * CONTENTION_OK with *out set; CONTENTION_ABSENT for null or a missing
 * member (item NULL); CONTENTION_ERROR with a message in err for anything
 * else. *out is untouched unless CONTENTION_OK.
 */
enum contention_rc contention_schedstat_from_json(const cJSON *item,
    struct schedstat *out, char *err, size_t errlen);

#endif
