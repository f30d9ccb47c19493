/* SPDX-License-Identifier: MIT */
/*
 * Tests for catalog.c: the allocator and interpreter spec parsers with their
 * exact error messages, resolution against a fixture tree made under /tmp
 * (fake sonames, executables and non-executables on a fixture PATH) and
 * against the real system's library directories, and the variant matrix.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "check_main.h"
#include "runner.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The fixture tree, made once per test case under /tmp. */
static char fxroot[sizeof(AB_TEST_TMPDIR)];

static const struct {
	const char *path;
	int mode; /* 0 for a directory */
} fx_entries[] = {
    {"lib", 0},
    {"lib/libjemalloc.so.2", 0644},
    {"lib/libmimalloc.so.2", 0644},
    {"lib2", 0},
    {"lib2/libjemalloc.so", 0644},
    {"lib2/libmimalloc.so.2", 0644},
    {"custom", 0},
    {"custom/libcustom.so", 0644},
    {"custom/dir", 0},
    {"bin", 0},
    {"bin/fakepy", 0755},
    {"bin/otherpy", 0755},
    {"bin/python3", 0755},
    {"bin/noexec", 0644},
    {"bin/tool", 0755},
    {"bin/dirtool", 0755},
    {"bin2", 0},
    {"bin2/tool", 0644},
    {"bin2/dirtool", 0},
    {"late", 0},
};

/* FXROOT/rel in one of a ring of buffers, so a few can be used at once. */
static const char *
fx(const char *rel)
{
	static char bufs[8][256];
	static size_t next;
	char *b = bufs[next++ % NELEMS(bufs)];

	snprintf(b, sizeof(bufs[0]), "%s/%s", fxroot, rel);
	return b;
}

/* FXROOT/rel into buf, for paths that must outlive the fx() ring. */
static void
fx_at(char buf[256], const char *rel)
{
	snprintf(buf, 256, "%s/%s", fxroot, rel);
}

static void
fx_make_file(const char *rel, int mode)
{
	int fd;

	fd = open(fx(rel), O_WRONLY | O_CREAT | O_EXCL, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\177ELF", 4), 4);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
fx_setup(void)
{
	size_t i;

	ab_test_mkdtemp(fxroot, sizeof(fxroot));
	for (i = 0; i < NELEMS(fx_entries); i++) {
		if (fx_entries[i].mode == 0)
			ck_assert_int_eq(mkdir(fx(fx_entries[i].path), 0755),
			    0);
		else
			fx_make_file(fx_entries[i].path, fx_entries[i].mode);
	}
}

static void
fx_teardown(void)
{
	ab_test_rm_tree(fxroot);
}

static size_t
alloc_index(const struct catalog *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nallocs; i++)
		if (strcmp(c->allocs[i].name, name) == 0)
			return i;
	ck_abort_msg("no allocator %s", name);
	return 0;
}

static size_t
interp_index(const struct catalog *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ninterps; i++)
		if (strcmp(c->interps[i].name, name) == 0)
			return i;
	ck_abort_msg("no interpreter %s", name);
	return 0;
}

static void
add_alloc(struct catalog *c, const char *spec)
{
	char err[256] = "";

	ck_assert_msg(catalog_add_allocator(c, spec, err, sizeof(err)) == 0,
	    "%s: %s", spec, err);
}

static void
add_interp(struct catalog *c, const char *spec)
{
	char err[256] = "";

	ck_assert_msg(catalog_add_interpreter(c, spec, err, sizeof(err)) == 0,
	    "%s: %s", spec, err);
}

START_TEST(test_init_builtins)
{
	static const char *const names[] = {"glibc", "jemalloc", "tcmalloc",
	    "mimalloc"};
	struct catalog c;
	size_t i;

	catalog_init(&c);
	ck_assert_uint_eq(c.nallocs, NELEMS(names));
	for (i = 0; i < NELEMS(names); i++) {
		ck_assert_str_eq(c.allocs[i].name, names[i]);
		ck_assert_ptr_null(c.allocs[i].library);
		ck_assert_ptr_null(c.allocs[i].spec);
	}
	ck_assert_str_eq(c.allocs[0].name, AB_BASELINE);
	ck_assert_int_eq(c.allocs[0].available, 1);
	ck_assert_uint_eq(c.ninterps, 0);
	ck_assert_uint_eq(c.nvariants, 0);
	catalog_free(&c);
	ck_assert_ptr_null(c.allocs);
	ck_assert_uint_eq(c.nallocs, 0);
}
END_TEST

START_TEST(test_free_zeroed)
{
	struct catalog c;

	memset(&c, 0, sizeof(c));
	catalog_free(&c);
	catalog_free(&c);
	catalog_init(&c);
	catalog_free(&c);
	catalog_free(&c);
	ck_assert_ptr_null(c.variants);
}
END_TEST

