/* SPDX-License-Identifier: MIT */
/*
 * Results in memory, oldest first, and the history that keeps them across
 * restarts: DIR/history.jsonl, one run document (rundoc.h) per line. This file
 * owns loading it (torn, corrupt and newer-schema lines), appending to it
 * with recovery from disk failures, compacting it (retention and size cap,
 * through a temporary file renamed over it), the pool of interned strings
 * the runs share, and the lookups the renderer and the HTTP API make.
 *
 * Torn writes are handled by truncation: a batch of lines counts as written
 * (persisted, file_bytes) only once all of it was written and fsynced.
 * After a failed write or fsync the descriptor is closed; the next attempt
 * reopens the file and, when it is still the same file (device and inode)
 * but longer than file_bytes, truncates it back to file_bytes before
 * writing the backlog again, so a partial line never ends up in front of a
 * later one. A history that was removed, replaced or shortened under us
 * gets everything in memory written into it again; one that exists but
 * could not be read at open is never written, since that would lose it.
 * Only one process may write a history: the store holds an exclusive
 * flock(2) on DIR/allocbenchd.lock and, before every write, checks that
 * the lock file it holds is still the one at that path. When the directory
 * or the lock file was removed or replaced, it creates them again and takes
 * the new lock before writing anything; if another process already holds
 * that one, this store has lost the directory to it and never writes there
 * again (persist_ok stays 0, with the reason), so that neither can drop the
 * other's runs.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "rundoc.h"
#include "store.h"
#include "xmalloc.h"

#define AB_STORE_PRINTF(a, b) __attribute__((format(printf, a, b)))

#define TMP_FILE  AB_HISTORY_FILE ".tmp"
#define MAX_WARN  20    /* warnings per load before a summary */
#define OUT_CHUNK 65536 /* write(2) size when writing many lines */

/*
 * What s->strings points to: the interned strings and the bookkeeping that
 * is nobody else's business.
 */
struct store_priv {
	char **tab;     /* interned strings, open addressing; NULL = free */
	size_t tabsize; /* a power of two, or 0 */
	size_t tabused;
	size_t *len; /* bytes runs[i] takes in the file; 0 = not known */
	/* newer_lines[j] goes just before runs[newer_at[j]] */
	size_t *newer_at;
	/* newer_lines[0..newer_written) are in the file */
	size_t newer_written;
	int have_id; /* dev and ino name the file holding the lines */
	dev_t dev;
	ino_t ino;
	int sync_dir;   /* the file was created: fsync the directory too */
	int stale;      /* the file holds lines that memory does not */
	int unreadable; /* the history exists but was not read: never write */
	int lock_fd;    /* flock'ed DIR/allocbenchd.lock, or -1 */
	dev_t lock_dev; /* and the file it is */
	ino_t lock_ino;
	int lost; /* another process holds the directory's lock now */
};

static struct store_priv *
priv(struct store *s)
{
	struct store_priv *p;

	if (s->strings == NULL) {
		p = xcalloc(1, sizeof(struct store_priv));
		p->lock_fd = -1;
		s->strings = p;
	}
	return s->strings;
}

