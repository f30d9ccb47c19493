/* SPDX-License-Identifier: MIT */
/*
 * Allocation wrappers for the daemon: on out-of-memory they log and abort,
 * so call sites never carry error paths for malloc (model: tmux xmalloc.c).
 */
#ifndef AB_XMALLOC_H
#define AB_XMALLOC_H

#include <stddef.h>

/* Each returns memory the caller frees with free(3); none returns NULL. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
