/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's static files: the roots they are served from, turning a
 * URL path into a path below a root, and opening it so that no request can
 * leave the root. openat2(RESOLVE_BENEATH) does that atomically; where the
 * kernel or a seccomp filter has no openat2, the canonical path is checked
 * against the root's instead. HTTP (status codes, headers) is http.c's.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "files.h"
#include "log.h"
#include "xmalloc.h"

struct files {
	int www_fd;     /* O_PATH directory of the dashboard */
	char *www_real; /* canonical roots, for the realpath fallback */
	int vendor_fd;  /* O_PATH directory served under the prefix, or -1 */
	char *vendor_real;
	char *vendor_prefix; /* "/vendor/" */
	int no_openat2;      /* the kernel (or a filter) refused openat2 */
};

/* Content types by extension; the rest is application/octet-stream. */
static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"}, /* RFC 9239 */
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/vnd.microsoft.icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"map", "application/json"},
};

const char *
files_mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return "application/octet-stream";
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	return "application/octet-stream";
}

int
files_relative_path(const char *path, char *out, size_t len)
{
	const char *seg, *end;
	size_t n, o = 0;

	if (path[0] != '/')
		return -1;
	for (seg = path; *seg != '\0'; seg = end) {
		while (*seg == '/')
			seg++;
		end = seg + strcspn(seg, "/");
		n = (size_t)(end - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (seg[0] == '.')
			return -1; /* "..", hidden files */
		if (o + n + 2 > len)
			return -1;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	out[o] = '\0';
	if (strpbrk(out, "\\") != NULL)
		return -1;
	for (n = 0; n < o; n++)
		if ((unsigned char)out[n] < 0x20 || out[n] == 0x7f)
			return -1;
	if (o == 0 || path[strlen(path) - 1] == '/') {
		if (o + sizeof("/index.html") > len)
			return -1;
		snprintf(out + o, len - o, "%sindex.html", o > 0 ? "/" : "");
	}
	return 0;
}

/* Whether the canonical path real is root or below it. */
static int
beneath(const char *real, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(real, root, n) == 0 &&
	    (real[n] == '/' || real[n] == '\0');
}

/*
 * Opens rel below the root. openat2(RESOLVE_BENEATH) refuses "..", absolute
 * paths and symbolic links that lead out of the root, atomically (Linux
 * 5.6). Without openat2 the canonical path is checked against the root's
 * instead. Returns the descriptor, or -1 with errno (EXDEV: outside).
 */
static int
open_beneath(struct files *h, int rootfd, const char *rootreal, const char *rel)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct open_how how;
	char *full, *real, *slash;
	int saved;
	long fd;

	if (!h->no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		log_warn(
		    "static files: openat2 is unavailable (%s); checking static "
		    "paths with realpath",
		    strerror(errno));
		h->no_openat2 = 1;
	}
	full = xasprintf("%s/%s", rootreal, rel);
	real = realpath(full, NULL);
	if (real == NULL) {
		/* Like RESOLVE_BENEATH, refuse a missing file whose existing
		 * ancestors already lead out of the root. */
		saved = errno;
		while (real == NULL && (slash = strrchr(full, '/')) != NULL &&
		    slash > full) {
			*slash = '\0';
			real = realpath(full, NULL);
		}
		free(full);
		errno =
		    real != NULL && !beneath(real, rootreal) ? EXDEV : saved;
		free(real);
		return -1;
	}
	free(full);
	if (!beneath(real, rootreal)) {
		free(real);
		errno = EXDEV;
		return -1;
	}
	fd = open(real, flags | O_NOFOLLOW);
	free(real);
	return (int)fd;
}

/* Opens a served root as an O_PATH directory and records its real path. */
static int
open_root(const char *dir, int *fd, char **real, char *err, size_t errlen)
{
	if ((*fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (*real = realpath(dir, NULL)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		if (*fd != -1) {
			close(*fd);
			*fd = -1;
		}
		return -1;
	}
	return 0;
}

struct files *
files_open(const char *www_dir, char *err, size_t errlen)
{
	struct files *f = xcalloc(1, sizeof(*f));

	f->www_fd = f->vendor_fd = -1;
	f->no_openat2 = getenv("AB_TEST_NO_OPENAT2") != NULL;
	if (open_root(www_dir, &f->www_fd, &f->www_real, err, errlen) == -1) {
		files_close(f);
		return NULL;
	}
	return f;
}

int
files_add_vendor(struct files *f, const char *prefix, const char *dir,
    char *err, size_t errlen)
{
	if (open_root(dir, &f->vendor_fd, &f->vendor_real, err, errlen) == -1)
		return -1;
	f->vendor_prefix = xstrdup(prefix);
	return 0;
}

int
files_open_url(struct files *f, const char *url, struct files_hit *out)
{
	const char *path = url, *real = f->www_real;
	char rel[AB_FILES_PATH_MAX];
	int rootfd = f->www_fd, fd, e;
	struct stat sb;

	out->fd = -1;
	out->cache = "no-cache";
	if (f->vendor_prefix != NULL &&
	    strncmp(path, f->vendor_prefix, strlen(f->vendor_prefix)) == 0) {
		path += strlen(f->vendor_prefix) - 1;
		rootfd = f->vendor_fd;
		real = f->vendor_real;
		out->cache = "public, max-age=86400";
	}
	if (files_relative_path(path, rel, sizeof(rel)) == -1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = open_beneath(f, rootfd, real, rel)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    fcntl(fd, F_SETFL, 0) == -1) {
		e = errno;
		close(fd);
		errno = S_ISREG(sb.st_mode) ? e : ENOENT;
		return -1;
	}
	out->fd = fd;
	out->size = (size_t)sb.st_size;
	out->mime = files_mime_type(rel);
	snprintf(out->etag, sizeof(out->etag), "\"%jx-%jx-%jx\"",
	    (uintmax_t)sb.st_ino, (uintmax_t)sb.st_size,
	    (uintmax_t)sb.st_mtim.tv_sec * 1000000000u +
	        (uintmax_t)sb.st_mtim.tv_nsec);
	return 0;
}

void
files_close(struct files *f)
{
	if (f == NULL)
		return;
	if (f->www_fd != -1)
		close(f->www_fd);
	if (f->vendor_fd != -1)
		close(f->vendor_fd);
	free(f->www_real);
	free(f->vendor_real);
	free(f->vendor_prefix);
	free(f);
}