/* FNV-1a. */
static size_t
hash(const char *str)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *str != '\0'; str++) {
		h ^= (unsigned char)*str;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* The slot holding str, or the free slot where it belongs. */
static char **
slot(const struct store_priv *p, const char *str)
{
	size_t mask = p->tabsize - 1, i = hash(str) & mask;

	while (p->tab[i] != NULL && strcmp(p->tab[i], str) != 0)
		i = (i + 1) & mask;
	return &p->tab[i];
}

static void
rehash(struct store_priv *p)
{
	char **old = p->tab;
	size_t i, oldsize = p->tabsize;

	p->tabsize = oldsize ? oldsize * 2 : 16;
	p->tab = xcalloc(p->tabsize, sizeof(*p->tab));
	for (i = 0; i < oldsize; i++)
		if (old[i] != NULL)
			*slot(p, old[i]) = old[i];
	free(old);
}

/*
 * The pooled copy of str (NULL for NULL). `owned`, if not NULL, is a heap
 * copy of str the pool takes over or frees.
 */
static char *
intern(struct store_priv *p, const char *str, char *owned)
{
	char **sl;

	if (str == NULL)
		return NULL;
	if ((p->tabused + 1) * 2 > p->tabsize)
		rehash(p);
	sl = slot(p, str);
	if (*sl != NULL) {
		free(owned);
		return *sl;
	}
	*sl = owned != NULL ? owned : xstrdup(str);
	p->tabused++;
	return *sl;
}

/*
 * Points the strings of d that repeat from run to run at the pool: taken
 * over from r when `owned` (r == d), else copied. The error stays d's own.
 */
static void
intern_run(struct store_priv *p, struct run *d, const struct run *r, int owned)
{
	d->variant = intern(p, r->variant, owned ? r->variant : NULL);
	d->malloc_provider =
	    intern(p, r->malloc_provider, owned ? r->malloc_provider : NULL);
	d->python_version =
	    intern(p, r->python_version, owned ? r->python_version : NULL);
	d->python_full =
	    intern(p, r->python_full, owned ? r->python_full : NULL);
	d->libc_version =
	    intern(p, r->libc_version, owned ? r->libc_version : NULL);
	d->segment = intern(p, r->segment, owned ? r->segment : NULL);
	d->env = intern(p, r->env, owned ? r->env : NULL);
}

/* The pooled copy of str, or NULL when no run uses it. */
static const char *
intern_find(const struct store *s, const char *str)
{
	const struct store_priv *p = s->strings;

	if (p == NULL || p->tabsize == 0 || str == NULL)
		return NULL;
	return *slot(p, str);
}

/* Room for one more run. */
static void
grow(struct store *s)
{
	struct store_priv *p = priv(s);

	if (s->nruns < s->cap)
		return;
	s->cap = s->cap ? s->cap * 2 : 64;
	s->runs = xreallocarray(s->runs, s->cap, sizeof(*s->runs));
	p->len = xreallocarray(p->len, s->cap, sizeof(*p->len));
}

/* Drops runs[0..n) and moves the newer lines' positions along. */
static void
drop(struct store *s, size_t n)
{
	struct store_priv *p = priv(s);
	size_t i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		free(s->runs[i].error);
	memmove(s->runs, s->runs + n, (s->nruns - n) * sizeof(*s->runs));
	memmove(p->len, p->len + n, (s->nruns - n) * sizeof(*p->len));
	s->nruns -= n;
	s->persisted = s->persisted > n ? s->persisted - n : 0;
	for (i = 0; i < s->newer; i++)
		p->newer_at[i] = p->newer_at[i] > n ? p->newer_at[i] - n : 0;
}

static void set_err(struct store *, const char *, ...) AB_STORE_PRINTF(2, 3);

static void
set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->persist_err, sizeof(s->persist_err), fmt, ap);
	va_end(ap);
	s->persist_ok = 0;
}

static char *
path_of(const struct store *s, const char *name)
{
	return xasprintf("%s/%s", s->dir, name);
}

static int
fsync_dir(const char *dir)
{
	int fd, rc, e;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* Creates the state directory (one level) and makes the entry durable. */
static int
make_dir(struct store *s)
{
	char *parent, *slash;
	int rc = 0;

	if (mkdir(s->dir, 0755) == -1 && errno != EEXIST) {
		set_err(s, "%s: %s", s->dir, strerror(errno));
		return -1;
	}
	parent = xstrdup(s->dir);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if (fsync_dir(slash != NULL ? parent : ".") == -1) {
		set_err(s, "%s: %s", parent, strerror(errno));
		rc = -1;
	}
	free(parent);
	return rc;
}

/*
 * Makes sure this store holds the exclusive lock on the file now at
 * DIR/allocbenchd.lock, creating the directory and the file when they are
 * gone. Returns 0 when it does; -1 when the lock file cannot be made (the
 * directory's problem, in persist_err); -2 when another process holds it,
 * after which the store never writes to the directory again.
 */
static int
take_lock(struct store *s)
{
	struct store_priv *p = priv(s);
	struct stat st, held;
	char *path;
	int fd = -1, rc = -1, tries;

	if (p->lost) {
		s->persist_ok = 0;
		return -2;
	}
	path = path_of(s, AB_LOCK_FILE);
	if (p->lock_fd != -1) {
		if (stat(path, &st) == 0 && st.st_dev == p->lock_dev &&
		    st.st_ino == p->lock_ino) {
			free(path);
			return 0;
		}
		/* our lock guards a file no longer at the path */
		close(p->lock_fd);
		p->lock_fd = -1;
	}
	/* the file can be removed between open and flock: check, twice */
	for (tries = 0; tries < 3; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd == -1 && errno == ENOENT) {
			if (make_dir(s) == -1)
				goto out;
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		}
		if (fd == -1)
			goto fail;
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			if (errno != EWOULDBLOCK)
				goto fail;
			p->lost = 1;
			set_err(s,
			    "%s is held by another process; this one no longer "
			    "writes to %s",
			    AB_LOCK_FILE, s->dir);
			rc = -2;
			goto out;
		}
		if (fstat(fd, &held) == -1)
			goto fail;
		if (stat(path, &st) == 0 && st.st_dev == held.st_dev &&
		    st.st_ino == held.st_ino) {
			p->lock_fd = fd;
			p->lock_dev = held.st_dev;
			p->lock_ino = held.st_ino;
			fd = -1;
			rc = 0;
			goto out;
		}
		close(fd);
		fd = -1;
	}
	errno = EAGAIN;