static const struct {
	const char *spec;
	const char *name;
	const char *path;
	size_t index;   /* where the allocator ends up */
	size_t nallocs; /* after the addition */
} alloc_good[] = {
    {"hoard=/opt/hoard/libhoard.so", "hoard", "/opt/hoard/libhoard.so", 4, 5},
    {"snmalloc-0.7_x+y.z=/usr/lib/libsnmallocshim.so", "snmalloc-0.7_x+y.z",
        "/usr/lib/libsnmallocshim.so", 4, 5},
    {"abcdefghijklmnopqrstuvwxyz012345=/a.so",
        "abcdefghijklmnopqrstuvwxyz012345", "/a.so", 4, 5},
    {"odd=/opt/a=b/lib.so", "odd", "/opt/a=b/lib.so", 4, 5},
    /* A built-in's name replaces its search, in place. */
    {"jemalloc=/opt/je/lib/libjemalloc.so.2", "jemalloc",
        "/opt/je/lib/libjemalloc.so.2", 1, 4},
    {"mimalloc=/opt/mi/libmimalloc.so", "mimalloc", "/opt/mi/libmimalloc.so", 3,
        4},
};

START_TEST(test_alloc_parse_good)
{
	struct catalog c;
	char err[256];
	size_t i;

	for (i = 0; i < NELEMS(alloc_good); i++) {
		catalog_init(&c);
		err[0] = '\0';
		ck_assert_msg(catalog_add_allocator(&c, alloc_good[i].spec, err,
		                  sizeof(err)) == 0,
		    "%s: %s", alloc_good[i].spec, err);
		ck_assert_uint_eq(c.nallocs, alloc_good[i].nallocs);
		ck_assert_str_eq(c.allocs[alloc_good[i].index].name,
		    alloc_good[i].name);
		ck_assert_str_eq(c.allocs[alloc_good[i].index].spec,
		    alloc_good[i].path);
		ck_assert_ptr_null(c.allocs[alloc_good[i].index].library);
		catalog_free(&c);
	}
}
END_TEST

static const struct {
	const char *before; /* added first, or NULL */
	const char *spec;
	const char *err;
} alloc_bad[] = {
    {NULL, "hoard", "allocator 'hoard': want NAME=PATH"},
    {NULL, "", "allocator '': want NAME=PATH"},
    {NULL, "=/x.so", "allocator '=/x.so': empty name"},
    {NULL, "abcdefghijklmnopqrstuvwxyz0123456=/x.so",
        "allocator 'abcdefghijklmnopqrstuvwxyz0123456': name longer than 32 "
        "characters"},
    {NULL, "my alloc=/x.so",
        "allocator 'my alloc': name may only hold letters, digits and ._+-"},
    {NULL, "..=/x.so", "allocator '..': name may not start with '.'"},
    {NULL, "a/b=/x.so",
        "allocator 'a/b': name may only hold letters, digits and ._+-"},
    {NULL, "a\"b=/x.so",
        "allocator 'a\"b': name may only hold letters, digits and ._+-"},
    {NULL, "a\\b=/x.so",
        "allocator 'a\\b': name may only hold letters, digits and ._+-"},
    {NULL, "a\nb=/x.so",
        "allocator 'a\nb': name may only hold letters, digits and ._+-"},
    {NULL, "a{b}=/x.so",
        "allocator 'a{b}': name may only hold letters, digits and ._+-"},
    {NULL, "glibc=/lib/libc.so.6",
        "allocator 'glibc': the baseline cannot be replaced"},
    {NULL, "hoard=", "allocator 'hoard': empty path"},
    {NULL, "hoard=lib/libhoard.so",
        "allocator 'hoard': path 'lib/libhoard.so' is not absolute"},
    {NULL, "hoard=./libhoard.so",
        "allocator 'hoard': path './libhoard.so' is not absolute"},
    {"hoard=/a.so", "hoard=/b.so", "allocator 'hoard': given twice"},
    {"jemalloc=/a.so", "jemalloc=/b.so", "allocator 'jemalloc': given twice"},
};

START_TEST(test_alloc_parse_bad)
{
	struct catalog c;
	char err[256];
	size_t i, n;

	for (i = 0; i < NELEMS(alloc_bad); i++) {
		catalog_init(&c);
		if (alloc_bad[i].before != NULL)
			add_alloc(&c, alloc_bad[i].before);
		n = c.nallocs;
		err[0] = '\0';
		ck_assert_int_eq(catalog_add_allocator(&c, alloc_bad[i].spec,
		                     err, sizeof(err)),
		    -1);
		ck_assert_str_eq(err, alloc_bad[i].err);
		ck_assert_uint_eq(c.nallocs, n);
		catalog_free(&c);
	}
}
END_TEST

