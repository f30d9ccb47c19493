/* SPDX-License-Identifier: MIT */
/*
 * Life cycle and names of struct run, and its JSON document: the history
 * line format and the element of GET /api/v1/runs. The document is built
 * as a cJSON tree (run_to_json) or written straight into a text buffer
 * (run_write_json, what the store and the API use), both with the same
 * bytes; writing turns unknown values into null and doubles into their
 * shortest exact text. Reading validates every member's type strictly and
 * refuses documents from a newer schema without reading them.
 */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "run.h"
#include "xmalloc.h"

static const char *const status_names[RUN_NSTATUS] = {"ok", "unverified",
    "failed", "timeout"};
static const char *const phase_names[PHASE_N] = {"append", "fill", "clear",
    "refill"};

/* Sets a reading to "unknown": NAN temperature and load, -1 otherwise. */
void
run_reading_init(struct host_reading *h)
{
	h->temp_c = NAN;
	h->freq_khz = -1;
	h->load1 = NAN;
	h->throttled = -1;
}

/* Sets every field of r to its "nothing measured" value; owns nothing. */
void
run_init(struct run *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	run_reading_init(&r->before);
	run_reading_init(&r->after);
	r->status = RUN_FAILED;
	r->exit_code = -1;
	r->iterations = -1;
	r->wall_s = r->user_s = r->sys_s = NAN;
	r->maxrss_kb = r->minflt = r->majflt = r->nvcsw = r->nivcsw = -1;
	for (i = 0; i < PHASE_N; i++)
		r->phase_s[i] = NAN;
	r->vmhwm_kb = -1;
}

/* Frees the four strings r owns and re-initialises it; NULL is a no-op. */
void
run_clear(struct run *r)
{
	if (r == NULL)
		return;
	free(r->variant);
	free(r->malloc_provider);
	free(r->python_version);
	free(r->error);
	run_init(r);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Copies src into dst, duplicating its strings; free dst with run_clear. */
void
run_copy(struct run *dst, const struct run *src)
{
	*dst = *src;
	dst->variant = dup_or_null(src->variant);
	dst->malloc_provider = dup_or_null(src->malloc_provider);
	dst->python_version = dup_or_null(src->python_version);
	dst->error = dup_or_null(src->error);
}

/* The status name used in documents; "unknown" for an invalid value. */
const char *
run_status_name(enum run_status s)
{
	return (unsigned)s < RUN_NSTATUS ? status_names[s] : "unknown";
}

/* Sets *out to the status called `name`; returns 0, or -1 if none is. */
int
run_status_parse(const char *name, enum run_status *out)
{
	int i;

	for (i = 0; i < RUN_NSTATUS; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum run_status)i;
			return 0;
		}
	}
	return -1;
}

/* The phase name used in documents; "unknown" for an invalid value. */
const char *
run_phase_name(enum run_phase p)
{
	return (unsigned)p < PHASE_N ? phase_names[p] : "unknown";
}

#define AB_RUN_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Integers cJSON's printer renders exactly: below 10^15. */
#define AB_PRINT_EXACT 1000000000000000LL
/* 2^63: v and started_ms are in [-2^63, 2^63), exact up to 2^53. */
#define AB_INT64_LIM 9223372036854775808.0

static const char *const flag_names[] = {"throttled", "loaded"};
static const unsigned flag_bits[] = {RUN_FLAG_THROTTLED, RUN_FLAG_LOADED};
#define NFLAGS (sizeof(flag_bits) / sizeof(flag_bits[0]))

/*
 * Text helpers shared by run_to_json and run_write_json, so that the tree
 * and the text hold the same characters: integers, doubles and times are
 * formatted here without printf where that is exact, and with it where it
 * is not.
 */