fail:
	set_err(s, "%s: %s", AB_LOCK_FILE, strerror(errno));
out:
	if (fd != -1)
		close(fd);
	free(path);
	return rc;
}

static int
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, buf, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Lines on their way to a file, written in OUT_CHUNK pieces. */
struct out {
	int fd;
	char *buf;
	size_t n;
	size_t total;       /* bytes written or buffered */
	int err;            /* errno of the first failure, or 0 */
	struct ab_buf line; /* the run being written */
};

static void
out_flush(struct out *o)
{
	if (o->err == 0 && o->n > 0 && write_all(o->fd, o->buf, o->n) == -1)
		o->err = errno;
	o->n = 0;
}

static void
out_put(struct out *o, const char *p, size_t n)
{
	if (o->err != 0)
		return;
	if (o->n + n > OUT_CHUNK)
		out_flush(o);
	if (n > OUT_CHUNK) {
		if (o->err == 0 && write_all(o->fd, p, n) == -1)
			o->err = errno;
	} else {
		memcpy(o->buf + o->n, p, n);
		o->n += n;
	}
	o->total += n;
}

/* Writes runs[i] as one line and notes its length. */
static void
put_run(struct store *s, struct out *o, size_t i)
{
	ab_buf_reset(&o->line);
	rundoc_write(&o->line, &s->runs[i]);
	ab_buf_append(&o->line, "\n", 1);
	out_put(o, o->line.p, o->line.len);
	priv(s)->len[i] = o->line.len;
}

static void
put_newer(struct store *s, struct out *o, size_t j)
{
	out_put(o, s->newer_lines[j], strlen(s->newer_lines[j]));
	out_put(o, "\n", 1);
}

/*
 * Writes runs[from..nruns) and newer_lines[k..newer), each newer line just
 * before the run it preceded (before runs[from] if that run is gone).
 */
static void
put_lines(struct store *s, struct out *o, size_t from, size_t k)
{
	struct store_priv *p = priv(s);
	size_t i;

	for (i = from; i < s->nruns && o->err == 0; i++) {
		for (; k < s->newer && p->newer_at[k] <= i; k++)
			put_newer(s, o, k);
		put_run(s, o, i);
	}
	for (; k < s->newer; k++)
		put_newer(s, o, k);
	out_flush(o);
}

/*
 * Opens the history for appending, creating the directory and the file if
 * needed, and reconciles it with what we believe is in it: truncates a
 * torn tail, treats an empty new file as holding nothing, and sets
 * *rewrite when its content is not ours.
 */
static int
open_append(struct store *s, const char *path, int *rewrite)
{
	struct store_priv *p = priv(s);
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
	struct stat st;
	int fd, created = 0, same;

	*rewrite = 0;
	fd = open(path, flags | O_CREAT | O_EXCL, 0644);
	if (fd == -1 && errno == ENOENT) {
		if (make_dir(s) == -1)
			return -1;
		fd = open(path, flags | O_CREAT | O_EXCL, 0644);
	}
	if (fd != -1)
		created = 1;
	else if (errno == EEXIST)
		fd = open(path, flags);
	if (fd == -1) {
		set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	same = p->have_id && st.st_dev == p->dev && st.st_ino == p->ino;
	if (same && S_ISREG(st.st_mode)) {
		if ((size_t)st.st_size > s->file_bytes &&
		    ftruncate(fd, (off_t)s->file_bytes) == -1)
			goto fail;
		if ((size_t)st.st_size < s->file_bytes)
			*rewrite = 1;
	} else if (!same) {
		if (st.st_size == 0) {
			s->persisted = 0;
			p->newer_written = 0;
			s->file_bytes = 0;
		} else
			*rewrite = 1;
	}
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	p->have_id = 1;
	p->sync_dir |= created;
	s->fd = fd;
	return 0;
fail:
	set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(errno));
	close(fd);
	return -1;
}