static const struct {
	const char *spec;
	const char *name;
	const char *command;
	const char *env; /* entries joined by spaces */
} interp_good[] = {
    {"python3", "python3", "python3", ""},
    {"pypy3", "pypy3", "pypy3", ""},
    {"python2.7=/root/.pyenv/versions/2.7.18/bin/python2.7", "python2.7",
        "/root/.pyenv/versions/2.7.18/bin/python2.7", ""},
    {"py3raw=/usr/bin/python3,PYTHONMALLOC=malloc", "py3raw",
        "/usr/bin/python3", "PYTHONMALLOC=malloc"},
    {"python3,PYTHONMALLOC=pymalloc", "python3", "python3",
        "PYTHONMALLOC=pymalloc"},
    {"py3=python3,PYTHONMALLOC=malloc,PYTHONDEVMODE=,_X1=a=b", "py3", "python3",
        "PYTHONMALLOC=malloc PYTHONDEVMODE= _X1=a=b"},
    {"py,LD_LIBRARY_PATH=/opt/lib", "py", "py", "LD_LIBRARY_PATH=/opt/lib"},
};

START_TEST(test_interp_parse_good)
{
	struct catalog c;
	char err[256], env[256];
	size_t i, j, len;

	for (i = 0; i < NELEMS(interp_good); i++) {
		catalog_init(&c);
		err[0] = '\0';
		ck_assert_msg(catalog_add_interpreter(&c, interp_good[i].spec,
		                  err, sizeof(err)) == 0,
		    "%s: %s", interp_good[i].spec, err);
		ck_assert_uint_eq(c.ninterps, 1);
		ck_assert_str_eq(c.interps[0].name, interp_good[i].name);
		ck_assert_str_eq(c.interps[0].command, interp_good[i].command);
		ck_assert_ptr_null(c.interps[0].path);
		ck_assert_ptr_nonnull(c.interps[0].env);
		env[0] = '\0';
		for (j = 0; c.interps[0].env[j] != NULL; j++) {
			len = strlen(env);
			snprintf(env + len, sizeof(env) - len, "%s%s",
			    j > 0 ? " " : "", c.interps[0].env[j]);
		}
		ck_assert_str_eq(env, interp_good[i].env);
		catalog_free(&c);
	}
}
END_TEST

static const struct {
	const char *before; /* added first, or NULL */
	const char *spec;
	const char *err;
} interp_bad[] = {
    {NULL, "", "interpreter '': empty name"},
    {NULL, "=/usr/bin/python3", "interpreter '=/usr/bin/python3': empty name"},
    {NULL, ",FOO=1", "interpreter ',FOO=1': empty name"},
    {NULL, "py 3",
        "interpreter 'py 3': name may only hold letters, digits and ._+-"},
    /* names become Prometheus label values and URL parts: refused here,
     * and escaped by /metrics all the same */
    {NULL, "py\"3",
        "interpreter 'py\"3': name may only hold letters, digits and ._+-"},
    {NULL, "py\\3=/usr/bin/python3",
        "interpreter 'py\\3': name may only hold letters, digits and ._+-"},
    {NULL, "py\n3",
        "interpreter 'py\n3': name may only hold letters, digits and ._+-"},
    {NULL, "py}3",
        "interpreter 'py}3': name may only hold letters, digits and ._+-"},
    {NULL, "caf\xc3\xa9",
        "interpreter 'caf\xc3\xa9': name may only hold letters, digits and "
        "._+-"},
    {NULL, "py/3=/usr/bin/python3",
        "interpreter 'py/3': name may only hold letters, digits and ._+-"},
    {NULL, "abcdefghijklmnopqrstuvwxyz0123456",
        "interpreter 'abcdefghijklmnopqrstuvwxyz0123456': name longer than 32 "
        "characters"},
    {NULL, "py3=", "interpreter 'py3': empty command"},
    {NULL, "py3=,A=1", "interpreter 'py3': empty command"},
    {NULL, "py3=bin/python3",
        "interpreter 'py3': command 'bin/python3' is not absolute"},
    {NULL, "py3=/usr/bin/python3,FOO",
        "interpreter 'py3': bad environment entry 'FOO' (want KEY=VALUE)"},
    {NULL, "py3,=x",
        "interpreter 'py3': bad environment entry '=x' (want KEY=VALUE)"},
    {NULL, "py3,",
        "interpreter 'py3': bad environment entry '' (want "
        "KEY=VALUE)"},
    {NULL, "py3,A=1,,B=2",
        "interpreter 'py3': bad environment entry '' (want KEY=VALUE)"},
    {NULL, "py3,1X=y", "interpreter 'py3': bad environment name '1X'"},
    {NULL, "py3,MY-VAR=y", "interpreter 'py3': bad environment name 'MY-VAR'"},
    {NULL, "py3,LD_PRELOAD=/x.so",
        "interpreter 'py3': LD_PRELOAD may not be set (the allocator is "
        "preloaded)"},
    {NULL, "py3,A=1,A=2",
        "interpreter 'py3': environment variable 'A' given twice"},
    {"python3", "python3=/usr/bin/python3",
        "interpreter 'python3': given "
        "twice"},
    {"py3=/usr/bin/python3,A=1", "py3,B=2", "interpreter 'py3': given twice"},
};

