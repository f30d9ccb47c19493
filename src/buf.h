/* SPDX-License-Identifier: MIT */
/*
 * The growable byte buffer that every text document of the daemon is
 * written into: run documents, the history, /api/v1/runs and /metrics.
 */
#ifndef AB_BUF_H
#define AB_BUF_H

#include <stddef.h>

/*
 * Start from AB_BUF_INIT. Once anything was appended, p is NUL-terminated
 * (p[len] == '\0'). The buffer owns p: free it with ab_buf_free, or take it
 * over (ab_buf_take) and free it with free(3).
 */
struct ab_buf {
	char *p;
	size_t len; /* bytes of text, without the NUL */
	size_t cap; /* bytes allocated at p */
};

#define AB_BUF_INIT                                                            \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* Appends a string literal, whose length is known at compile time. */
#define AB_BUF_LIT(b, s) ab_buf_append((b), (s), sizeof(s) - 1)

/* Appends n bytes at s; aborts on out-of-memory (xmalloc.h). */
void ab_buf_append(struct ab_buf *b, const void *s, size_t n);

/* Appends the NUL-terminated string s. */
void ab_buf_puts(struct ab_buf *b, const char *s);

/* Appends printf-formatted text; aborts on out-of-memory. */
void ab_buf_printf(struct ab_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Empties b and keeps its memory for the next document. */
void ab_buf_reset(struct ab_buf *b);

/*
 * Returns the text (always NUL-terminated, "" for an empty buffer) and
 * leaves b empty; the caller frees the result with free(3). The length
 * goes to *len when len is not NULL.
 */
char *ab_buf_take(struct ab_buf *b, size_t *len);

/* Frees b's memory and empties it; an empty buffer is a no-op. */
void ab_buf_free(struct ab_buf *b);

#endif