/*
 * Writes runs[cut..nruns) and every newer line to a temporary file and
 * renames it over the history; on success the store appends to the new
 * file. On failure the old file is left as it was.
 */
static int
rewrite(struct store *s, size_t cut)
{
	struct store_priv *p = priv(s);
	struct out o = {.fd = -1};
	struct stat st;
	char *tmp = path_of(s, TMP_FILE), *path = path_of(s, AB_HISTORY_FILE);
	const char *what = TMP_FILE;
	int fd = -1, rc = -1;

	if (unlink(tmp) == -1 && errno != ENOENT && errno != ENOTDIR)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 && errno == ENOENT) {
		if (make_dir(s) == -1)
			goto out;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd == -1)
		goto fail;
	o.fd = fd;
	o.buf = xmalloc(OUT_CHUNK);
	put_lines(s, &o, cut, 0);
	if (o.err != 0) {
		errno = o.err;
		goto fail;
	}
	if (fsync(fd) == -1 || fstat(fd, &st) == -1)
		goto fail;
	if (rename(tmp, path) == -1)
		goto fail;
	what = AB_HISTORY_FILE;
	if (fsync_dir(s->dir) == -1) {
		/* renamed but maybe not durable: the next append rewrites */
		set_err(s, "%s: %s", s->dir, strerror(errno));
		goto out;
	}
	if (fcntl(fd, F_SETFL, O_APPEND) == -1)
		goto fail;
	if (s->fd != -1)
		close(s->fd);
	s->fd = fd;
	fd = -1;
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	p->have_id = 1;
	p->sync_dir = 0;
	p->newer_written = s->newer;
	s->file_bytes = o.total;
	s->persist_ok = 1;
	s->persist_err[0] = '\0';
	rc = 0;
	goto out;
fail:
	set_err(s, "%s: %s", what, strerror(errno));
	if (fd != -1)
		unlink(tmp);
out:
	if (fd != -1)
		close(fd);
	free(o.buf);
	ab_buf_free(&o.line);
	free(path);
	free(tmp);
	return rc;
}

/* Writes the backlog (runs not on disk) and fsyncs; see store_append. */
static int
persist(struct store *s)
{
	struct store_priv *p = priv(s);
	struct out o = {.fd = -1};
	struct stat st;
	char *path = NULL;
	int rc = -1, again;

	if (s->dir == NULL)
		return 0;
	if (p->unreadable) {
		s->persist_ok = 0;
		return -1;
	}
	if (take_lock(s) != 0)
		return -1;
	path = path_of(s, AB_HISTORY_FILE);
	if (s->fd != -1 &&
	    (stat(path, &st) == -1 || st.st_dev != p->dev ||
	        st.st_ino != p->ino)) {
		/* removed or replaced: our descriptor writes to nowhere */
		close(s->fd);
		s->fd = -1;
	}
	if (s->fd == -1) {
		if (open_append(s, path, &again) == -1)
			goto out;
		if (again) {
			rc = rewrite(s, 0);
			p->stale = rc != 0;
			if (rc == 0)
				s->persisted = s->nruns;
			goto out;
		}
	}
	if (s->persisted == s->nruns && p->newer_written == s->newer) {
		s->persist_ok = 1;
		s->persist_err[0] = '\0';
		rc = 0;
		goto out;
	}
	o.fd = s->fd;
	o.buf = xmalloc(OUT_CHUNK);
	put_lines(s, &o, s->persisted, p->newer_written);
	if (o.err != 0) {
		errno = o.err;
		goto fail;
	}
	if (fsync(s->fd) == -1)
		goto fail;
	if (p->sync_dir && fsync_dir(s->dir) == -1) {
		set_err(s, "%s: %s", s->dir, strerror(errno));
		goto close;
	}
	p->sync_dir = 0;
	s->persisted = s->nruns;
	p->newer_written = s->newer;
	s->file_bytes += o.total;
	s->persist_ok = 1;
	s->persist_err[0] = '\0';
	rc = 0;
	goto out;
fail:
	set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(errno));
