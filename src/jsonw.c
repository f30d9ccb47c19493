/* SPDX-License-Identifier: MIT */
/*
 * The JSON text writer: strings, numbers and times appended straight to a
 * byte buffer, with exactly the characters cJSON 1.7's printer gives for
 * strings and integers, and the shortest exact text for doubles (which
 * cJSON sometimes rounds). The run documents of the history and of
 * GET /api/v1/runs are written with it, without building a tree.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "buf.h"
#include "jsonw.h"
#include "num.h"
#include "timefmt.h"

/*
 * s as a JSON string (RFC 8259 section 7) the way cJSON 1.7 prints it:
 * '"' and '\\' escaped, \b \f \n \r \t by name, other bytes below 0x20
 * as \u00xx in lower case, everything else (UTF-8 included) as it is.
 * NULL is null.
 */
void
jsonw_string(struct ab_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *from;
	char esc[6] = {'\\', 'u', '0', '0'};
	size_t n;

	if (s == NULL) {
		AB_BUF_LIT(b, "null");
		return;
	}
	AB_BUF_LIT(b, "\"");
	for (;;) {
		for (from = p; *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		ab_buf_append(b, from, (size_t)(p - from));
		if (*p == '\0')
			break;
		n = 2;
		switch (*p) {
		case '"':
		case '\\':
			esc[1] = (char)*p;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			n = 6;
			break;
		}
		ab_buf_append(b, esc, n);
		p++;
	}
	AB_BUF_LIT(b, "\"");
}

/* A double in its shortest exact text; null when not finite. */
void
jsonw_double(struct ab_buf *b, double v)
{
	char buf[32];

	if (!isfinite(v))
		AB_BUF_LIT(b, "null");
	else
		ab_buf_append(b, buf, num_format_double(v, buf, sizeof(buf)));
}

/* An integer in plain decimal; null when it is `unknown`. */
void
jsonw_int(struct ab_buf *b, int64_t v, int64_t unknown)
{
	char buf[32];

	if (v == unknown)
		AB_BUF_LIT(b, "null");
	else
		ab_buf_append(b, buf, num_format_int(v, buf));
}

/* ms since the epoch as an RFC 3339 string; null when it has no such form. */
void
jsonw_time(struct ab_buf *b, int64_t ms)
{
	char ts[AB_RFC3339_LEN];

	jsonw_string(b, timefmt_rfc3339(ms, ts, sizeof(ts)) == 0 ? ts : NULL);
}
