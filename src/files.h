/* SPDX-License-Identifier: MIT */
/*
 * Static files for the dashboard: roots, URL path resolution and opening
 * below a root.
 */
#ifndef AB_FILES_H
#define AB_FILES_H

#include <stddef.h>

/* The longest relative path resolved, with the NUL. */
#define AB_FILES_PATH_MAX (1024 + sizeof("/index.html"))

struct files;

/* An opened file and what its response needs. */
struct files_hit {
	int fd;           /* open, blocking, regular file; the caller owns it */
	size_t size;      /* bytes */
	const char *mime; /* Content-Type, static storage */
	const char *cache; /* Cache-Control, static storage */
	char etag[80];     /* strong ETag from inode, size and mtime, quoted */
};

/*
 * Opens the dashboard root www_dir. Returns the roots (free with
 * files_close), or NULL with the reason in err.
 */
struct files *files_open(const char *www_dir, char *err, size_t errlen);

/*
 * Serves dir under the URL prefix (which starts and ends with '/', for
 * example "/vendor/"). Returns 0, or -1 with the reason in err; the
 * dashboard root keeps working either way.
 */
int files_add_vendor(struct files *f, const char *prefix, const char *dir,
    char *err, size_t errlen);

/*
 * Turns an unescaped URL path into a path relative to the root in out
 * (len bytes): empty and "." segments are dropped, "/" and a trailing
 * slash get index.html. Refuses paths that do not start with '/', ".."
 * segments, names starting with a dot, backslashes and control characters.
 * Returns 0, or -1 when the path is refused or does not fit.
 */
int files_relative_path(const char *path, char *out, size_t len);

/* The Content-Type for a path's extension; application/octet-stream for
 * anything unknown. Static storage. */
const char *files_mime_type(const char *path);

/*
 * Resolves the URL path below its root and opens it. Returns 0 with *out
 * filled, or -1 with errno: EINVAL for a refused path, ENOENT or ENOTDIR
 * when there is no such regular file, EXDEV, ELOOP, EACCES or EPERM when it
 * leads out of the root or may not be read, ENAMETOOLONG, or another error
 * of the file system.
 */
int files_open_url(struct files *f, const char *url, struct files_hit *out);

/* Closes the roots and frees f; NULL is a no-op. */
void files_close(struct files *f);

#endif
