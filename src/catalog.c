/* SPDX-License-Identifier: MIT */
/*
 * The catalogue of allocators and interpreters and the variants they make.
 * Adding entries only parses and validates (errors go to the caller's
 * buffer); catalog_resolve is the only part that looks at the file system:
 * it finds built-in allocators by soname in the library directories, checks
 * user libraries and interpreters, and rebuilds the variants from scratch
 * every time it runs.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "conf.h"
#include "run.h"
#include "xmalloc.h"

struct builtin {
	const char *name;
	const char *sonames[4]; /* tried in order, NULL-terminated */
	const char *package;    /* the Debian package that ships sonames[0] */
};

/* The baseline first: its index is the allocator-minor order's origin. */
static const struct builtin builtins[] = {
    {AB_BASELINE, {NULL}, NULL},
    {"jemalloc", {"libjemalloc.so.2", "libjemalloc.so", NULL}, "libjemalloc2"},
    {"tcmalloc", {"libtcmalloc_minimal.so.4", "libtcmalloc_minimal.so", NULL},
        "libtcmalloc-minimal4"},
    {"mimalloc",
        {"libmimalloc.so.2", "libmimalloc.so.2.0", "libmimalloc.so", NULL},
        "libmimalloc2.0"},
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static int
name_is(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && strncmp(name, s, len) == 0;
}

static const struct builtin *
builtin_find(const char *name)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* Names end up in variant ids and URLs: ASCII letters, digits, "._+-". */
static int
check_name(const char *kind, const char *spec, size_t len, char *err,
    size_t errlen)
{
	size_t i;
	int ch;

	if (len == 0) {
		snprintf(err, errlen, "%s '%s': empty name", kind, spec);
		return -1;
	}
	if (len > AB_NAME_MAX) {
		snprintf(err, errlen,
		    "%s '%.*s': name longer than %d characters", kind, (int)len,
		    spec, AB_NAME_MAX);
		return -1;
	}
	if (spec[0] == '.') {
		snprintf(err, errlen, "%s '%.*s': name may not start with '.'",
		    kind, (int)len, spec);
		return -1;
	}
	for (i = 0; i < len; i++) {
		ch = (unsigned char)spec[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("._+-", ch) != NULL)
			continue;
		snprintf(err, errlen,
		    "%s '%.*s': name may only hold letters, digits and ._+-",
		    kind, (int)len, spec);
		return -1;
	}
	return 0;
}

/* An environment name as POSIX shells accept it: [A-Za-z_][A-Za-z0-9_]*. */
static int
env_name_ok(const char *s, size_t len)
{
	size_t i;
	int ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    ch == '_' || (i > 0 && ch >= '0' && ch <= '9'))
			continue;
		return 0;
	}
	return len > 0;
}

static void
env_free(char **env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* Returns NULL when path is a regular file we may open with mode. */
static char *
check_file(const char *path, int mode)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return xasprintf("%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return xasprintf("%s: not a regular file", path);
	if (access(path, mode) == -1) {
		if (mode == X_OK)
			return xasprintf("%s: not executable", path);
		return xasprintf("%s: %s", path, strerror(errno));
	}
	return NULL;
}

static int
file_ok(const char *path, int mode)
{
	char *why = check_file(path, mode);
	int ok = why == NULL;

	free(why);
	return ok;
}

/* dir (len bytes, trailing slashes dropped) + "/" + file. */
static char *
join_path(const char *dir, size_t len, const char *file)
{
	while (len > 0 && dir[len - 1] == '/')
		len--;
	return xasprintf("%.*s/%s", (int)len, dir, file);
}

static char *
join_dirs(const char *const *dirs)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; dirs[i] != NULL; i++)
		len += strlen(dirs[i]) + 1;
	p = s = xmalloc(len);
	for (i = 0; dirs[i] != NULL; i++) {
		if (i > 0)
			*p++ = ':';
		len = strlen(dirs[i]);
		memcpy(p, dirs[i], len);
		p += len;
	}
	*p = '\0';
	return s;
}

/* First regular executable named cmd in the absolute entries of path. */
static char *
path_lookup(const char *cmd, const char *path)
{
	const char *p = path, *end;
	char *cand;
	size_t len;

	for (;;) {
		end = strchr(p, ':');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len > 0 && *p == '/') {
			cand = join_path(p, len, cmd);
			if (file_ok(cand, X_OK))
				return cand;
			free(cand);
		}
		if (end == NULL)
			return NULL;
		p = end + 1;
	}
}