close:
	close(s->fd);
	s->fd = -1;
out:
	free(o.buf);
	ab_buf_free(&o.line);
	free(path);
	return rc;
}

/*
 * The empty store: memory-only, nothing failed. Every field is zero except
 * fd (-1) and persist_ok (1).
 */
void
store_init(struct store *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->persist_ok = 1;
}

/* What load() saw, for store_open. */
struct load {
	void (*warn)(const char *);
	size_t nwarn;
	size_t good;    /* bytes up to the last newline-terminated line */
	int torn_run;   /* the last run's line had no newline */
	int torn_newer; /* the last newer line had no newline */
};

static void load_warn(struct load *, size_t, const char *, ...)
    AB_STORE_PRINTF(3, 4);

static void
load_warn(struct load *l, size_t lineno, const char *fmt, ...)
{
	char why[256], msg[320];
	va_list ap;

	if (l->nwarn++ >= MAX_WARN || l->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%zu: %s", AB_HISTORY_FILE, lineno, why);
	l->warn(msg);
}

/* Reads every line of fp into s; see store_open. */
static void
load(struct store *s, FILE *fp, struct load *l)
{
	struct store_priv *p = priv(s);
	struct run *r;
	cJSON *doc;
	char *line = NULL, why[256];
	size_t cap = 0, len, lineno = 0, offset = 0;
	ssize_t n;
	int nl, rc;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		offset += (size_t)n;
		nl = line[n - 1] == '\n';
		len = (size_t)n - nl;
		if (nl)
			l->good = offset;
		if (len == 0)
			continue;
		line[len] = '\0'; /* and anything after the document is junk */
		if ((doc = cJSON_ParseWithOpts(line, NULL, 1)) == NULL) {
			s->skipped++;
			load_warn(l, lineno, "%s",
			    nl ? "not JSON" : "torn line (no newline at end)");
			continue;
		}
		grow(s);
		r = &s->runs[s->nruns];
		rc = rundoc_read(doc, r, why, sizeof(why));
		cJSON_Delete(doc);
		if (rc == -2) {
			s->newer_lines = xreallocarray(s->newer_lines,
			    s->newer + 1, sizeof(*s->newer_lines));
			p->newer_at = xreallocarray(p->newer_at, s->newer + 1,
			    sizeof(*p->newer_at));
			s->newer_lines[s->newer] = xstrndup(line, len);
			p->newer_at[s->newer++] = s->nruns;
			l->torn_newer = !nl;
			load_warn(l, lineno, "%s; kept as is", why);
			continue;
		}
		if (rc == -1) {
			s->skipped++;
			load_warn(l, lineno, "%s", why);
			continue;
		}
		intern_run(p, r, r, 1);
		p->len[s->nruns++] = len + 1;
		s->loaded++;
		l->torn_run = !nl;
	}
	free(line);
	if (l->nwarn > MAX_WARN && l->warn != NULL) {
		snprintf(why, sizeof(why), "%s: %zu more bad lines",
		    AB_HISTORY_FILE, l->nwarn - MAX_WARN);
		l->warn(why);
	}
}

/*
 * How many of the oldest runs retention and the size cap drop. Over the
 * cap, runs go until the file fits in 7/8 of it, so that a history at
 * its cap is rewritten once per max_bytes/8 of new runs rather than after
 * every append.
 */
static size_t
cut_for(struct store *s, int64_t now_ms)
{
	struct store_priv *p = priv(s);
	struct ab_buf line = AB_BUF_INIT;
	size_t cut = 0, total = 0, i;

	if (s->retention_ms > 0)
		while (cut < s->nruns &&
		    s->runs[cut].started_ms < now_ms - s->retention_ms)
			cut++;
	if (s->max_bytes == 0 || s->dir == NULL)
		return cut;
	for (i = 0; i < s->newer; i++)
		total += strlen(s->newer_lines[i]) + 1;
	for (i = cut; i < s->nruns; i++) {
		if (p->len[i] == 0) {
			ab_buf_reset(&line);
			rundoc_write(&line, &s->runs[i]);
			p->len[i] = line.len + 1;
		}
		total += p->len[i];
	}
	ab_buf_free(&line);
	if (total <= s->max_bytes)
		return cut;
	for (; cut < s->nruns && total > s->max_bytes - s->max_bytes / 8; cut++)
		total -= p->len[cut];
	return cut;
}

