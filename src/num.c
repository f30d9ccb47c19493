/* SPDX-License-Identifier: MIT */
/*
 * Numbers and text, both ways: strtol/strtod wrappers that reject empty
 * input, trailing characters, overflow and values outside the caller's
 * range, and exact formatting: integers in plain decimal and doubles in
 * the shortest %.15g/%.16g/%.17g text that reads back to the same double,
 * without printf where that is exact. Every document the daemon writes
 * (history, API, /metrics) formats its numbers here.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* v in decimal into buf (at least 21 bytes); returns the length. */
size_t
num_format_int(int64_t v, char *buf)
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
size_t
num_format_double(double v, char *buf, size_t len)
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
		return num_format_int((int64_t)v, buf);
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