START_TEST(test_interp_parse_bad)
{
	struct catalog c;
	char err[256];
	size_t i, n;

	for (i = 0; i < NELEMS(interp_bad); i++) {
		catalog_init(&c);
		if (interp_bad[i].before != NULL)
			add_interp(&c, interp_bad[i].before);
		n = c.ninterps;
		err[0] = '\0';
		ck_assert_int_eq(catalog_add_interpreter(&c, interp_bad[i].spec,
		                     err, sizeof(err)),
		    -1);
		ck_assert_str_eq(err, interp_bad[i].err);
		ck_assert_uint_eq(c.ninterps, n);
		catalog_free(&c);
	}
}
END_TEST

START_TEST(test_resolve_fixture_libdir)
{
	static const struct {
		const char *name;
		const char *library; /* relative to the fixture; NULL: none */
		int available;
	} want[] = {
	    {"glibc", NULL, 1},
	    {"jemalloc", "lib/libjemalloc.so.2", 1},
	    {"tcmalloc", NULL, 0},
	    {"mimalloc", "lib/libmimalloc.so.2", 1},
	};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	struct catalog c;
	char reason[512];
	size_t i;

	fx_at(dir, "lib");
	catalog_init(&c);
	add_interp(&c, "fakepy");
	catalog_resolve(&c, libdirs, fx("bin"));
	ck_assert_uint_eq(c.nallocs, NELEMS(want));
	for (i = 0; i < NELEMS(want); i++) {
		ck_assert_str_eq(c.allocs[i].name, want[i].name);
		ck_assert_int_eq(c.allocs[i].available, want[i].available);
		if (want[i].library != NULL)
			ck_assert_str_eq(c.allocs[i].library,
			    fx(want[i].library));
		else
			ck_assert_ptr_null(c.allocs[i].library);
		if (want[i].available)
			ck_assert_ptr_null(c.allocs[i].reason);
	}
	snprintf(reason, sizeof(reason),
	    "libtcmalloc_minimal.so.4 not found in %s (Debian: apt-get "
	    "install libtcmalloc-minimal4)",
	    fx("lib"));
	ck_assert_str_eq(c.allocs[2].reason, reason);
	catalog_free(&c);
}
END_TEST

START_TEST(test_resolve_search_order)
{
	static const struct {
		const char *dirs[3]; /* relative to the fixture */
		const char *alloc;
		const char *library; /* relative; NULL: unavailable */
	} cases[] = {
	    /* The versioned soname beats an earlier directory's bare .so. */
	    {{"lib2", "lib", NULL}, "jemalloc", "lib/libjemalloc.so.2"},
	    /* For one soname the earlier directory wins. */
	    {{"lib2", "lib", NULL}, "mimalloc", "lib2/libmimalloc.so.2"},
	    {{"lib", "lib2", NULL}, "mimalloc", "lib/libmimalloc.so.2"},
	    /* The bare .so is the last resort. */
	    {{"lib2", NULL, NULL}, "jemalloc", "lib2/libjemalloc.so"},
	    {{"lib/", NULL, NULL}, "jemalloc", "lib/libjemalloc.so.2"},
	    {{"custom", NULL, NULL}, "jemalloc", NULL},
	    {{NULL, NULL, NULL}, "mimalloc", NULL},
	};
	char dirs[2][256];
	const char *libdirs[3];
	struct catalog c;
	size_t i, j, k;

	for (i = 0; i < NELEMS(cases); i++) {
		for (j = 0; cases[i].dirs[j] != NULL; j++) {
			fx_at(dirs[j], cases[i].dirs[j]);
			libdirs[j] = dirs[j];
		}
		libdirs[j] = NULL;
		catalog_init(&c);
		add_interp(&c, "fakepy");
		catalog_resolve(&c, libdirs, fx("bin"));
		k = alloc_index(&c, cases[i].alloc);
		if (cases[i].library == NULL) {
			ck_assert_int_eq(c.allocs[k].available, 0);
			ck_assert_ptr_null(c.allocs[k].library);
			ck_assert_ptr_nonnull(
			    strstr(c.allocs[k].reason, " not found in "));
		} else {
			ck_assert_int_eq(c.allocs[k].available, 1);
			ck_assert_str_eq(c.allocs[k].library,
			    fx(cases[i].library));
		}
		catalog_free(&c);
	}
}
END_TEST

