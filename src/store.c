/* SPDX-License-Identifier: MIT */
/*
 * Results in memory, oldest first. Lookups are linear scans: a --once
 * session holds a few hundred runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "xmalloc.h"

void
store_init(struct store *s)
{
	memset(s, 0, sizeof(*s));
}

int
store_append(struct store *s, const struct run *r)
{
	if (s->nruns == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->runs = xreallocarray(s->runs, s->cap, sizeof(*s->runs));
	}
	run_copy(&s->runs[s->nruns++], r);
	return 0;
}

size_t
store_ok_runs(const struct store *s, const char *variant, long iterations,
    int include_flagged, size_t max, const struct run ***out)
{
	const struct run **v;
	size_t i, n = 0, first;

	v = xcalloc(s->nruns ? s->nruns : 1, sizeof(*v));
	for (i = 0; i < s->nruns; i++) {
		const struct run *r = &s->runs[i];

		if (r->status == RUN_OK && strcmp(r->variant, variant) == 0 &&
		    (iterations == 0 || r->iterations == iterations) &&
		    (include_flagged || r->flags == 0))
			v[n++] = r;
	}
	first = (max != 0 && n > max) ? n - max : 0;
	if (first > 0)
		memmove(v, v + first, (n - first) * sizeof(*v));
	*out = v;
	return n - first;
}

void
store_count(const struct store *s, const char *variant,
    size_t counts[RUN_NSTATUS], size_t *flagged)
{
	size_t i, nf = 0;

	memset(counts, 0, RUN_NSTATUS * sizeof(counts[0]));
	for (i = 0; i < s->nruns; i++)
		if (strcmp(s->runs[i].variant, variant) == 0) {
			counts[s->runs[i].status]++;
			nf += s->runs[i].status == RUN_OK && s->runs[i].flags;
		}
	if (flagged != NULL)
		*flagged = nf;
}

const struct run *
store_last(const struct store *s, const char *variant, int bad_only)
{
	const struct run *r;
	size_t i;

	for (i = s->nruns; i > 0; i--) {
		r = &s->runs[i - 1];
		if (strcmp(r->variant, variant) == 0 &&
		    (!bad_only || r->status != RUN_OK))
			return r;
	}
	return NULL;
}

void
store_free(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nruns; i++)
		run_clear(&s->runs[i]);
	free(s->runs);
	store_init(s);
}
