/* SPDX-License-Identifier: MIT */
/*
 * Results: every run in memory, oldest first, and the append-only history
 * on disk (JSON Lines, one run_to_json document per line, fsync after each
 * append). Loading skips and counts torn or corrupt lines and refuses lines
 * from a newer schema without misreading them (they are kept verbatim when
 * the file is compacted). Compaction drops runs past the retention or over
 * the size cap by writing a temporary file, fsyncing it, renaming it over
 * the history and fsyncing the directory. When the disk fails (full,
 * read-only, directory deleted) the store keeps working in memory, reports
 * persist_ok = 0 with the error, and writes the backlog out as soon as the
 * disk works again. One writer per directory: see store_open. Not
 * thread-safe: the daemon serialises access.
 */
#ifndef AB_STORE_H
#define AB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"

#define AB_HISTORY_FILE "history.jsonl"
#define AB_LOCK_FILE    "allocbenchd.lock"

struct store {
	struct run *runs;
	size_t nruns;
	size_t cap;
	size_t persisted; /* runs[0..persisted) are on disk */
	/* persistence; dir NULL = memory only */
	char *dir;
	int fd;                /* history opened O_APPEND, or -1 */
	int persist_ok;        /* 1 while the disk accepts appends */
	char persist_err[256]; /* why not, when persist_ok == 0 */
	int64_t retention_ms;  /* 0 = keep forever */
	int lock_wait_ms;      /* store_open waits this long for the lock */
	size_t max_bytes;      /* 0 = no cap */
	size_t file_bytes;     /* current size of the history file */
	/* what loading found */
	size_t loaded;  /* lines read as runs */
	size_t skipped; /* torn or corrupt lines skipped */
	size_t newer;   /* lines from a newer schema, kept verbatim */
	char **newer_lines;
	/* private: interned strings shared by the runs (so never run_clear
	 * a stored run) and store.c's bookkeeping */
	void *strings;
};

/* An empty, memory-only store. */
void store_init(struct store *);

/*
 * Opens (creating it if needed) DIR/history.jsonl and loads it into s,
 * which must be freshly initialised. Lines are counted in s->loaded,
 * s->skipped and s->newer, and each skipped or refused line is logged as
 * "history.jsonl:LINE: why" through `warn` (may be NULL). Runs older than
 * the retention are dropped and the file compacted when anything was
 * dropped or skipped. Never fatal: when the directory or file cannot be
 * used, the store works in memory with persist_ok = 0 and returns -1 with
 * the reason in err. The store holds an exclusive flock(2) on
 * DIR/allocbenchd.lock from here on, and takes it again before writing
 * whenever the directory or the lock file was removed or replaced. -2 means
 * another process still held it after s->lock_wait_ms (set it before; a
 * restarted daemon's lock can outlive the old process by a moment, held by
 * a child between fork and exec): nothing was read, and the store never
 * writes to DIR (nor does it later, if another process takes a recreated
 * lock).
 */
int store_open(struct store *s, const char *dir, int64_t now_ms,
    int64_t retention_ms, size_t max_bytes, void (*warn)(const char *msg),
    char *err, size_t errlen);

/*
 * Appends a deep copy of r in memory, then writes every run not yet on
 * disk and fsyncs. Returns 0 when r is durable on disk (or the store is
 * memory-only), -1 when it is only in memory (persist_ok is then 0 and
 * persist_err says why). A later append or store_retry writes the backlog.
 */
int store_append(struct store *s, const struct run *r);

/*
 * Tries to write the backlog now, and first makes sure the lock still
 * guards the directory (see store_open); with nothing pending that costs
 * two stat(2) calls, so the daemon calls it whenever it wakes up. Same
 * return as store_append.
 */
int store_retry(struct store *s);

/*
 * Drops runs with started_ms older than now - retention, then, if the file
 * would exceed max_bytes, the oldest runs until it fits in 7/8 of it (so a
 * full history is not rewritten on every append), and rewrites the history
 * atomically; with nothing to drop a healthy file is left alone. Returns 0,
 * or -1 with the reason in persist_err (the old file is then untouched).
 */
int store_compact(struct store *s, int64_t now_ms);

/* Which verified runs a statistic uses. */
struct store_filter {
	long iterations;     /* only runs of this size; 0 = any */
	int include_flagged; /* 0: leave out runs with any RUN_FLAG_* */
	const char *segment; /* only runs of this environment; NULL = any */
};

/*
 * Collects, oldest first, up to `max` (0 = all) of the newest runs of
 * `variant` with status RUN_OK that pass f (runs of different sizes or
 * environments are never mixed). Returns how many; *out is an array of
 * pointers into the store that the caller frees with free(3), valid until
 * the next change.
 */
size_t store_ok_runs(const struct store *, const char *variant,
    const struct store_filter *f, size_t max, const struct run ***out);

/* One more than the largest round id in the history; 0 when none. */
int64_t store_next_round(const struct store *s);

/*
 * The segment (environment fingerprint) of the newest verified run of
 * `variant` that has one, or NULL. Points into the store.
 */
const char *store_segment(const struct store *s, const char *variant);

/*
 * Counts the runs of `variant` by status into counts[RUN_NSTATUS]; *flagged
 * (if not NULL) gets the number of ok runs carrying a RUN_FLAG_*.
 */
void store_count(const struct store *, const char *variant,
    size_t counts[RUN_NSTATUS], size_t *flagged);

/*
 * The newest run of `variant`, or, when bad_only is set, its newest run
 * whose status is not RUN_OK. NULL when there is none.
 */
const struct run *store_last(const struct store *, const char *variant,
    int bad_only);

/*
 * Index of the first run (oldest first) with started_ms >= since_ms, by
 * binary search; runs are appended in start order. nruns when none.
 */
size_t store_since(const struct store *, int64_t since_ms);

/* Closes the file and frees everything; the store may be re-initialised. */
void store_free(struct store *);

#endif