static void
resolve_allocator(struct allocator *a, const char *const *libdirs)
{
	const struct builtin *b;
	char *lib, *dirs;
	size_t i, j;

	free(a->library);
	free(a->reason);
	a->library = a->reason = NULL;
	a->available = 0;

	if (a->spec != NULL) {
		a->reason = check_file(a->spec, R_OK);
		if (a->reason == NULL) {
			a->library = xstrdup(a->spec);
			a->available = 1;
		}
		return;
	}
	if ((b = builtin_find(a->name)) == NULL) {
		a->reason = xasprintf("%s: no library given", a->name);
		return;
	}
	if (b->sonames[0] == NULL) {
		a->available = 1;
		return;
	}
	for (i = 0; b->sonames[i] != NULL; i++) {
		for (j = 0; libdirs[j] != NULL; j++) {
			lib = join_path(libdirs[j], strlen(libdirs[j]),
			    b->sonames[i]);
			if (file_ok(lib, R_OK)) {
				a->library = lib;
				a->available = 1;
				return;
			}
			free(lib);
		}
	}
	dirs = join_dirs(libdirs);
	a->reason = xasprintf("%s not found in %s (Debian: apt-get install %s)",
	    b->sonames[0], dirs, b->package);
	free(dirs);
}

static void
resolve_interpreter(struct interpreter *in, const char *path)
{
	free(in->path);
	free(in->reason);
	in->path = in->reason = NULL;
	in->available = 0;

	if (strchr(in->command, '/') != NULL) {
		in->reason = check_file(in->command, X_OK);
		if (in->reason == NULL)
			in->path = xstrdup(in->command);
	} else {
		in->path = path_lookup(in->command, path);
		if (in->path == NULL)
			in->reason =
			    xasprintf("%s: not found in %s", in->command, path);
	}
	in->available = in->path != NULL;
}

static void
variants_clear(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->nvariants; i++)
		free(c->variants[i].id);
	free(c->variants);
	c->variants = NULL;
	c->nvariants = 0;
}

static void
variants_build(struct catalog *c)
{
	const struct interpreter *in;
	const struct allocator *a;
	struct variant *v;
	size_t i, j;

	variants_clear(c);
	c->variants = xcalloc(c->ninterps * c->nallocs, sizeof(*c->variants));
	for (i = 0; i < c->ninterps; i++) {
		in = &c->interps[i];
		for (j = 0; j < c->nallocs; j++) {
			a = &c->allocs[j];
			v = &c->variants[c->nvariants++];
			v->id = xasprintf("%s/%s", in->name, a->name);
			v->interp = i;
			v->alloc = j;
			v->available = in->available && a->available;
			if (!in->available)
				v->reason = in->reason;
			else if (!a->available)
				v->reason = a->reason;
		}
	}
}

void
catalog_init(struct catalog *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->allocs = xcalloc(NBUILTINS, sizeof(*c->allocs));
	for (i = 0; i < NBUILTINS; i++) {
		c->allocs[i].name = xstrdup(builtins[i].name);
		c->allocs[i].available = builtins[i].sonames[0] == NULL;
	}
	c->nallocs = NBUILTINS;
}

int
catalog_add_allocator(struct catalog *c, const char *spec, char *err,
    size_t errlen)
{
	struct allocator *a;
	const char *eq, *path;
	size_t i, len;

	if ((eq = strchr(spec, '=')) == NULL) {
		snprintf(err, errlen, "allocator '%s': want NAME=PATH", spec);
		return -1;
	}
	len = eq - spec;
	path = eq + 1;
	if (check_name("allocator", spec, len, err, errlen) == -1)
		return -1;
	if (name_is(AB_BASELINE, spec, len)) {
		snprintf(err, errlen,
		    "allocator '%s': the baseline cannot be replaced",
		    AB_BASELINE);
		return -1;
	}
	if (*path == '\0') {
		snprintf(err, errlen, "allocator '%.*s': empty path", (int)len,
		    spec);
		return -1;
	}
	if (*path != '/') {
		snprintf(err, errlen,
		    "allocator '%.*s': path '%s' is not absolute", (int)len,
		    spec, path);
		return -1;
	}
	for (i = 0; i < c->nallocs; i++) {
		a = &c->allocs[i];
		if (!name_is(a->name, spec, len))
			continue;
		if (a->spec != NULL) {
			snprintf(err, errlen, "allocator '%s': given twice",
			    a->name);
			return -1;
		}
		a->spec = xstrdup(path);
		return 0;
	}
	c->allocs =
	    xreallocarray(c->allocs, c->nallocs + 1, sizeof(*c->allocs));
	a = &c->allocs[c->nallocs++];
	memset(a, 0, sizeof(*a));
	a->name = xstrndup(spec, len);
	a->spec = xstrdup(path);
	return 0;
}

