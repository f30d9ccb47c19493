/* SPDX-License-Identifier: MIT */
/*
 * The allocators and interpreters to measure, and the variants they make:
 * the built-in allocators (glibc, jemalloc, tcmalloc, mimalloc) found by
 * soname in the system library directories, user additions NAME=PATH, and
 * the interpreters (python3 unless the user names others). A missing library
 * or interpreter makes its variants unavailable with a reason; it never
 * stops the others.
 */
#ifndef AB_CATALOG_H
#define AB_CATALOG_H

#include <stddef.h>

#define AB_BASELINE "glibc"
#define AB_NAME_MAX 32

struct allocator {
	char *name;
	char *library; /* resolved path to preload; NULL for glibc */
	char *spec;    /* user-given path, NULL for a built-in */
	int available;
	char *reason; /* why unavailable, else NULL */
};

struct interpreter {
	char *name;
	char *command; /* as given: a path, or a name looked up in PATH */
	char *path;    /* resolved absolute path, NULL if not found */
	char **env;    /* extra "K=V", NULL-terminated (never NULL itself) */
	int available;
	char *reason;
};

struct variant {
	char *id;      /* "INTERPRETER/ALLOCATOR" */
	size_t interp; /* index into catalog.interps */
	size_t alloc;  /* index into catalog.allocs */
	int available;
	const char *reason; /* borrowed from the allocator or interpreter */
};

struct catalog {
	struct allocator *allocs;
	size_t nallocs;
	struct interpreter *interps;
	size_t ninterps;
	struct variant *variants;
	size_t nvariants;
};

/* Empties c and adds the four built-in allocators, unresolved. */
void catalog_init(struct catalog *c);

/*
 * Adds "NAME=PATH". A name of a built-in other than glibc replaces its
 * search with PATH; a repeated user name, a bad name (allowed: letters,
 * digits, "._+-", at most AB_NAME_MAX), glibc, or an empty or relative
 * PATH is an error. Returns 0, or -1 with the message in err.
 */
int catalog_add_allocator(struct catalog *c, const char *spec, char *err,
    size_t errlen);

/*
 * Adds "NAME[=COMMAND][,KEY=VAL...]": COMMAND defaults to NAME and is looked
 * up in the clean PATH unless it contains a slash. KEY must not be
 * LD_PRELOAD. Duplicate names are an error. Returns 0, or -1 with err set.
 */
int catalog_add_interpreter(struct catalog *c, const char *spec, char *err,
    size_t errlen);

/*
 * Locates libraries and interpreters and builds the variants, interpreter
 * major, allocator minor, baseline first. libdirs (NULL-terminated) are the
 * directories searched for built-in sonames; NULL means catalog_libdirs().
 * path is the PATH used for interpreter names; NULL means AB_CLEAN_PATH.
 * Adds python3 when no interpreter was added. Can be called again after
 * more additions.
 */
void catalog_resolve(struct catalog *c, const char *const *libdirs,
    const char *path);

/* The default library search directories (static storage). */
const char *const *catalog_libdirs(void);

/* Returns the variant with that id, or NULL. */
const struct variant *catalog_find(const struct catalog *c, const char *id);

/* Returns the baseline variant of v's interpreter, or NULL. */
const struct variant *catalog_baseline_of(const struct catalog *c,
    const struct variant *v);

struct conf;

/*
 * Builds the catalogue for the configuration c, for --once, the daemon and
 * SIGHUP alike: its allocators and interpreters, resolved, with the
 * allocators it disables (enabled = no) and their variants unavailable.
 * Returns 0, or -1 with the first entry that could not be added in err
 * (the others are still there). Free with catalog_free either way.
 */
int catalog_from_conf(struct catalog *cat, const struct conf *c, char *err,
    size_t errlen);

/* Frees everything c owns; c may be re-initialised after. */
void catalog_free(struct catalog *c);

#endif
