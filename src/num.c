/* SPDX-License-Identifier: MIT */
/*
 * strtol/strtod wrappers that reject empty input, trailing characters,
 * overflow and values outside the caller's range.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "num.h"

int
num_parse_long(const char *s, long min, long max, long *out, char *err,
    size_t errlen)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a number", s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0') {
		snprintf(err, errlen, "'%s' is not a number", s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "'%s' is out of range [%ld, %ld]", s, min,
		    max);
		return -1;
	}
	*out = v;
	return 0;
}

int
num_parse_double(const char *s, double min, double max, double *out, char *err,
    size_t errlen)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a number", s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v)) {
		snprintf(err, errlen, "'%s' is not a number", s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "'%s' is out of range [%g, %g]", s, min,
		    max);
		return -1;
	}
	*out = v;
	return 0;
}
