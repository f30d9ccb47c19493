/* SPDX-License-Identifier: MIT */
/*
 * The environment a variant's runs are measured in: kernel release,
 * interpreter and libc versions, the allocator library's path and
 * identity (its GNU build-id, else the SHA-256 of its contents), the CPU
 * governor and the Raspberry Pi firmware. A short stable hash names a
 * fingerprint, and two fingerprints can be compared in words. Files are
 * read below a root prefix so tests can use fixture trees.
 */
#ifndef AB_FINGERPRINT_H
#define AB_FINGERPRINT_H

#include <limits.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define AB_FP_BUILD_ID_MAX 64 /* bytes of a build-id we accept */
/* "build-id:" and 128 hex digits, or "sha256:" and 64, and a NUL */
#define AB_FP_ID_LEN   (sizeof("build-id:") + 2 * AB_FP_BUILD_ID_MAX)
#define AB_FP_HASH_HEX 17 /* 16 hex digits and a NUL */

/*
 * One variant's environment. Every member is a NUL-terminated string; ""
 * means unknown or not present (no governor on this machine, no Pi
 * firmware, glibc's own malloc named by libc's path).
 */
struct fingerprint {
	char kernel[65];           /* uname -r */
	char interpreter[256];     /* the interpreter's sys.version, one line */
	char libc[64];             /* gnu_get_libc_version(), e.g. "2.36" */
	char allocator[64];        /* allocator name, e.g. "jemalloc" */
	char alloc_path[PATH_MAX]; /* the library that provides malloc */
	char alloc_id[AB_FP_ID_LEN]; /* "build-id:HEX" or "sha256:HEX" */
	char governor[64];           /* cpu0's scaling_governor */
	char firmware[128];          /* "HASH (DATE)" from `vcgencmd version` */
};

/*
 * The GNU build-id (the NT_GNU_BUILD_ID note) of the ELF file at path,
 * ELF32 or ELF64 in either byte order, found through the PT_NOTE program
 * headers and, failing that, the SHT_NOTE sections. Returns 0 with the
 * lower-case hex in hex (hexlen >= 2 * AB_FP_BUILD_ID_MAX + 1 always
 * suffices); 1 when the file is a well-formed ELF file without one; -1
 * with "path: reason" in err when it cannot be read, is not ELF, or is
 * truncated or malformed. hex is untouched unless 0 is returned.
 */
int fingerprint_build_id(const char *path, char *hex, size_t hexlen, char *err,
    size_t errlen);

/*
 * The identity of a library file: "build-id:HEX" when it has a GNU
 * build-id, else "sha256:HEX" of its contents. Returns 0, or -1 with
 * "path: reason" in err (and out untouched) for an unreadable, non-ELF or
 * malformed file.
 */
int fingerprint_lib_identity(const char *path, char *out, size_t outlen,
    char *err, size_t errlen);

/*
 * The kernel release from ROOT/proc/sys/kernel/osrelease (what uname -r
 * prints); on the real system (root "" or NULL) uname(2) when that file
 * cannot be read. Returns 0, or -1 with out set to "".
 */
int fingerprint_kernel(const char *root, char *out, size_t outlen);

/*
 * cpu0's frequency governor from
 * ROOT/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor. Returns 0, or
 * -1 with out set to "" when there is none or it is not one short word.
 */
int fingerprint_governor(const char *root, char *out, size_t outlen);

/*
 * Parses the output of `vcgencmd version` (a build date line, a copyright
 * line, "version HASH (clean) (release) (start)") into "HASH (DATE)".
 * Returns 0, or -1 with a message in err and out untouched.
 */
int fingerprint_parse_firmware(const char *text, char *out, size_t outlen,
    char *err, size_t errlen);

/*
 * The Raspberry Pi firmware revision from `vcgencmd version`, run through
 * hostmon_vcgencmd_run with its timeout. Returns 0, or -1 with out set to
 * "" when vcgencmd is NULL, fails or says something else.
 */
int fingerprint_firmware(const char *vcgencmd, char *out, size_t outlen);

/* Sets every member to "". */
void fingerprint_init(struct fingerprint *);

/*
 * Fills the host's members of *fp (kernel, governor, firmware) from below
 * root and from vcgencmd (NULL: none); what cannot be read stays "".
 * The interpreter, libc and allocator members are left alone.
 */
void fingerprint_host(const char *root, const char *vcgencmd,
    struct fingerprint *fp);

/*
 * Sets the allocator members: name, path and the identity of the library
 * at path (fingerprint_lib_identity). Returns 0, or -1 with the reason in
 * err and alloc_id set to "" (name and path are still recorded). A string
 * that does not fit its member is an error too.
 */
int fingerprint_set_allocator(struct fingerprint *fp, const char *name,
    const char *path, char *err, size_t errlen);

/*
 * The first 16 hex digits of the SHA-256 of a canonical serialization of
 * every member (a version line, then "name=LEN:VALUE\n" per member in
 * declaration order), so equal fingerprints hash equally on every
 * platform and a change of any member changes the hash.
 */
void fingerprint_hash(const struct fingerprint *, char out[AB_FP_HASH_HEX]);

/*
 * Describes in words what changed from a to b, changes separated by "; ",
 * e.g. "kernel 6.1.0-18-arm64 -> 6.1.0-20-arm64; jemalloc: build-id
 * 1a2b3c4d5e6f… -> 3c4d5e6f7a8b…"; an empty member reads "unknown".
 * Truncates to fit out. Returns the number of members that differ (0:
 * out is "").
 */
int fingerprint_diff(const struct fingerprint *a, const struct fingerprint *b,
    char *out, size_t outlen);

/*
 * The fingerprint as a JSON object with one string member per struct
 * member (kernel, interpreter, libc, allocator, alloc_path, alloc_id,
 * governor, firmware) and "hash". The caller owns the result (cJSON_Delete).
 */
cJSON *fingerprint_to_json(const struct fingerprint *);

/*
 * Reads an object made by fingerprint_to_json; missing members read as "".
 * Returns 0, or -1 with a message in err for a non-object, a non-string
 * member, a string too long for its member, or a "hash" that does not
 * match the members. *out is untouched on error.
 */
int fingerprint_from_json(const cJSON *, struct fingerprint *out, char *err,
    size_t errlen);

#endif