/*
 * Drops what retention and the size cap drop, from memory and from the
 * file. Unless forced, a healthy history with nothing to drop is left
 * alone. The runs leave memory even when writing fails.
 */
static int
compact(struct store *s, int64_t now_ms, int force)
{
	struct store_priv *p = priv(s);
	size_t cut = cut_for(s, now_ms);
	int rc;

	if (s->dir == NULL) {
		drop(s, cut);
		return 0;
	}
	if (p->unreadable) {
		s->persist_ok = 0;
		return -1;
	}
	if (take_lock(s) != 0) {
		drop(s, cut);
		p->stale = 1;
		return -1;
	}
	if (!force && cut == 0 && !p->stale && s->fd != -1 &&
	    s->persisted == s->nruns && p->newer_written == s->newer)
		return 0;
	rc = rewrite(s, cut);
	drop(s, cut);
	p->stale = rc != 0;
	if (rc == 0)
		s->persisted = s->nruns;
	return rc;
}

/*
 * Loads DIR/history.jsonl into a fresh store and opens it for appending;
 * see store.h. A last line without a newline is kept when it parses, and
 * rewritten with one.
 */
int
store_open(struct store *s, const char *dir, int64_t now_ms,
    int64_t retention_ms, size_t max_bytes, void (*warn)(const char *msg),
    char *err, size_t errlen)
{
	struct store_priv *p = priv(s);
	struct load l = {.warn = warn};
	struct stat st;
	FILE *fp = NULL;
	char *path;
	int fd, rc = -1, again, need, e, lk, waited;

	s->dir = xstrdup(dir);
	s->retention_ms = retention_ms;
	s->max_bytes = max_bytes;
	path = path_of(s, AB_HISTORY_FILE);
	/* before reading, so that two stores never load and compact it */
	for (waited = 0; (lk = take_lock(s)) == -2 && waited < s->lock_wait_ms;
	     waited += 20) {
		p->lost = 0;
		nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
	}
	if (lk == -2) {
		set_err(s, "%s is in use by another process (%s is locked)",
		    dir, AB_LOCK_FILE);
		rc = -2;
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR) {
			set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(errno));
			p->unreadable = 1;
			goto out;
		}
	} else {
		if (fstat(fd, &st) == -1)
			e = errno;
		else if (!S_ISREG(st.st_mode))
			e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		else
			e = 0;
		if (e != 0) {
			set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(e));
			p->unreadable = 1;
			close(fd);
			goto out;
		}
		if ((fp = fdopen(fd, "r")) == NULL) {
			set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(errno));
			close(fd);
			goto out;
		}
		load(s, fp, &l);
		if (ferror(fp)) {
			set_err(s, "%s: %s", AB_HISTORY_FILE, strerror(errno));
			p->unreadable = 1;
			goto out;
		}
		p->dev = st.st_dev;
		p->ino = st.st_ino;
		p->have_id = 1;
		s->file_bytes = l.good;
		s->persisted = s->nruns - (size_t)l.torn_run;
		p->newer_written = s->newer - (size_t)l.torn_newer;
	}
	if (open_append(s, path, &again) == -1)
		goto out;
	need = again || s->skipped > 0 ||
	    (max_bytes != 0 && s->file_bytes > max_bytes) ||
	    (retention_ms > 0 && s->nruns > 0 &&
	        s->runs[0].started_ms < now_ms - retention_ms);
	if (need ? compact(s, now_ms, 1) : persist(s))
		goto out;
	rc = 0;
out:
	if (rc != 0)
		snprintf(err, errlen, "%s", s->persist_err);
	if (fp != NULL)
		fclose(fp);
	free(path);
	return rc;
}

/*
 * Appends a copy of r whose repeated strings come from the pool, then
 * writes the backlog; see store.h.
 */
int
store_append(struct store *s, const struct run *r)
{
	struct store_priv *p = priv(s);
	struct run *d;

	grow(s);
	d = &s->runs[s->nruns];
	*d = *r;
	intern_run(p, d, r, 0);
	d->error = r->error != NULL ? xstrdup(r->error) : NULL;
	p->len[s->nruns++] = 0;
	return persist(s);
}

/* Writes the backlog now, reopening the history if needed. */
int
store_retry(struct store *s)
{
	return persist(s);
}

/*
 * Drops old runs and rewrites the history; memory-only stores only apply
 * the retention. See compact().
 */
