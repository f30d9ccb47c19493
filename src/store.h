/* SPDX-License-Identifier: MIT */
/*
 * Results: every run kept in memory, oldest first.
 */
#ifndef AB_STORE_H
#define AB_STORE_H

#include <stddef.h>

#include "run.h"

struct store {
	struct run *runs;
	size_t nruns;
	size_t cap;
};

void store_init(struct store *);

/* Appends a deep copy of r. */
void store_append(struct store *, const struct run *r);

/*
 * Collects, oldest first, up to `max` (0 = all) of the newest runs of
 * `variant` with status RUN_OK and, unless `iterations` is 0, that
 * iteration count (runs of different sizes are never mixed). Returns how many
 * were found; *out points to an array of pointers into the store that the
 * caller frees with free(3). They stay valid until the next store_append.
 */
size_t store_ok_runs(const struct store *, const char *variant, long iterations,
    size_t max, const struct run ***out);

/* Counts the runs of `variant` by status into counts[RUN_NSTATUS]. */
void store_count(const struct store *, const char *variant,
    size_t counts[RUN_NSTATUS]);

/*
 * The newest run of `variant`, or, when bad_only is set, its newest run
 * whose status is not RUN_OK. NULL when there is none.
 */
const struct run *store_last(const struct store *, const char *variant,
    int bad_only);

/* Frees all runs; the store may be re-initialised after. */
void store_free(struct store *);

#endif