static size_t
dir_index(const char *const *dirs, const char *dir)
{
	size_t i;

	for (i = 0; dirs[i] != NULL; i++)
		if (strcmp(dirs[i], dir) == 0)
			return i;
	return (size_t)-1;
}

START_TEST(test_default_libdirs)
{
	static const char *const order[] = {"/usr/local/lib",
	    "/usr/lib/" AB_MULTIARCH, "/lib/" AB_MULTIARCH, "/usr/lib64",
	    "/lib64", "/usr/lib", "/lib"};
	const char *const *dirs = catalog_libdirs();
	size_t i, j, prev = 0, at;

	ck_assert_ptr_eq(catalog_libdirs(), dirs);
	ck_assert_str_eq(dirs[0], AB_JEMALLOC_LIBDIR);
	for (i = 0; i < NELEMS(order); i++) {
		at = dir_index(dirs, order[i]);
		if (AB_MULTIARCH[0] == '\0' && (i == 1 || i == 2)) {
			ck_assert_uint_eq(at, (size_t)-1);
			continue;
		}
		ck_assert_msg(at != (size_t)-1, "%s missing", order[i]);
		if (at == 0) /* the same as AB_JEMALLOC_LIBDIR */
			continue;
		ck_assert_msg(at > prev, "%s out of order", order[i]);
		prev = at;
	}
	for (i = 0; dirs[i] != NULL; i++) {
		ck_assert_str_ne(dirs[i], "");
		for (j = i + 1; dirs[j] != NULL; j++)
			ck_assert_str_ne(dirs[i], dirs[j]);
	}
}
END_TEST

START_TEST(test_resolve_real_system)
{
	static const struct {
		const char *name;
		const char *soname;
	} want[] = {
	    {"jemalloc", "libjemalloc.so.2"},
	    {"tcmalloc", "libtcmalloc_minimal.so.4"},
	    {"mimalloc", "libmimalloc.so.2"},
	};
	struct catalog c;
	char expect[512];
	const char *p;
	size_t i, k;

	catalog_init(&c);
	catalog_resolve(&c, NULL, NULL);
	for (i = 0; i < NELEMS(want); i++) {
		k = alloc_index(&c, want[i].name);
		ck_assert_msg(c.allocs[k].available, "%s: %s", want[i].name,
		    c.allocs[k].reason);
		if (AB_MULTIARCH[0] != '\0') {
			snprintf(expect, sizeof(expect), "/usr/lib/%s/%s",
			    AB_MULTIARCH, want[i].soname);
			ck_assert_str_eq(c.allocs[k].library, expect);
		} else {
			p = strrchr(c.allocs[k].library, '/');
			ck_assert_ptr_nonnull(p);
			ck_assert_str_eq(p + 1, want[i].soname);
		}
	}
	/* python3 by default, looked up in the clean PATH. */
	ck_assert_uint_eq(c.ninterps, 1);
	ck_assert_str_eq(c.interps[0].name, "python3");
	ck_assert_msg(c.interps[0].available, "%s", c.interps[0].reason);
	p = strrchr(c.interps[0].path, '/');
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "/python3");
	snprintf(expect, sizeof(expect), ":%.*s:", (int)(p - c.interps[0].path),
	    c.interps[0].path);
	ck_assert_msg(strstr(":" AB_CLEAN_PATH ":", expect) != NULL,
	    "%s is not in %s", c.interps[0].path, AB_CLEAN_PATH);
	catalog_free(&c);
}
END_TEST

START_TEST(test_variants_matrix)
{
	static const struct {
		const char *id;
		size_t interp, alloc;
		int available;
	} want[] = {
	    {"fakepy/glibc", 0, 0, 1},
	    {"fakepy/jemalloc", 0, 1, 1},
	    {"fakepy/tcmalloc", 0, 2, 0},
	    {"fakepy/mimalloc", 0, 3, 1},
	    {"fakepy/custom", 0, 4, 1},
	    {"otherpy/glibc", 1, 0, 1},
	    {"otherpy/jemalloc", 1, 1, 1},
	    {"otherpy/tcmalloc", 1, 2, 0},
	    {"otherpy/mimalloc", 1, 3, 1},
	    {"otherpy/custom", 1, 4, 1},
	};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	const struct variant *v;
	struct catalog c;
	char spec[256];
	size_t i;

	fx_at(dir, "lib");
	catalog_init(&c);
	snprintf(spec, sizeof(spec), "custom=%s", fx("custom/libcustom.so"));
	add_alloc(&c, spec);
	add_interp(&c, "fakepy");
	add_interp(&c, "otherpy");
	catalog_resolve(&c, libdirs, fx("bin"));
	ck_assert_uint_eq(c.nvariants, NELEMS(want));
	ck_assert_str_eq(c.allocs[4].library, fx("custom/libcustom.so"));
	for (i = 0; i < NELEMS(want); i++) {
		v = &c.variants[i];
		ck_assert_str_eq(v->id, want[i].id);
		ck_assert_uint_eq(v->interp, want[i].interp);
		ck_assert_uint_eq(v->alloc, want[i].alloc);
		ck_assert_int_eq(v->available, want[i].available);
		if (v->available)
			ck_assert_ptr_null(v->reason);
		else /* borrowed, not copied */
			ck_assert_ptr_eq(v->reason, c.allocs[v->alloc].reason);
		ck_assert_ptr_eq(catalog_find(&c, want[i].id), v);
	}
	catalog_free(&c);
}
END_TEST

