/* SPDX-License-Identifier: MIT */
/*
 * The growable byte buffer: doubling growth, always NUL-terminated, and an
 * abort on out-of-memory or size overflow, like the xmalloc family.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

/* Grows b to hold n more bytes and the NUL. */
static void
grow(struct ab_buf *b, size_t n)
{
	size_t cap = b->cap != 0 ? b->cap : 256;

	if (n > SIZE_MAX / 2 - b->len) {
		log_err("buffer: a document of %zu + %zu bytes", b->len, n);
		abort();
	}
	while (cap - b->len <= n)
		cap *= 2;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

/* Appends n bytes at s and keeps p NUL-terminated. */
void
ab_buf_append(struct ab_buf *b, const void *s, size_t n)
{
	if (b->cap - b->len <= n)
		grow(b, n);
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends strlen(s) bytes. */
void
ab_buf_puts(struct ab_buf *b, const char *s)
{
	ab_buf_append(b, s, strlen(s));
}

/* Formats into the free space, growing once when it does not fit. */
void
ab_buf_printf(struct ab_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap - b->len <= 1)
		grow(b, 1);
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		log_err("buffer: bad format '%s'", fmt);
		abort();
	}
	if ((size_t)n >= b->cap - b->len) {
		grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* Sets the length to 0, keeping the allocation. */
void
ab_buf_reset(struct ab_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Hands p over; an empty buffer still gives an allocated "". */
char *
ab_buf_take(struct ab_buf *b, size_t *len)
{
	char *p;

	if (b->p == NULL)
		ab_buf_append(b, "", 0);
	p = b->p;
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

/* Frees p and zeroes b; a buffer never appended to is a no-op. */
void
ab_buf_free(struct ab_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