/* v in decimal into buf (at least 21 bytes); returns the length. */
static size_t
format_int(int64_t v, char *buf)
{
	char tmp[24], *end = tmp + sizeof(tmp), *s = end;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n;

	do {
		*--s = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--s = '-';
	n = (size_t)(end - s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

/* The n low decimal digits of v at buf, zero-padded. */
static void
put_digits(char *buf, unsigned v, int n)
{
	while (n-- > 0) {
		buf[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * RFC 3339 UTC with milliseconds, "2025-11-25T14:34:56.123Z", the format of
 * render_rfc3339 (which this leaf module must not call), into buf (at least
 * 25 bytes). The date is the proleptic Gregorian one of gmtime(3), worked
 * out from the day number (H. Hinnant's civil_from_days) so that it needs
 * neither the time zone lock nor a 64-bit time_t. Returns -1 for times
 * whose year has no four-digit form.
 */
static int
format_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t sec = ms / 1000, frac = ms % 1000, z, era, year;
	unsigned doe, yoe, doy, mp, month, day, sod;

	if (len < 25)
		return -1;
	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	z = sec / 86400;
	if (sec % 86400 < 0)
		z--;
	sod = (unsigned)(sec - z * 86400);
	z += 719468; /* days from 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = (int64_t)yoe + era * 400 + (month <= 2);
	if (year < 0 || year > 9999)
		return -1;
	put_digits(buf, (unsigned)year, 4);
	buf[4] = '-';
	put_digits(buf + 5, month, 2);
	buf[7] = '-';
	put_digits(buf + 8, day, 2);
	buf[10] = 'T';
	put_digits(buf + 11, sod / 3600, 2);
	buf[13] = ':';
	put_digits(buf + 14, sod / 60 % 60, 2);
	buf[16] = ':';
	put_digits(buf + 17, sod % 60, 2);
	buf[19] = '.';
	put_digits(buf + 20, (unsigned)frac, 3);
	buf[23] = 'Z';
	buf[24] = '\0';
	return 0;
}

/* Digits of the correctly rounded expansion printf_digits starts from. */
#define AB_EXP_DIGITS 26

/* 10^0..10^19, the powers of ten a uint64_t holds. */
static const uint64_t pow10_u64[] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL,
    100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
    10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

/* 10^0..10^22, the powers of ten a double holds exactly. */
static const double pow10_exact[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22};

/* "00" to "99". */
static const char digit_pairs[] = "0001020304050607080910111213141516171819"
                                  "2021222324252627282930313233343536373839"
                                  "4041424344454647484950515253545556575859"
                                  "6061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/*
 * Below, a double's text for a precision p (15, 16 or 17) is held as the
 * integer q of its p significant digits, 10^(p-1) <= q < 10^p, and the
 * decimal exponent x of the first: the value q 10^(x-p+1).
 */

/*
 * The text printf's %.<p>g writes for q and x (C11 7.21.6.1): fixed
 * notation when -4 <= x < p, else d.ddde+XX; trailing zeros of the
 * fraction and a bare decimal point left out. Returns the length.
 */
static size_t
format_g(char *buf, int neg, uint64_t q, int p, int x)
{
	char d[20], *w = buf;
	int n = p, i;
	unsigned ax;

	for (i = p; i >= 2; i -= 2) {
		memcpy(d + i - 2, digit_pairs + 2 * (q % 100), 2);
		q /= 100;
	}
	if (i == 1)
		d[0] = (char)('0' + q);
	if (neg)
		*w++ = '-';
	if (x >= -4 && x < p) {
		if (x >= 0) {
			while (n > x + 1 && d[n - 1] == '0')
				n--;
			memcpy(w, d, (size_t)x + 1);
			w += x + 1;
			if (n > x + 1) {
				*w++ = '.';
				memcpy(w, d + x + 1, (size_t)(n - x - 1));
				w += n - x - 1;
			}
		} else {
			while (n > 1 && d[n - 1] == '0')
				n--;
			*w++ = '0';
			*w++ = '.';
			for (i = -1; i > x; i--)
				*w++ = '0';
			memcpy(w, d, (size_t)n);
			w += n;
		}
	} else {
		while (n > 1 && d[n - 1] == '0')
			n--;
		*w++ = d[0];
		if (n > 1) {
			*w++ = '.';
			memcpy(w, d + 1, (size_t)n - 1);
			w += n - 1;
		}
		*w++ = 'e';
		*w++ = x < 0 ? '-' : '+';
		ax = (unsigned)(x < 0 ? -x : x);
		if (ax >= 100) {
			put_digits(w, ax, 3);
			w += 3;
		} else {
			put_digits(w, ax, 2);
			w += 2;
		}
	}
	*w = '\0';
	return (size_t)(w - buf);
}

/*
 * Whether the text for q and x reads back as v, as strtod would say: when
 * q and the power of ten are exact doubles, one correctly rounded
 * multiplication or division gives strtod's result (Clinger's fast path),
 * given an evaluation method without excess precision. Returns 1 or 0, or
 * -1 when it cannot tell.
 */
static int
reads_back(double v, int neg, uint64_t q, int p, int x)
{
#if FLT_EVAL_METHOD == 0
	int k = x - (p - 1);
	double y;

	if (q <= (1ULL << 53) && k >= -22 && k <= 22) {
		y = k < 0 ? (double)q / pow10_exact[-k]
		          : (double)q * pow10_exact[k];
		return (neg ? -y : y) == v;
	}
#else
	(void)v, (void)neg, (void)q, (void)p, (void)x;
#endif
	return -1;
}

#ifdef __SIZEOF_INT128__
/*
 * The first p (<= 17) significant digits of |v|, correctly rounded the
 * way printf rounds them (to nearest, ties to even), worked out exactly in
 * 128-bit integers: |v| = m 2^-sh with m < 2^53, so |v| 10^s = m 10^s /
 * 2^sh, where 10^s (s <= 22) scales the value to p digits before the
 * point. *guess is the decimal exponent of |v|, INT_MIN before the first
 * call. Returns -1 for the values this does not cover, which printf
 * formats instead: subnormal ones, integers from 2^53 up and magnitudes
 * below about 10^(p-23).
 */
static int
exact_digits(double v, int p, int *guess, uint64_t *qp, int *x)
{
	unsigned __int128 n, rem, half, scale;
	uint64_t bits, m, q;
	int be, sh, s, i;

	memcpy(&bits, &v, sizeof(bits));
	be = (int)(bits >> 52 & 0x7ff);
	sh = 1075 - be;
	if (be == 0 || sh <= 0 || sh > 127)
		return -1;
	m = (bits & ((1ULL << 52) - 1)) | 1ULL << 52;
	if (*guess == INT_MIN)
		*guess = (int)floor(log10(fabs(v)));
	for (i = 0;; i++) {
		s = p - 1 - *guess;
		if (i == 3 || s < 0 || s > 22)
			return -1;
		scale = s <= 19
		    ? pow10_u64[s]
		    : (unsigned __int128)pow10_u64[19] * pow10_u64[s - 19];
		n = (unsigned __int128)m * scale;
		q = (uint64_t)(n >> sh); /* < 10^18 unless the guess is off */
		if (q < pow10_u64[p - 1])
			(*guess)--;
		else if (q >= pow10_u64[p])
			(*guess)++;
		else
			break;
	}
	*x = *guess;
	rem = n & (((unsigned __int128)1 << sh) - 1);
	half = (unsigned __int128)1 << (sh - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	if (q == pow10_u64[p]) {
		q /= 10;
		(*x)++;
	}
	*qp = q;
	return 0;
}
#else
static int
exact_digits(double v, int p, int *guess, uint64_t *qp, int *x)
{
	(void)v, (void)p, (void)guess, (void)qp, (void)x;
	return -1;
}
#endif

/* The digits printf gives for a double, asked for once per value. */
struct expansion {
	int have;
	int x;                 /* decimal exponent of d[0] */
	char d[AB_EXP_DIGITS]; /* correctly rounded */
};

/*
 * The first p digits of v, rounded from an expansion by printf made on
 * first use. Returns -1 when the dropped digits are exactly a half: then
 * they cannot tell which way the value itself rounds. Otherwise the
 * result is what printf gives for p digits, since the value is within
 * half a unit of the expansion's last digit.
 */
static int
printf_digits(double v, struct expansion *ex, int p, uint64_t *qp, int *x)
{
	char e[48];
	uint64_t q = 0;
	int neg, i;

	if (!ex->have) {
		/* [-]d.ddd...e[+-]XX */
		snprintf(e, sizeof(e), "%.*e", AB_EXP_DIGITS - 1, v);
		neg = e[0] == '-';
		ex->d[0] = e[neg];
		memcpy(ex->d + 1, e + neg + 2, AB_EXP_DIGITS - 1);
		ex->x = (int)strtol(e + neg + AB_EXP_DIGITS + 2, NULL, 10);
		ex->have = 1;
	}
	if (ex->d[p] == '5') {
		for (i = p + 1; i < AB_EXP_DIGITS && ex->d[i] == '0'; i++)
			;
		if (i == AB_EXP_DIGITS)
			return -1;
	}
	for (i = 0; i < p; i++)
		q = q * 10 + (uint64_t)(ex->d[i] - '0');
	*x = ex->x;
	if (ex->d[p] >= '5' && ++q == pow10_u64[p]) {
		q /= 10;
		(*x)++;
	}
	*qp = q;
	return 0;
}

/*
 * A finite double as the shortest of %.15g, %.16g and %.17g that reads
 * back as the same value; %.17g always does (IEEE 754 binary64 needs 17
 * significant digits). Integers below 10^15 are written directly; the
 * digits of other values come from exact integer arithmetic where the
 * compiler has 128-bit integers and the value is in range, else from one
 * printf of AB_EXP_DIGITS digits rounded here, with printf asked for the
 * precision itself only when that rounding is a tie. buf holds at least
 * 32 bytes; returns the length.
 */
static size_t
format_double(double v, char *buf, size_t len)
{
	struct expansion ex;
	uint64_t q;
	int neg = signbit(v) != 0, guess = INT_MIN, x, p, back;
	size_t n;

	if (v == 0) { /* %g keeps the sign of -0 */
		n = 0;
		if (neg)
			buf[n++] = '-';
		buf[n++] = '0';
		buf[n] = '\0';
		return n;
	}
	if (fabs(v) < 1e15 && v == (double)(int64_t)v)
		return format_int((int64_t)v, buf);
	ex.have = 0;
	for (p = 15;; p++) {
		if (exact_digits(v, p, &guess, &q, &x) == 0 ||
		    printf_digits(v, &ex, p, &q, &x) == 0) {
			if (p == 17 ||
			    (back = reads_back(v, neg, q, p, x)) == 1)
				return format_g(buf, neg, q, p, x);
			if (back == -1) {
				n = format_g(buf, neg, q, p, x);
				if (strtod(buf, NULL) == v)
					return n;
			}
		} else {
			n = (size_t)snprintf(buf, len, "%.*g", p, v);
			if (p == 17 || strtod(buf, NULL) == v)
				return n;
		}
	}
}

/*
 * A double member, null when not finite. It is a raw item holding the
 * exact text because cJSON 1.7's print_number accepts a 15-digit form that
 * is only "close" to the value (its compare_double), which drops the last
 * bits of about one measured double in five.
 */
static void
add_double(cJSON *o, const char *key, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	format_double(v, buf, sizeof(buf));
	cJSON_AddRawToObject(o, key, buf);
}

/*
 * An integer member, null when it holds the "unknown" value. cJSON prints
 * integers below 1e15 exactly; larger ones (never measured in practice)
 * are raw decimal text for the same reason as add_double.
 */
static void
add_int(cJSON *o, const char *key, int64_t v, int64_t unknown)
{
	char buf[32];

	if (v == unknown)
		cJSON_AddNullToObject(o, key);
	else if (v > -AB_PRINT_EXACT && v < AB_PRINT_EXACT)
		cJSON_AddNumberToObject(o, key, (double)v);
	else {
		format_int(v, buf);
		cJSON_AddRawToObject(o, key, buf);
	}
}

static void
add_string(cJSON *o, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void
add_reading(cJSON *o, const char *key, const struct host_reading *h)
{
	cJSON *r = cJSON_AddObjectToObject(o, key);

	add_double(r, "temp_c", h->temp_c);
	add_int(r, "freq_khz", h->freq_khz, -1);
	add_double(r, "load1", h->load1);
	add_int(r, "throttled", h->throttled, -1);
}

/*
 * Builds the run document described in run.h; members appear in the order
 * run_from_json reads them. Doubles are raw items (see add_double): print
 * the tree, or read it back with run_from_json, rather than reading their
 * valuedouble. The caller frees the result with cJSON_Delete.
 */
cJSON *
run_to_json(const struct run *r)
{
	cJSON *o, *ph, *fl;
	char ts[40];
	size_t i;
	int p;

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", AB_RUN_SCHEMA);
	add_string(o, "variant", r->variant);
	add_int(o, "started_ms", r->started_ms, INT64_MIN);
	if (format_rfc3339(r->started_ms, ts, sizeof(ts)) == 0)
		cJSON_AddStringToObject(o, "started_at", ts);
	else
		cJSON_AddNullToObject(o, "started_at");
	cJSON_AddStringToObject(o, "status", run_status_name(r->status));
	add_int(o, "exit_code", r->exit_code, -1);
	cJSON_AddNumberToObject(o, "signal", r->term_signal);
	add_int(o, "iterations", r->iterations, -1);
	add_double(o, "wall_s", r->wall_s);
	add_double(o, "user_s", r->user_s);
	add_double(o, "sys_s", r->sys_s);
	add_int(o, "maxrss_kb", r->maxrss_kb, -1);
	add_int(o, "minflt", r->minflt, -1);
	add_int(o, "majflt", r->majflt, -1);
	add_int(o, "nvcsw", r->nvcsw, -1);
	add_int(o, "nivcsw", r->nivcsw, -1);
	ph = cJSON_AddObjectToObject(o, "phases_s");
	for (p = 0; p < PHASE_N; p++)
		add_double(ph, phase_names[p], r->phase_s[p]);
	add_int(o, "vmhwm_kb", r->vmhwm_kb, -1);
	add_string(o, "malloc_provider", r->malloc_provider);
	add_string(o, "python_version", r->python_version);
	add_string(o, "error", r->error);
	add_reading(o, "host_before", &r->before);
	add_reading(o, "host_after", &r->after);
	fl = cJSON_AddArrayToObject(o, "flags");
	for (i = 0; i < NFLAGS; i++)
		if (r->flags & flag_bits[i])
			cJSON_AddItemToArray(fl,
			    cJSON_CreateString(flag_names[i]));
	return o;
}

/* Grows b to hold n more bytes and the NUL. */
static void
buf_grow(struct run_buf *b, size_t n)
{
	size_t cap = b->cap != 0 ? b->cap : 256;

	if (n > SIZE_MAX / 2 - b->len) {
		log_err("run: a document of %zu + %zu bytes", b->len, n);
		abort();
	}
	while (cap - b->len <= n)
		cap *= 2;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

/* Appends n bytes at s and keeps p NUL-terminated. */
void
run_buf_append(struct run_buf *b, const void *s, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Sets the length to 0, keeping the allocation. */
void
run_buf_reset(struct run_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Frees p and zeroes b; a buffer never appended to is a no-op. */
void
run_buf_free(struct run_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Appends a string literal (its length is known at compile time). */
#define PUT_LIT(b, s) run_buf_append((b), (s), sizeof(s) - 1)

/*
 * s as a JSON string (RFC 8259 section 7) the way cJSON 1.7 prints it:
 * '"' and '\\' escaped, \b \f \n \r \t by name, other bytes below 0x20
 * as \u00xx in lower case, everything else (UTF-8 included) as it is.
 * NULL is null.
 */
static void
put_string(struct run_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *from;
	char esc[6] = {'\\', 'u', '0', '0'};
	size_t n;

	if (s == NULL) {
		PUT_LIT(b, "null");
		return;
	}
	PUT_LIT(b, "\"");
	for (;;) {
		for (from = p; *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		run_buf_append(b, from, (size_t)(p - from));
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
		run_buf_append(b, esc, n);
		p++;
	}
	PUT_LIT(b, "\"");
}

/* A double as add_double prints it: null when not finite. */
static void
put_double(struct run_buf *b, double v)
{
	char buf[32];

	if (!isfinite(v))
		PUT_LIT(b, "null");
	else
		run_buf_append(b, buf, format_double(v, buf, sizeof(buf)));
}

/* An integer as add_int prints it: null when it is `unknown`. */
static void
put_int(struct run_buf *b, int64_t v, int64_t unknown)
{
	char buf[32];

	if (v == unknown)
		PUT_LIT(b, "null");
	else
		run_buf_append(b, buf, format_int(v, buf));
}

/* The rest of a host reading object, after its key. */
static void
put_reading(struct run_buf *b, const struct host_reading *h)
{
	PUT_LIT(b, "{\"temp_c\":");
	put_double(b, h->temp_c);
	PUT_LIT(b, ",\"freq_khz\":");
	put_int(b, h->freq_khz, -1);
	PUT_LIT(b, ",\"load1\":");
	put_double(b, h->load1);
	PUT_LIT(b, ",\"throttled\":");
	put_int(b, h->throttled, -1);
	PUT_LIT(b, "}");
}

/*
 * Writes what cJSON_PrintUnformatted(run_to_json(r)) would, member by
 * member in the same order and with the same formatting helpers; cJSON
 * prints integers below 1e15 (all add_int gives it) in plain decimal, as
 * format_int does. tests/check_run.c compares the two byte for byte.
 */
void
run_write_json(struct run_buf *b, const struct run *r)
{
	char ts[40];
	size_t i, n = 0;
	int p;

	PUT_LIT(b, "{\"v\":");
	put_int(b, AB_RUN_SCHEMA, INT64_MIN);
	PUT_LIT(b, ",\"variant\":");
	put_string(b, r->variant);
	PUT_LIT(b, ",\"started_ms\":");
	put_int(b, r->started_ms, INT64_MIN);
	PUT_LIT(b, ",\"started_at\":");
	put_string(b,
	    format_rfc3339(r->started_ms, ts, sizeof(ts)) == 0 ? ts : NULL);
	PUT_LIT(b, ",\"status\":");
	put_string(b, run_status_name(r->status));
	PUT_LIT(b, ",\"exit_code\":");
	put_int(b, r->exit_code, -1);
	PUT_LIT(b, ",\"signal\":");
	put_int(b, r->term_signal, INT64_MIN);
	PUT_LIT(b, ",\"iterations\":");
	put_int(b, r->iterations, -1);
	PUT_LIT(b, ",\"wall_s\":");
	put_double(b, r->wall_s);
	PUT_LIT(b, ",\"user_s\":");
	put_double(b, r->user_s);
	PUT_LIT(b, ",\"sys_s\":");
	put_double(b, r->sys_s);
	PUT_LIT(b, ",\"maxrss_kb\":");
	put_int(b, r->maxrss_kb, -1);
	PUT_LIT(b, ",\"minflt\":");
	put_int(b, r->minflt, -1);
	PUT_LIT(b, ",\"majflt\":");
	put_int(b, r->majflt, -1);
	PUT_LIT(b, ",\"nvcsw\":");
	put_int(b, r->nvcsw, -1);
	PUT_LIT(b, ",\"nivcsw\":");
	put_int(b, r->nivcsw, -1);
	PUT_LIT(b, ",\"phases_s\":{");
	for (p = 0; p < PHASE_N; p++) {
		if (p > 0)
			PUT_LIT(b, ",");
		put_string(b, phase_names[p]);
		PUT_LIT(b, ":");
		put_double(b, r->phase_s[p]);
	}
	PUT_LIT(b, "},\"vmhwm_kb\":");
	put_int(b, r->vmhwm_kb, -1);
	PUT_LIT(b, ",\"malloc_provider\":");
	put_string(b, r->malloc_provider);
	PUT_LIT(b, ",\"python_version\":");
	put_string(b, r->python_version);
	PUT_LIT(b, ",\"error\":");
	put_string(b, r->error);
	PUT_LIT(b, ",\"host_before\":");
	put_reading(b, &r->before);
	PUT_LIT(b, ",\"host_after\":");
	put_reading(b, &r->after);
	PUT_LIT(b, ",\"flags\":[");
	for (i = 0; i < NFLAGS; i++) {
		if (!(r->flags & flag_bits[i]))
			continue;
		if (n++ > 0)
			PUT_LIT(b, ",");
		put_string(b, flag_names[i]);
	}
	PUT_LIT(b, "]}");
}

/*
 * Reading one object: its members are usually in the order run_to_json
 * wrote them, so each lookup first tries the member after the previous
 * hit and falls back to a search. Messages name the member with its path.
 */
struct reader {
	const cJSON *obj;
	const cJSON *next;
	const char *path; /* "" or "phases_s." */
	char *err;
	size_t errlen;
};

static int fail(struct reader *, const char *, ...) AB_RUN_PRINTF(2, 3);

static int
fail(struct reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->err, rd->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void
reader_init(struct reader *rd, const cJSON *obj, const char *path, char *err,
    size_t errlen)
{
	rd->obj = obj;
	rd->next = obj != NULL ? obj->child : NULL;
	rd->path = path;
	rd->err = err;
	rd->errlen = errlen;
}

/* The member `key`, or NULL when it is absent or null. */
static const cJSON *
member(struct reader *rd, const char *key)
{
	const cJSON *m = rd->next;

	if (m == NULL || m->string == NULL || strcmp(m->string, key) != 0)
		m = cJSON_GetObjectItemCaseSensitive(rd->obj, key);
	if (m == NULL)
		return NULL;
	rd->next = m->next;
	return cJSON_IsNull(m) ? NULL : m;
}

/* A number item's value: a cJSON number or a raw item from add_double. */
static int
item_double(const cJSON *m, double *out)
{
	char *end;
	double v;

	if (cJSON_IsNumber(m))
		v = m->valuedouble;
	else if (cJSON_IsRaw(m) && m->valuestring != NULL) {
		v = strtod(m->valuestring, &end);
		if (end == m->valuestring || *end != '\0')
			return -1;
	} else
		return -1;
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* A finite number member; absent or null leaves *out (the unknown). */
static int
read_double(struct reader *rd, const char *key, double *out)
{
	const cJSON *m = member(rd, key);

	if (m != NULL && item_double(m, out) == -1)
		return fail(rd, "%s%s is not a number", rd->path, key);
	return 0;
}

/*
 * An integer-valued number member in [min, max]; absent or null leaves
 * *out. With `required` set, absent or null is an error.
 */
static int
read_int(struct reader *rd, const char *key, double min, double max,
    int required, double *out)
{
	const cJSON *m = member(rd, key);
	double v;

	if (m == NULL) {
		if (required)
			return fail(rd, "missing %s%s", rd->path, key);
		return 0;
	}
	if (item_double(m, &v) == -1)
		return fail(rd, "%s%s is not a number", rd->path, key);
	if (v != floor(v))
		return fail(rd, "%s%s is not an integer", rd->path, key);
	if (v < min || v >= max)
		return fail(rd, "%s%s is out of range", rd->path, key);
	*out = v;
	return 0;
}

static int
read_long(struct reader *rd, const char *key, long *out)
{
	double v = (double)*out;

	if (read_int(rd, key, (double)LONG_MIN, (double)LONG_MAX + 1.0, 0,
	        &v) == -1)
		return -1;
	*out = (long)v;
	return 0;
}

static int
read_intval(struct reader *rd, const char *key, int *out)
{
	double v = *out;

	if (read_int(rd, key, INT_MIN, INT_MAX + 1.0, 0, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* A string member, copied; absent or null gives NULL. */
static int
read_string(struct reader *rd, const char *key, char **out)
{
	const cJSON *m = member(rd, key);

	if (m == NULL)
		return 0;
	if (!cJSON_IsString(m) || m->valuestring == NULL)
		return fail(rd, "%s%s is not a string", rd->path, key);
	*out = xstrdup(m->valuestring);
	return 0;
}

/* An object member to read with `sub`; absent or null gives obj NULL. */
static int
read_object(struct reader *rd, const char *key, char *path, size_t pathlen,
    struct reader *sub)
{
	const cJSON *m = member(rd, key);

	if (m != NULL && !cJSON_IsObject(m))
		return fail(rd, "%s%s is not an object", rd->path, key);
	snprintf(path, pathlen, "%s%s.", rd->path, key);
	reader_init(sub, m, path, rd->err, rd->errlen);
	return 0;
}

static int
read_reading(struct reader *rd, const char *key, struct host_reading *h)
{
	struct reader sub;
	char path[32];

	if (read_object(rd, key, path, sizeof(path), &sub) == -1)
		return -1;
	if (sub.obj == NULL)
		return 0;
	if (read_double(&sub, "temp_c", &h->temp_c) == -1 ||
	    read_long(&sub, "freq_khz", &h->freq_khz) == -1 ||
	    read_double(&sub, "load1", &h->load1) == -1 ||
	    read_long(&sub, "throttled", &h->throttled) == -1)
		return -1;
	return 0;
}

static int
read_flags(struct reader *rd, unsigned *out)
{
	const cJSON *m = member(rd, "flags"), *e;
	size_t i, n = 0;

	if (m == NULL)
		return 0;
	if (!cJSON_IsArray(m))
		return fail(rd, "flags is not an array");
	cJSON_ArrayForEach(e, m) {
		if (!cJSON_IsString(e) || e->valuestring == NULL)
			return fail(rd, "flags[%zu] is not a string", n);
		for (i = 0; i < NFLAGS; i++)
			if (strcmp(e->valuestring, flag_names[i]) == 0)
				break;
		if (i == NFLAGS)
			return fail(rd, "flag '%s' unknown", e->valuestring);
		*out |= flag_bits[i];
		n++;
	}
	return 0;
}

/*
 * Reads a run document into *out, checking every member's type: required
 * are v, a non-empty variant, an integer started_ms and a known status;
 * other members may be absent or null (unknown). started_at is derived
 * from started_ms and not read; members this schema does not know are
 * ignored. Returns 0; -1 with the reason in err; -2 when v is newer than
 * AB_RUN_SCHEMA. On error *out is cleared.
 */
int
run_from_json(const cJSON *doc, struct run *out, char *err, size_t errlen)
{
	struct reader rd, sub;
	const cJSON *m;
	char path[32];
	double v = 0, started = 0;
	int p;

	run_init(out);
	if (!cJSON_IsObject(doc)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	reader_init(&rd, doc, "", err, errlen);
	if (read_int(&rd, "v", -AB_INT64_LIM, AB_INT64_LIM, 1, &v) == -1)
		goto fail;
	if (v > AB_RUN_SCHEMA) {
		snprintf(err, errlen,
		    "schema %.0f is newer than this allocbenchd (%d)", v,
		    AB_RUN_SCHEMA);
		return -2;
	}
	if (v < 1) {
		fail(&rd, "schema %.0f is not valid", v);
		goto fail;
	}
	if ((m = member(&rd, "variant")) == NULL) {
		fail(&rd, "missing variant");
		goto fail;
	}
	if (!cJSON_IsString(m) || m->valuestring == NULL) {
		fail(&rd, "variant is not a string");
		goto fail;
	}
	if (m->valuestring[0] == '\0') {
		fail(&rd, "variant is empty");
		goto fail;
	}
	out->variant = xstrdup(m->valuestring);
	if (read_int(&rd, "started_ms", -AB_INT64_LIM, AB_INT64_LIM, 1,
	        &started) == -1)
		goto fail;
	out->started_ms = (int64_t)started;
	if ((m = member(&rd, "status")) == NULL) {
		fail(&rd, "missing status");
		goto fail;
	}
	if (!cJSON_IsString(m) || m->valuestring == NULL) {
		fail(&rd, "status is not a string");
		goto fail;
	}
	if (run_status_parse(m->valuestring, &out->status) == -1) {
		fail(&rd, "status '%s' unknown", m->valuestring);
		goto fail;
	}
	if (read_intval(&rd, "exit_code", &out->exit_code) == -1 ||
	    read_intval(&rd, "signal", &out->term_signal) == -1 ||
	    read_long(&rd, "iterations", &out->iterations) == -1 ||
	    read_double(&rd, "wall_s", &out->wall_s) == -1 ||
	    read_double(&rd, "user_s", &out->user_s) == -1 ||
	    read_double(&rd, "sys_s", &out->sys_s) == -1 ||
	    read_long(&rd, "maxrss_kb", &out->maxrss_kb) == -1 ||
	    read_long(&rd, "minflt", &out->minflt) == -1 ||
	    read_long(&rd, "majflt", &out->majflt) == -1 ||
	    read_long(&rd, "nvcsw", &out->nvcsw) == -1 ||
	    read_long(&rd, "nivcsw", &out->nivcsw) == -1)
		goto fail;
	if (read_object(&rd, "phases_s", path, sizeof(path), &sub) == -1)
		goto fail;
	for (p = 0; sub.obj != NULL && p < PHASE_N; p++)
		if (read_double(&sub, phase_names[p], &out->phase_s[p]) == -1)
			goto fail;
	if (read_long(&rd, "vmhwm_kb", &out->vmhwm_kb) == -1 ||
	    read_string(&rd, "malloc_provider", &out->malloc_provider) == -1 ||
	    read_string(&rd, "python_version", &out->python_version) == -1 ||
	    read_string(&rd, "error", &out->error) == -1 ||
	    read_reading(&rd, "host_before", &out->before) == -1 ||
	    read_reading(&rd, "host_after", &out->after) == -1 ||
	    read_flags(&rd, &out->flags) == -1)
		goto fail;
	return 0;
fail:
	run_clear(out);
	return -1;
}
