/* SPDX-License-Identifier: MIT */
/*
 * Number parsing with range checks and no trailing junk: the only way the
 * project turns text into numbers (atoi and friends are banned).
 */
#ifndef AB_NUM_H
#define AB_NUM_H

#include <stddef.h>

/*
 * Parses a base-10 integer in [min, max] into *out. Returns 0, or -1 with a
 * message in err ("not a number", "out of range [min, max]") and *out
 * untouched.
 */
int num_parse_long(const char *s, long min, long max, long *out, char *err,
    size_t errlen);

/*
 * Parses a finite decimal number in [min, max] into *out. Returns 0, or -1
 * with a message in err and *out untouched.
 */
int num_parse_double(const char *s, double min, double max, double *out,
    char *err, size_t errlen);

#endif
