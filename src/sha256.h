/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4, section 6.2): an incremental digest, its hex form,
 * and the digest of a whole file. Identifies library files that carry no
 * GNU build-id and names environment fingerprints.
 */
#ifndef AB_SHA256_H
#define AB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define AB_SHA256_LEN 32                      /* bytes of a digest */
#define AB_SHA256_HEX (2 * AB_SHA256_LEN + 1) /* hex digits and NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t bytes; /* message length so far */
	unsigned char block[64];
	size_t fill; /* bytes waiting in block */
};

/* Starts a digest with the initial hash value of FIPS 180-4 5.3.3. */
void sha256_init(struct sha256 *);

/* Adds len bytes at p to the message; p may be NULL when len is 0. */
void sha256_update(struct sha256 *, const void *p, size_t len);

/* Pads the message, writes its digest to out and wipes the state. */
void sha256_final(struct sha256 *, unsigned char out[AB_SHA256_LEN]);

/* Writes the 64 lower-case hex digits of a digest and a NUL to hex. */
void sha256_hex(const unsigned char d[AB_SHA256_LEN], char hex[AB_SHA256_HEX]);

/* The digest of len bytes at p, as hex. */
void sha256_hex_of(const void *p, size_t len, char hex[AB_SHA256_HEX]);

/*
 * The digest of the file at path, as hex (what sha256sum(1) prints).
 * Returns 0, or -1 with "path: reason" in err and hex untouched.
 */
int sha256_file(const char *path, char hex[AB_SHA256_HEX], char *err,
    size_t errlen);

#endif
