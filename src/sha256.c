/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 as FIPS 180-4 specifies it: 64-byte blocks, the message
 * schedule and compression of section 6.2.2, and the padding of section
 * 5.1.1 (a 1 bit, zeros, the bit length as a 64-bit big-endian number).
 * No I/O besides sha256_file, which reads a file in blocks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t k[64] = {0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138,
    0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624,
    0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f,
    0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static void
compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2, s0, s1;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		s0 =
		    ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	f = h[5];
	g = h[6];
	hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) +
		    ((e & f) ^ (~e & g)) + k[i] + w[i];
		t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

/* FIPS 180-4 5.3.3. */
void
sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, h0, sizeof(h0));
	s->bytes = 0;
	s->fill = 0;
}

/* Fills the pending block first, then compresses whole blocks straight
 * from the input. */
void
sha256_update(struct sha256 *s, const void *p, size_t len)
{
	const unsigned char *in = p;
	size_t take;

	if (len == 0)
		return; /* p may be NULL then; memcpy's may not */
	s->bytes += len;
	if (s->fill > 0) {
		take = sizeof(s->block) - s->fill;
		if (take > len)
			take = len;
		memcpy(s->block + s->fill, in, take);
		s->fill += take;
		in += take;
		len -= take;
		if (s->fill < sizeof(s->block))
			return;
		compress(s->h, s->block);
		s->fill = 0;
	}
	for (; len >= sizeof(s->block); in += 64, len -= 64)
		compress(s->h, in);
	if (len > 0) {
		memcpy(s->block, in, len);
		s->fill = len;
	}
}

/* FIPS 180-4 5.1.1 padding, then the big-endian hash words. */
void
sha256_final(struct sha256 *s, unsigned char out[AB_SHA256_LEN])
{
	uint64_t bits = s->bytes * 8;
	int i;

	s->block[s->fill++] = 0x80;
	if (s->fill > 56) {
		memset(s->block + s->fill, 0, sizeof(s->block) - s->fill);
		compress(s->h, s->block);
		s->fill = 0;
	}
	memset(s->block + s->fill, 0, 56 - s->fill);
	for (i = 0; i < 8; i++)
		s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(s->h, s->block);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
	memset(s, 0, sizeof(*s));
}

/* Two lower-case hex digits per byte. */
void
sha256_hex(const unsigned char d[AB_SHA256_LEN], char hex[AB_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < AB_SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[2 * AB_SHA256_LEN] = '\0';
}

/* One-shot digest of a buffer. */
void
sha256_hex_of(const void *p, size_t len, char hex[AB_SHA256_HEX])
{
	struct sha256 s;
	unsigned char d[AB_SHA256_LEN];

	sha256_init(&s);
	sha256_update(&s, p, len);
	sha256_final(&s, d);
	sha256_hex(d, hex);
}

/* Reads the file in 64 KiB blocks. */
int
sha256_file(const char *path, char hex[AB_SHA256_HEX], char *err, size_t errlen)
{
	unsigned char buf[65536], d[AB_SHA256_LEN];
	struct sha256 s;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	sha256_init(&s);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			(void)close(fd);
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			return -1;
		}
		if (n == 0)
			break;
		sha256_update(&s, buf, (size_t)n);
	}
	(void)close(fd);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	return 0;
}
