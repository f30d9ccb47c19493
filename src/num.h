/* SPDX-License-Identifier: MIT */
/*
 * Number parsing with range checks and no trailing junk: the only way the
 * project turns text into numbers (atoi and friends are banned).
 */
#ifndef AB_NUM_H
#define AB_NUM_H

#include <stddef.h>
#include <stdint.h>

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

/* Bytes num_format_double needs, with the NUL. */
#define AB_NUM_TEXT 32

/* v in plain decimal into buf (at least 21 bytes); returns the length. */
size_t num_format_int(int64_t v, char *buf);

/*
 * A finite double as the shortest of printf's %.15g, %.16g and %.17g that
 * strtod reads back as v (integers below 1e15 in plain decimal; -0 as
 * "-0"), into buf of len >= AB_NUM_TEXT bytes. Returns the length.
 */
size_t num_format_double(double v, char *buf, size_t len);

#endif