int
store_compact(struct store *s, int64_t now_ms)
{
	return compact(s, now_ms, 0);
}

/* Collects the newest matching ok runs, newest first, then reverses. */
size_t
store_ok_runs(const struct store *s, const char *variant,
    const struct store_filter *f, size_t max, const struct run ***out)
{
	const char *v = intern_find(s, variant);
	const char *seg = f->segment ? intern_find(s, f->segment) : NULL;
	const struct run **res, *r, *t;
	size_t i, n = 0, want = max;

	if (f->segment != NULL && seg == NULL)
		v = NULL; /* no run has that segment */
#define AB_USABLE(r)                                                           \
	((r)->variant == v && (r)->status == RUN_OK &&                         \
	    (f->iterations == 0 || (r)->iterations == f->iterations) &&        \
	    (f->include_flagged || (r)->flags == 0) &&                         \
	    (seg == NULL || (r)->segment == seg))
	if (v != NULL && want == 0)
		for (i = 0; i < s->nruns; i++)
			want += AB_USABLE(&s->runs[i]);
	res = xcalloc(want ? want : 1, sizeof(*res));
	for (i = s->nruns; v != NULL && i > 0 && n < want; i--) {
		r = &s->runs[i - 1];
		if (AB_USABLE(r))
			res[n++] = r;
	}
#undef AB_USABLE
	for (i = 0; i < n / 2; i++) {
		t = res[i];
		res[i] = res[n - 1 - i];
		res[n - 1 - i] = t;
	}
	*out = res;
	return n;
}

int64_t
store_next_round(const struct store *s)
{
	int64_t next = 0;
	size_t i;

	for (i = 0; i < s->nruns; i++)
		if (s->runs[i].round >= next)
			next = s->runs[i].round + 1;
	return next;
}

/* Walks back to the newest verified run of variant with a segment. */
const char *
store_segment(const struct store *s, const char *variant)
{
	const char *v = intern_find(s, variant);
	size_t i;

	for (i = s->nruns; v != NULL && i > 0; i--) {
		const struct run *r = &s->runs[i - 1];

		if (r->variant == v && r->status == RUN_OK &&
		    r->segment != NULL)
			return r->segment;
	}
	return NULL;
}

/* Counts runs of variant by status; see store.h. */
void
store_count(const struct store *s, const char *variant,
    size_t counts[RUN_NSTATUS], size_t *flagged)
{
	const char *v = intern_find(s, variant);
	size_t i, nf = 0;

	memset(counts, 0, RUN_NSTATUS * sizeof(counts[0]));
	for (i = 0; v != NULL && i < s->nruns; i++)
		if (s->runs[i].variant == v) {
			counts[s->runs[i].status]++;
			nf += s->runs[i].status == RUN_OK && s->runs[i].flags;
		}
	if (flagged != NULL)
		*flagged = nf;
}

/* The newest run of variant, or its newest bad one; see store.h. */
const struct run *
store_last(const struct store *s, const char *variant, int bad_only)
{
	const char *v = intern_find(s, variant);
	const struct run *r;
	size_t i;

	for (i = s->nruns; v != NULL && i > 0; i--) {
		r = &s->runs[i - 1];
		if (r->variant == v && (!bad_only || r->status != RUN_OK))
			return r;
	}
	return NULL;
}

/* Lower bound of since_ms over started_ms, by binary search. */
size_t
store_since(const struct store *s, int64_t since_ms)
{
	size_t lo = 0, hi = s->nruns, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->runs[mid].started_ms < since_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Closes the history and frees the runs' own strings (error), the pool of
 * shared ones, the newer lines and the bookkeeping; leaves s as store_init.
 */
void
store_free(struct store *s)
{
	struct store_priv *p = s->strings;
	size_t i;

	if (s->dir != NULL && s->fd != -1)
		close(s->fd);
	for (i = 0; i < s->nruns; i++)
		free(s->runs[i].error);
	free(s->runs);
	for (i = 0; i < s->newer; i++)
		free(s->newer_lines[i]);
	free(s->newer_lines);
	if (p != NULL) {
		if (p->lock_fd != -1)
			close(p->lock_fd);
		for (i = 0; i < p->tabsize; i++)
			free(p->tab[i]);
		free(p->tab);
		free(p->len);
		free(p->newer_at);
		free(p);
	}
	free(s->dir);
	store_init(s);
}
