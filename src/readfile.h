/* SPDX-License-Identifier: MIT */
/*
 * Reading small /proc and /sys files whole.
 */
#ifndef AB_READFILE_H
#define AB_READFILE_H

#include <stddef.h>

/*
 * Reads the file at path into buf (len bytes, with room for the NUL) as a
 * string without trailing white space. Returns 0, or -1 with errno set
 * (EFBIG when the file does not fit in buf).
 */
int readfile_small(const char *path, char *buf, size_t len);

#endif