START_TEST(test_unavailable_interpreter)
{
	static const struct {
		const char *spec; /* "@" stands for the fixture root */
		const char *name;
		const char *reason; /* "@" likewise; NULL when available */
	} want[] = {
	    {"fakepy", "fakepy", NULL},
	    {"missing", "missing", "missing: not found in @/bin"},
	    {"noexec", "noexec", "noexec: not found in @/bin"},
	    {"abs=@/bin/fakepy", "abs", NULL},
	    {"absnx=@/bin/noexec", "absnx", "@/bin/noexec: not executable"},
	    {"gone=@/bin/gone", "gone",
	        "@/bin/gone: No such file or directory"},
	    {"dir=@/custom/dir", "dir", "@/custom/dir: not a regular file"},
	};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	const struct variant *v;
	struct catalog c;
	char buf[512], id[128];
	const char *s;
	size_t i, k, j;

	fx_at(dir, "lib");
	catalog_init(&c);
	for (i = 0; i < NELEMS(want); i++) {
		/* Substitute the fixture root for "@". */
		s = strchr(want[i].spec, '@');
		if (s != NULL)
			snprintf(buf, sizeof(buf), "%.*s%s%s",
			    (int)(s - want[i].spec), want[i].spec, fxroot,
			    s + 1);
		else
			snprintf(buf, sizeof(buf), "%s", want[i].spec);
		add_interp(&c, buf);
	}
	catalog_resolve(&c, libdirs, fx("bin"));
	ck_assert_uint_eq(c.nvariants, NELEMS(want) * 4);
	for (i = 0; i < NELEMS(want); i++) {
		k = interp_index(&c, want[i].name);
		ck_assert_uint_eq(k, i);
		if (want[i].reason == NULL) {
			ck_assert_msg(c.interps[k].available, "%s: %s",
			    want[i].name, c.interps[k].reason);
			ck_assert_ptr_nonnull(c.interps[k].path);
		} else {
			s = strchr(want[i].reason, '@');
			if (s != NULL)
				snprintf(buf, sizeof(buf), "%.*s%s%s",
				    (int)(s - want[i].reason), want[i].reason,
				    fxroot, s + 1);
			else
				snprintf(buf, sizeof(buf), "%s",
				    want[i].reason);
			ck_assert_int_eq(c.interps[k].available, 0);
			ck_assert_ptr_null(c.interps[k].path);
			ck_assert_str_eq(c.interps[k].reason, buf);
		}
		for (j = 0; j < c.nallocs; j++) {
			snprintf(id, sizeof(id), "%s/%s", want[i].name,
			    c.allocs[j].name);
			v = catalog_find(&c, id);
			ck_assert_ptr_nonnull(v);
			ck_assert_int_eq(v->available,
			    c.interps[k].available && c.allocs[j].available);
			/* The interpreter's reason comes first. */
			if (!c.interps[k].available)
				ck_assert_ptr_eq(v->reason,
				    c.interps[k].reason);
			else if (!c.allocs[j].available)
				ck_assert_ptr_eq(v->reason, c.allocs[j].reason);
			else
				ck_assert_ptr_null(v->reason);
		}
	}
	ck_assert_str_eq(c.interps[interp_index(&c, "abs")].path,
	    fx("bin/fakepy"));
	catalog_free(&c);
}
END_TEST