int
catalog_add_interpreter(struct catalog *c, const char *spec, char *err,
    size_t errlen)
{
	struct interpreter *in;
	const char *head, *eq, *cmd, *entry, *next, *key_end;
	size_t namelen, cmdlen, elen, klen, nenv = 0, i;
	char **env = NULL;
	int rc = -1;

	head = spec + strcspn(spec, ",");
	eq = memchr(spec, '=', head - spec);
	namelen = (eq != NULL ? eq : head) - spec;
	if (check_name("interpreter", spec, namelen, err, errlen) == -1)
		goto out;
	cmd = spec;
	cmdlen = namelen;
	if (eq != NULL) {
		cmd = eq + 1;
		cmdlen = head - cmd;
		if (cmdlen == 0) {
			snprintf(err, errlen,
			    "interpreter '%.*s': empty command", (int)namelen,
			    spec);
			goto out;
		}
		if (*cmd != '/' && memchr(cmd, '/', cmdlen) != NULL) {
			snprintf(err, errlen,
			    "interpreter '%.*s': command '%.*s' is not absolute",
			    (int)namelen, spec, (int)cmdlen, cmd);
			goto out;
		}
	}
	for (i = 0; i < c->ninterps; i++) {
		if (name_is(c->interps[i].name, spec, namelen)) {
			snprintf(err, errlen, "interpreter '%s': given twice",
			    c->interps[i].name);
			goto out;
		}
	}

	env = xcalloc(1, sizeof(*env));
	for (next = head; *next == ','; next = entry + elen) {
		entry = next + 1;
		elen = strcspn(entry, ",");
		key_end = memchr(entry, '=', elen);
		if (key_end == NULL || key_end == entry) {
			snprintf(err, errlen,
			    "interpreter '%.*s': bad environment entry '%.*s' "
			    "(want KEY=VALUE)",
			    (int)namelen, spec, (int)elen, entry);
			goto out;
		}
		klen = key_end - entry;
		if (!env_name_ok(entry, klen)) {
			snprintf(err, errlen,
			    "interpreter '%.*s': bad environment name '%.*s'",
			    (int)namelen, spec, (int)klen, entry);
			goto out;
		}
		if (name_is("LD_PRELOAD", entry, klen)) {
			snprintf(err, errlen,
			    "interpreter '%.*s': LD_PRELOAD may not be set "
			    "(the allocator is preloaded)",
			    (int)namelen, spec);
			goto out;
		}
		for (i = 0; i < nenv; i++) {
			if (strncmp(env[i], entry, klen + 1) == 0) {
				snprintf(err, errlen,
				    "interpreter '%.*s': environment variable "
				    "'%.*s' given twice",
				    (int)namelen, spec, (int)klen, entry);
				goto out;
			}
		}
		env = xreallocarray(env, nenv + 2, sizeof(*env));
		env[nenv++] = xstrndup(entry, elen);
		env[nenv] = NULL;
	}

	c->interps =
	    xreallocarray(c->interps, c->ninterps + 1, sizeof(*c->interps));
	in = &c->interps[c->ninterps++];
	memset(in, 0, sizeof(*in));
	in->name = xstrndup(spec, namelen);
	in->command = xstrndup(cmd, cmdlen);
	in->env = env;
	env = NULL;
	rc = 0;
out:
	env_free(env);
	return rc;
}

