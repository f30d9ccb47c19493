/* SPDX-License-Identifier: MIT */
/*
 * Writing JSON text (RFC 8259) straight into a byte buffer: the pieces the
 * run documents are made of.
 */
#ifndef AB_JSONW_H
#define AB_JSONW_H

#include <stdint.h>

#include "buf.h"

/*
 * s as a JSON string the way cJSON 1.7 prints it: '"' and '\\' escaped,
 * \b \f \n \r \t by name, other bytes below 0x20 as \u00xx in lower
 * case, everything else (UTF-8 included) as it is. NULL is null.
 */
void jsonw_string(struct ab_buf *b, const char *s);

/* A double in its shortest exact text (num_format_double); null when it is
 * not finite. */
void jsonw_double(struct ab_buf *b, double v);

/* An integer in plain decimal; null when v == unknown. */
void jsonw_int(struct ab_buf *b, int64_t v, int64_t unknown);

/* ms since the epoch as an RFC 3339 string (timefmt_rfc3339); null when the
 * time has no four-digit year. */
void jsonw_time(struct ab_buf *b, int64_t ms);

#endif