START_TEST(test_path_lookup)
{
	static const struct {
		const char *path; /* "@" stands for the fixture root */
		const char *command;
		const char *found; /* relative to the fixture; NULL: none */
	} cases[] = {
	    {"@/bin", "fakepy", "bin/fakepy"},
	    /* Non-executables and directories are passed over. */
	    {"@/bin2:@/bin", "tool", "bin/tool"},
	    {"@/bin2:@/bin", "dirtool", "bin/dirtool"},
	    {"@/bin2", "tool", NULL},
	    {"@/bin:@/bin2", "tool", "bin/tool"},
	    /* Empty and relative entries are skipped, slashes trimmed. */
	    {"::bin:@/bin/", "fakepy", "bin/fakepy"},
	    {"", "fakepy", NULL},
	};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	struct catalog c;
	char path[512], spec[64], reason[600];
	const char *s, *d;
	char *o;
	size_t i;

	fx_at(dir, "lib");
	for (i = 0; i < NELEMS(cases); i++) {
		/* Expand every "@" in the PATH. */
		o = path;
		for (s = cases[i].path; *s != '\0'; s++) {
			d = *s == '@' ? fxroot : NULL;
			if (d != NULL) {
				memcpy(o, d, strlen(d));
				o += strlen(d);
			} else
				*o++ = *s;
		}
		*o = '\0';
		catalog_init(&c);
		snprintf(spec, sizeof(spec), "t=%s", cases[i].command);
		add_interp(&c, spec);
		catalog_resolve(&c, libdirs, path);
		if (cases[i].found != NULL) {
			ck_assert_msg(c.interps[0].available, "case %zu: %s", i,
			    c.interps[0].reason);
			ck_assert_str_eq(c.interps[0].path, fx(cases[i].found));
		} else {
			snprintf(reason, sizeof(reason), "%s: not found in %s",
			    cases[i].command, path);
			ck_assert_int_eq(c.interps[0].available, 0);
			ck_assert_str_eq(c.interps[0].reason, reason);
		}
		catalog_free(&c);
	}
}
END_TEST

START_TEST(test_override_builtin)
{
	static const struct {
		const char *name;
		const char *path;   /* "@" prefix: in the fixture */
		const char *reason; /* suffix after the path; NULL: found */
	} cases[] = {
	    {"jemalloc", "@/custom/libcustom.so", NULL},
	    /* Not searched for, although the fixture libdir has it. */
	    {"mimalloc", "/nonexistent/libmimalloc.so.2",
	        ": No such file or directory"},
	    {"tcmalloc", "@/custom/dir", ": not a regular file"},
	    {"hoard", "/nonexistent/x.so", ": No such file or directory"},
	};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	struct catalog c;
	char path[256], spec[300], reason[400];
	size_t i, k;

	fx_at(dir, "lib");
	for (i = 0; i < NELEMS(cases); i++) {
		if (cases[i].path[0] == '@')
			snprintf(path, sizeof(path), "%s%s", fxroot,
			    cases[i].path + 1);
		else
			snprintf(path, sizeof(path), "%s", cases[i].path);
		snprintf(spec, sizeof(spec), "%s=%s", cases[i].name, path);
		catalog_init(&c);
		add_alloc(&c, spec);
		add_interp(&c, "fakepy");
		catalog_resolve(&c, libdirs, fx("bin"));
		ck_assert_uint_eq(c.nallocs,
		    strcmp(cases[i].name, "hoard") == 0 ? 5 : 4);
		k = alloc_index(&c, cases[i].name);
		ck_assert_str_eq(c.allocs[k].spec, path);
		if (cases[i].reason == NULL) {
			ck_assert_int_eq(c.allocs[k].available, 1);
			ck_assert_str_eq(c.allocs[k].library, path);
			ck_assert_ptr_null(c.allocs[k].reason);
		} else {
			snprintf(reason, sizeof(reason), "%s%s", path,
			    cases[i].reason);
			ck_assert_int_eq(c.allocs[k].available, 0);
			ck_assert_ptr_null(c.allocs[k].library);
			ck_assert_str_eq(c.allocs[k].reason, reason);
		}
		catalog_free(&c);
	}
}
END_TEST

START_TEST(test_find_and_baseline)
{
	static const struct {
		const char *id;
		const char *baseline; /* NULL: no such variant */
	} cases[] = {
	    {"fakepy/glibc", "fakepy/glibc"},
	    {"fakepy/jemalloc", "fakepy/glibc"},
	    {"fakepy/tcmalloc", "fakepy/glibc"},
	    {"otherpy/mimalloc", "otherpy/glibc"},
	    {"missing/jemalloc", "missing/glibc"},
	    {"fakepy/nope", NULL},
	    {"fakepy", NULL},
	    {"glibc", NULL},
	    {"", NULL},
	};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	const struct variant *v, *b;
	struct catalog c;
	size_t i;

	fx_at(dir, "lib");
	catalog_init(&c);
	add_interp(&c, "fakepy");
	add_interp(&c, "otherpy");
	add_interp(&c, "missing");
	catalog_resolve(&c, libdirs, fx("bin"));
	for (i = 0; i < NELEMS(cases); i++) {
		v = catalog_find(&c, cases[i].id);
		if (cases[i].baseline == NULL) {
			ck_assert_ptr_null(v);
			continue;
		}
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(v->id, cases[i].id);
		b = catalog_baseline_of(&c, v);
		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(b->id, cases[i].baseline);
		ck_assert_uint_eq(b->interp, v->interp);
		ck_assert_str_eq(c.allocs[b->alloc].name, AB_BASELINE);
	}
	ck_assert_ptr_null(catalog_baseline_of(&c, NULL));
	catalog_free(&c);
}
END_TEST