void
catalog_resolve(struct catalog *c, const char *const *libdirs, const char *path)
{
	size_t i;

	if (libdirs == NULL)
		libdirs = catalog_libdirs();
	if (path == NULL)
		path = AB_CLEAN_PATH;
	if (c->ninterps == 0)
		(void)catalog_add_interpreter(c, "python3", NULL, 0);
	for (i = 0; i < c->nallocs; i++)
		resolve_allocator(&c->allocs[i], libdirs);
	for (i = 0; i < c->ninterps; i++)
		resolve_interpreter(&c->interps[i], path);
	variants_build(c);
}

const char *const *
catalog_libdirs(void)
{
	static const struct {
		const char *dir;
		int multiarch; /* only meaningful with a triplet */
	} cand[] = {
	    {AB_JEMALLOC_LIBDIR, 0},
	    {"/usr/local/lib", 0},
	    {"/usr/lib/" AB_MULTIARCH, 1},
	    {"/lib/" AB_MULTIARCH, 1},
	    {"/usr/lib64", 0},
	    {"/lib64", 0},
	    {"/usr/lib", 0},
	    {"/lib", 0},
	};
	static const char *dirs[sizeof(cand) / sizeof(cand[0]) + 1];
	static int done;
	size_t i, j, n = 0;

	if (done)
		return dirs;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (cand[i].dir[0] == '\0' ||
		    (cand[i].multiarch && AB_MULTIARCH[0] == '\0'))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(dirs[j], cand[i].dir) == 0)
				break;
		if (j == n)
			dirs[n++] = cand[i].dir;
	}
	dirs[n] = NULL;
	done = 1;
	return dirs;
}

const struct variant *
catalog_find(const struct catalog *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nvariants; i++)
		if (strcmp(c->variants[i].id, id) == 0)
			return &c->variants[i];
	return NULL;
}

const struct variant *
catalog_baseline_of(const struct catalog *c, const struct variant *v)
{
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < c->nvariants; i++)
		if (c->variants[i].interp == v->interp &&
		    strcmp(c->allocs[c->variants[i].alloc].name, AB_BASELINE) ==
		        0)
			return &c->variants[i];
	return NULL;
}

void
catalog_free(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->nallocs; i++) {
		free(c->allocs[i].name);
		free(c->allocs[i].library);
		free(c->allocs[i].spec);
		free(c->allocs[i].reason);
	}
	free(c->allocs);
	for (i = 0; i < c->ninterps; i++) {
		free(c->interps[i].name);
		free(c->interps[i].command);
		free(c->interps[i].path);
		free(c->interps[i].reason);
		env_free(c->interps[i].env);
	}
	free(c->interps);
	variants_clear(c);
	memset(c, 0, sizeof(*c));
}

/* Marks the allocators c disables (never the baseline) and their variants
 * unavailable. */
static void
disable_allocators(struct catalog *cat, const struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->ndisabled; i++) {
		for (j = 0; j < cat->nallocs; j++) {
			struct allocator *al = &cat->allocs[j];

			if (strcmp(al->name, c->disabled[i]) != 0 ||
			    strcmp(al->name, AB_BASELINE) == 0)
				continue;
			al->available = 0;
			free(al->reason);
			al->reason = xstrdup("disabled in the configuration");
		}
	}
	for (i = 0; i < cat->nvariants; i++) {
		struct variant *v = &cat->variants[i];
		const struct allocator *al = &cat->allocs[v->alloc];

		if (v->available && !al->available) {
			v->available = 0;
			v->reason = al->reason;
		}
	}
}

/*
 * The specs were validated when c was loaded, so an addition fails only if
 * the configuration was built by hand; the first such failure is reported
 * and the rest still added.
 */
int
catalog_from_conf(struct catalog *cat, const struct conf *c, char *err,
    size_t errlen)
{
	char msg[256];
	size_t i;
	int rc = 0;

	catalog_init(cat);
	for (i = 0; i < c->nallocators; i++)
		if (catalog_add_allocator(cat, c->allocators[i], msg,
		        sizeof(msg)) == -1 &&
		    rc++ == 0)
			snprintf(err, errlen, "%s", msg);
	for (i = 0; i < c->ninterpreters; i++)
		if (catalog_add_interpreter(cat, c->interpreters[i], msg,
		        sizeof(msg)) == -1 &&
		    rc++ == 0)
			snprintf(err, errlen, "%s", msg);
	catalog_resolve(cat, NULL, NULL);
	disable_allocators(cat, c);
	return rc == 0 ? 0 : -1;
}