START_TEST(test_default_interpreter)
{
	static const char *const ids[] = {"python3/glibc", "python3/jemalloc",
	    "python3/tcmalloc", "python3/mimalloc"};
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	struct catalog c;
	size_t i;

	fx_at(dir, "lib");
	catalog_init(&c);
	catalog_resolve(&c, libdirs, fx("bin"));
	ck_assert_uint_eq(c.ninterps, 1);
	ck_assert_str_eq(c.interps[0].name, "python3");
	ck_assert_str_eq(c.interps[0].command, "python3");
	ck_assert_ptr_nonnull(c.interps[0].env);
	ck_assert_ptr_null(c.interps[0].env[0]);
	ck_assert_str_eq(c.interps[0].path, fx("bin/python3"));
	ck_assert_uint_eq(c.nvariants, NELEMS(ids));
	for (i = 0; i < NELEMS(ids); i++)
		ck_assert_str_eq(c.variants[i].id, ids[i]);
	catalog_free(&c);
}
END_TEST

START_TEST(test_resolve_again)
{
	char dir[256];
	const char *libdirs[] = {dir, NULL};
	struct catalog c;
	size_t je, i;

	fx_at(dir, "late");
	catalog_init(&c);
	add_interp(&c, "fakepy");
	catalog_resolve(&c, libdirs, fx("bin"));
	je = alloc_index(&c, "jemalloc");
	ck_assert_int_eq(c.allocs[je].available, 0);
	ck_assert_ptr_eq(catalog_find(&c, "fakepy/jemalloc")->reason,
	    c.allocs[je].reason);
	ck_assert_uint_eq(c.nvariants, 4);

	/* The library appears and an interpreter is added. */
	fx_make_file("late/libjemalloc.so.2", 0644);
	add_interp(&c, "otherpy");
	catalog_resolve(&c, libdirs, fx("bin"));
	ck_assert_int_eq(c.allocs[je].available, 1);
	ck_assert_ptr_null(c.allocs[je].reason);
	ck_assert_str_eq(c.allocs[je].library, fx("late/libjemalloc.so.2"));
	ck_assert_uint_eq(c.nvariants, 8);
	ck_assert_int_eq(catalog_find(&c, "fakepy/jemalloc")->available, 1);
	ck_assert_int_eq(catalog_find(&c, "otherpy/jemalloc")->available, 1);
	ck_assert_int_eq(catalog_find(&c, "otherpy/tcmalloc")->available, 0);

	/* And disappears again; a third pass changes nothing else. */
	ck_assert_int_eq(unlink(fx("late/libjemalloc.so.2")), 0);
	for (i = 0; i < 2; i++) {
		catalog_resolve(&c, libdirs, fx("bin"));
		ck_assert_uint_eq(c.ninterps, 2);
		ck_assert_uint_eq(c.nvariants, 8);
		ck_assert_int_eq(c.allocs[je].available, 0);
		ck_assert_ptr_null(c.allocs[je].library);
		ck_assert_ptr_nonnull(
		    strstr(c.allocs[je].reason, "libjemalloc.so.2 not found"));
	}
	catalog_free(&c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *parse = tcase_create("parse");
	TCase *resolve = tcase_create("resolve");

	tcase_add_test(parse, test_init_builtins);
	tcase_add_test(parse, test_free_zeroed);
	tcase_add_test(parse, test_alloc_parse_good);
	tcase_add_test(parse, test_alloc_parse_bad);
	tcase_add_test(parse, test_interp_parse_good);
	tcase_add_test(parse, test_interp_parse_bad);
	tcase_add_test(parse, test_default_libdirs);
	suite_add_tcase(s, parse);

	tcase_add_unchecked_fixture(resolve, fx_setup, fx_teardown);
	tcase_add_test(resolve, test_resolve_fixture_libdir);
	tcase_add_test(resolve, test_resolve_search_order);
	tcase_add_test(resolve, test_resolve_real_system);
	tcase_add_test(resolve, test_variants_matrix);
	tcase_add_test(resolve, test_unavailable_interpreter);
	tcase_add_test(resolve, test_path_lookup);
	tcase_add_test(resolve, test_override_builtin);
	tcase_add_test(resolve, test_find_and_baseline);
	tcase_add_test(resolve, test_default_interpreter);
	tcase_add_test(resolve, test_resolve_again);
	suite_add_tcase(s, resolve);
	return s;
}

AB_CHECK_MAIN(suite)
