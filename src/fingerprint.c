/* SPDX-License-Identifier: MIT */
/*
 * Environment identity. Library files are named by their GNU build-id:
 * the NT_GNU_BUILD_ID note (System V gABI "Note Section", elf(5)) found
 * through the PT_NOTE program headers or the SHT_NOTE section headers of
 * an ELF32 or ELF64 file in either byte order, read with bounds checks
 * against the file's size; a file without one is named by the SHA-256 of
 * its contents. The host part comes from procfs and sysfs below a root
 * prefix (osrelease, the cpufreq governor) and from `vcgencmd version`
 * through hostmon.c. Fingerprints hash to a short stable name and compare
 * in words.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fingerprint.h"
#include "hostmon.h"
#include "sha256.h"

#define AB_FP_NOTES_MAX (1024 * 1024) /* a larger note area is garbage */
#define AB_FP_SECT_MAX  65536         /* section headers we look at */
#define AB_FP_FILE_MAX  256           /* osrelease, scaling_governor */
#define AB_FP_VC_MAX    1024          /* `vcgencmd version` output kept */
#define AB_FP_ABBREV    12            /* hex digits of an identity in words */

#define EI_NIDENT       16
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define ELFDATA2MSB     2
#define PT_NOTE         4
#define SHT_NOTE        7
#define SHT_NOBITS      8
#define PN_XNUM         0xffff
#define NT_GNU_BUILD_ID 3

static const char osrelease_file[] = "/proc/sys/kernel/osrelease";
static const char governor_file[] =
    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor";
static const char hash_version[] = "allocbench-fingerprint-1\n";

/* An ELF file being read: its descriptor, size and encoding. */
struct elf {
	const char *path;
	int fd;
	uint64_t size;
	int is64;
	int msb;
	char *err;
	size_t errlen;
};

/* The members of struct fingerprint, in the order they are hashed. */
static const struct {
	const char *name;
	size_t off;
	size_t size;
} members[] = {
    {"kernel", offsetof(struct fingerprint, kernel),
        sizeof(((struct fingerprint *)0)->kernel)},
    {"interpreter", offsetof(struct fingerprint, interpreter),
        sizeof(((struct fingerprint *)0)->interpreter)},
    {"libc", offsetof(struct fingerprint, libc),
        sizeof(((struct fingerprint *)0)->libc)},
    {"allocator", offsetof(struct fingerprint, allocator),
        sizeof(((struct fingerprint *)0)->allocator)},
    {"alloc_path", offsetof(struct fingerprint, alloc_path),
        sizeof(((struct fingerprint *)0)->alloc_path)},
    {"alloc_id", offsetof(struct fingerprint, alloc_id),
        sizeof(((struct fingerprint *)0)->alloc_id)},
    {"governor", offsetof(struct fingerprint, governor),
        sizeof(((struct fingerprint *)0)->governor)},
    {"firmware", offsetof(struct fingerprint, firmware),
        sizeof(((struct fingerprint *)0)->firmware)},
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

static const char *
member(const struct fingerprint *fp, size_t i)
{
	return (const char *)fp + members[i].off;
}

static char *
member_rw(struct fingerprint *fp, size_t i)
{
	return (char *)fp + members[i].off;
}

static int
elf_fail(struct elf *e, const char *why)
{
	snprintf(e->err, e->errlen, "%s: %s", e->path, why);
	return -1;
}

static uint16_t
get16(const struct elf *e, const unsigned char *p)
{
	return e->msb ? (uint16_t)(p[0] << 8 | p[1])
	              : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t
get32(const struct elf *e, const unsigned char *p)
{
	return e->msb ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	        (uint32_t)p[2] << 8 | p[3]
	              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	        (uint32_t)p[1] << 8 | p[0];
}

static uint64_t
get64(const struct elf *e, const unsigned char *p)
{
	uint64_t hi = get32(e, e->msb ? p : p + 4);
	uint64_t lo = get32(e, e->msb ? p + 4 : p);

	return hi << 32 | lo;
}

/* An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
static uint64_t
getaddr(const struct elf *e, const unsigned char *p)
{
	return e->is64 ? get64(e, p) : get32(e, p);
}

/* Whether [off, off + len) lies inside the file. */
static int
in_file(const struct elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

/* Reads len bytes at off; -1 when short (the caller words the error). */
static int
elf_read(const struct elf *e, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	if (!in_file(e, off, len))
		return -1;
	while (done < len) {
		n = pread(e->fd, (char *)buf + done, len - done,
		    (off_t)(off + done));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static void
to_hex(const unsigned char *p, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

/*
 * Walks the notes in [off, off + len) of the file, each padded to align
 * (4, or 8 for an area aligned so). Returns 0 with the build-id in hex, 1
 * when there is none, -1 for a malformed area.
 */
static int
scan_notes(struct elf *e, uint64_t off, uint64_t len, uint64_t align, char *hex,
    size_t hexlen)
{
	unsigned char *buf = NULL;
	uint64_t pos = 0, namesz, descsz, type, desc, next, a;
	char why[96];
	int rc = 1;

	if (len == 0)
		return 1;
	if (!in_file(e, off, len))
		return elf_fail(e, "note area past the end of the file");
	if (len > AB_FP_NOTES_MAX)
		return elf_fail(e, "note area larger than 1 MiB");
	a = align == 8 ? 8 : 4;
	if ((buf = malloc(len)) == NULL)
		return elf_fail(e, "out of memory");
	if (elf_read(e, off, buf, len) == -1) {
		rc = elf_fail(e, "read error in a note area");
		goto out;
	}
	while (len - pos >= 12) {
		namesz = get32(e, buf + pos);
		descsz = get32(e, buf + pos + 4);
		type = get32(e, buf + pos + 8);
		/* gABI: the descriptor and the next note start aligned. */
		desc = (12 + namesz + a - 1) & ~(a - 1);
		if (desc > len - pos || descsz > len - pos - desc)
			goto bad;
		if (namesz == 4 && memcmp(buf + pos + 12, "GNU", 4) == 0 &&
		    type == NT_GNU_BUILD_ID) {
			if (descsz == 0 || descsz > AB_FP_BUILD_ID_MAX) {
				snprintf(why, sizeof(why),
				    "bad GNU build-id note (%llu bytes)",
				    (unsigned long long)descsz);
				rc = elf_fail(e, why);
				goto out;
			}
			if (hexlen < 2 * descsz + 1) {
				rc = elf_fail(e,
				    "build-id longer than the "
				    "buffer");
				goto out;
			}
			to_hex(buf + pos + desc, (size_t)descsz, hex);
			rc = 0;
			goto out;
		}
		next = (desc + descsz + a - 1) & ~(a - 1);
		/* The last note's padding may be cut off. */
		pos = next > len - pos ? len : pos + next;
	}
	goto out;
bad:
	snprintf(why, sizeof(why), "malformed note at offset %llu",
	    (unsigned long long)(off + pos));
	rc = elf_fail(e, why);
out:
	free(buf);
	return rc;
}

/* The section header count and the program header count behind PN_XNUM
 * (gABI "Extended section numbering"), from section header 0. */
static int
read_counts(struct elf *e, uint64_t shoff, uint16_t shentsize, uint64_t *shnum,
    uint64_t *phnum)
{
	unsigned char sh[64];
	size_t need = e->is64 ? 64 : 40;

	if (shoff == 0 || shentsize < need)
		return elf_fail(e, "extended numbering without section 0");
	if (elf_read(e, shoff, sh, need) == -1)
		return elf_fail(e, "section header 0 past the end of the file");
	if (*shnum == 0)
		*shnum = e->is64 ? get64(e, sh + 32) : get32(e, sh + 20);
	if (*phnum == PN_XNUM)
		*phnum = get32(e, sh + (e->is64 ? 44 : 28));
	return 0;
}

/* Checks the identification bytes and the header, then scans the PT_NOTE
 * segments and, when they hold no build-id, the SHT_NOTE sections. */
int
fingerprint_build_id(const char *path, char *hex, size_t hexlen, char *err,
    size_t errlen)
{
	unsigned char id[EI_NIDENT], eh[64], ph[56], sh[64];
	struct elf e = {path, -1, 0, 0, 0, err, errlen};
	struct stat st;
	uint64_t phoff, shoff, phnum, shnum, i, off, len, align;
	uint16_t phentsize, shentsize;
	size_t ehsize, phsize, shsize;
	char why[96];
	int rc = -1, r;

	if ((e.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(e.fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		elf_fail(&e, "not a regular file");
		goto out;
	}
	e.size = (uint64_t)st.st_size;
	if (elf_read(&e, 0, id, sizeof(id)) == -1 ||
	    memcmp(id, "\177ELF", 4) != 0) {
		elf_fail(&e, "not an ELF file");
		goto out;
	}
	if (id[4] != ELFCLASS32 && id[4] != ELFCLASS64) {
		snprintf(why, sizeof(why), "unknown ELF class %u", id[4]);
		elf_fail(&e, why);
		goto out;
	}
	if (id[5] != ELFDATA2LSB && id[5] != ELFDATA2MSB) {
		snprintf(why, sizeof(why), "unknown ELF data encoding %u",
		    id[5]);
		elf_fail(&e, why);
		goto out;
	}
	e.is64 = id[4] == ELFCLASS64;
	e.msb = id[5] == ELFDATA2MSB;
	ehsize = e.is64 ? 64 : 52;
	phsize = e.is64 ? 56 : 32;
	shsize = e.is64 ? 64 : 40;
	if (elf_read(&e, 0, eh, ehsize) == -1) {
		elf_fail(&e, "truncated ELF header");
		goto out;
	}
	phoff = getaddr(&e, eh + (e.is64 ? 32 : 28));
	shoff = getaddr(&e, eh + (e.is64 ? 40 : 32));
	phentsize = get16(&e, eh + (e.is64 ? 54 : 42));
	phnum = get16(&e, eh + (e.is64 ? 56 : 44));
	shentsize = get16(&e, eh + (e.is64 ? 58 : 46));
	shnum = get16(&e, eh + (e.is64 ? 60 : 48));
	if ((phnum == PN_XNUM || (shnum == 0 && shoff != 0)) &&
	    read_counts(&e, shoff, shentsize, &shnum, &phnum) == -1)
		goto out;

	if (phoff != 0 && phnum > 0) {
		if (phentsize < phsize) {
			snprintf(why, sizeof(why), "bad program header size %u",
			    phentsize);
			elf_fail(&e, why);
			goto out;
		}
		if (phnum > e.size / phentsize ||
		    !in_file(&e, phoff, phnum * phentsize)) {
			elf_fail(&e,
			    "program header table past the end of the file");
			goto out;
		}
		for (i = 0; i < phnum; i++) {
			if (elf_read(&e, phoff + i * phentsize, ph, phsize) ==
			    -1) {
				elf_fail(&e, "read error in program headers");
				goto out;
			}
			if (get32(&e, ph) != PT_NOTE)
				continue;
			off = getaddr(&e, ph + (e.is64 ? 8 : 4));
			len = getaddr(&e, ph + (e.is64 ? 32 : 16));
			align = getaddr(&e, ph + (e.is64 ? 48 : 28));
			if ((r = scan_notes(&e, off, len, align, hex,
			         hexlen)) != 1) {
				rc = r;
				goto out;
			}
		}
	}

	if (shoff != 0 && shnum > 0) {
		if (shentsize < shsize) {
			snprintf(why, sizeof(why), "bad section header size %u",
			    shentsize);
			elf_fail(&e, why);
			goto out;
		}
		if (shnum > AB_FP_SECT_MAX || shnum > e.size / shentsize ||
		    !in_file(&e, shoff, shnum * shentsize)) {
			elf_fail(&e,
			    "section header table past the end of the file");
			goto out;
		}
		for (i = 0; i < shnum; i++) {
			if (elf_read(&e, shoff + i * shentsize, sh, shsize) ==
			    -1) {
				elf_fail(&e, "read error in section headers");
				goto out;
			}
			if (get32(&e, sh + 4) != SHT_NOTE)
				continue;
			off = getaddr(&e, sh + (e.is64 ? 24 : 16));
			len = getaddr(&e, sh + (e.is64 ? 32 : 20));
			align = getaddr(&e, sh + (e.is64 ? 48 : 32));
			if ((r = scan_notes(&e, off, len, align, hex,
			         hexlen)) != 1) {
				rc = r;
				goto out;
			}
		}
	}
	rc = 1;
out:
	(void)close(e.fd);
	return rc;
}

/* The build-id when there is one, else the SHA-256 of the file. */
int
fingerprint_lib_identity(const char *path, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char hex[2 * AB_FP_BUILD_ID_MAX + 1];
	const char *kind = "build-id";
	int r, n;

	r = fingerprint_build_id(path, hex, sizeof(hex), err, errlen);
	if (r == -1)
		return -1;
	if (r == 1) {
		if (sha256_file(path, hex, err, errlen) == -1)
			return -1;
		kind = "sha256";
	}
	n = snprintf(NULL, 0, "%s:%s", kind, hex);
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "%s: identity does not fit", path);
		return -1;
	}
	snprintf(out, outlen, "%s:%s", kind, hex);
	return 0;
}

/*
 * Reads root + rel into buf as one line: trailing white space removed,
 * printable ASCII only. Returns 0, or -1 with buf set to "".
 */
static int
read_line(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX], tmp[AB_FP_FILE_MAX];
	ssize_t n;
	size_t i, total = 0;
	int fd;

	buf[0] = '\0';
	n = snprintf(path, sizeof(path), "%s%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		n = read(fd, tmp + total, sizeof(tmp) - 1 - total);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
		if (total == sizeof(tmp) - 1) {
			n = -1;
			break;
		}
	}
	(void)close(fd);
	if (n == -1)
		return -1;
	while (total > 0 &&
	    (tmp[total - 1] == '\n' || tmp[total - 1] == ' ' ||
	        tmp[total - 1] == '\t' || tmp[total - 1] == '\r'))
		total--;
	if (total == 0 || total >= len)
		return -1;
	for (i = 0; i < total; i++) {
		if (tmp[i] < 0x21 || tmp[i] > 0x7e)
			return -1;
	}
	memcpy(buf, tmp, total);
	buf[total] = '\0';
	return 0;
}

/* osrelease below root; uname(2) only for the real system. */
int
fingerprint_kernel(const char *root, char *out, size_t outlen)
{
	struct utsname u;

	if (root == NULL)
		root = "";
	if (read_line(root, osrelease_file, out, outlen) == 0)
		return 0;
	if (root[0] != '\0' || uname(&u) == -1 || strlen(u.release) >= outlen ||
	    u.release[0] == '\0')
		return -1;
	snprintf(out, outlen, "%s", u.release);
	return 0;
}

/* cpu0's scaling_governor below root. */
int
fingerprint_governor(const char *root, char *out, size_t outlen)
{
	return read_line(root != NULL ? root : "", governor_file, out, outlen);
}

/* Takes the first line as the build date and the hex hash from the
 * "version" line. */
int
fingerprint_parse_firmware(const char *text, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *line, *nl, *hash = NULL, *p;
	size_t datelen, hashlen = 0, i;
	int n;

	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "vcgencmd version: empty");
		return -1;
	}
	nl = strchr(text, '\n');
	datelen = nl != NULL ? (size_t)(nl - text) : strlen(text);
	while (datelen > 0 &&
	    (text[datelen - 1] == ' ' || text[datelen - 1] == '\r'))
		datelen--;
	for (line = text; line != NULL; line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, "version ", 8) == 0) {
			hash = line + 8;
			for (p = hash; (*p >= '0' && *p <= '9') ||
			     (*p >= 'a' && *p <= 'f');
			     p++)
				;
			hashlen = (size_t)(p - hash);
			break;
		}
	}
	if (hash == NULL || hashlen < 7 ||
	    (hash[hashlen] != ' ' && hash[hashlen] != '\n' &&
	        hash[hashlen] != '\0')) {
		snprintf(err, errlen,
		    "vcgencmd version: no 'version HASH' line");
		return -1;
	}
	if (datelen == 0 || text == hash - 8) {
		snprintf(err, errlen, "vcgencmd version: no build date line");
		return -1;
	}
	for (i = 0; i < datelen; i++) {
		if (text[i] < 0x20 || text[i] > 0x7e) {
			snprintf(err, errlen,
			    "vcgencmd version: build date is not text");
			return -1;
		}
	}
	n = snprintf(NULL, 0, "%.*s (%.*s)", (int)hashlen, hash, (int)datelen,
	    text);
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "vcgencmd version: too long");
		return -1;
	}
	snprintf(out, outlen, "%.*s (%.*s)", (int)hashlen, hash, (int)datelen,
	    text);
	return 0;
}

/* Runs `vcgencmd version` through hostmon and parses its answer. */
int
fingerprint_firmware(const char *vcgencmd, char *out, size_t outlen)
{
	char text[AB_FP_VC_MAX], err[128];

	if (outlen > 0)
		out[0] = '\0';
	if (vcgencmd == NULL ||
	    hostmon_vcgencmd_run(vcgencmd, "version", text, sizeof(text)) ==
	        -1 ||
	    fingerprint_parse_firmware(text, out, outlen, err, sizeof(err)) ==
	        -1)
		return -1;
	return 0;
}

/* Every member "". */
void
fingerprint_init(struct fingerprint *fp)
{
	memset(fp, 0, sizeof(*fp));
}

/* The members that describe the machine rather than the variant. */
void
fingerprint_host(const char *root, const char *vcgencmd, struct fingerprint *fp)
{
	(void)fingerprint_kernel(root, fp->kernel, sizeof(fp->kernel));
	(void)fingerprint_governor(root, fp->governor, sizeof(fp->governor));
	(void)fingerprint_firmware(vcgencmd, fp->firmware,
	    sizeof(fp->firmware));
}

/* Copies s into a member of size len; -1 when it does not fit. */
static int
set_member(char *dst, size_t len, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n >= len)
		return -1;
	memcpy(dst, s != NULL ? s : "", n);
	dst[n] = '\0';
	return 0;
}

/* Records name and path, then the library's identity. */
int
fingerprint_set_allocator(struct fingerprint *fp, const char *name,
    const char *path, char *err, size_t errlen)
{
	fp->alloc_id[0] = '\0';
	if (set_member(fp->allocator, sizeof(fp->allocator), name) == -1) {
		fp->allocator[0] = '\0';
		snprintf(err, errlen, "allocator name too long");
		return -1;
	}
	if (path == NULL || *path == '\0') {
		fp->alloc_path[0] = '\0';
		snprintf(err, errlen, "%s: no library path", name);
		return -1;
	}
	if (set_member(fp->alloc_path, sizeof(fp->alloc_path), path) == -1) {
		fp->alloc_path[0] = '\0';
		snprintf(err, errlen, "%s: library path too long", name);
		return -1;
	}
	return fingerprint_lib_identity(path, fp->alloc_id,
	    sizeof(fp->alloc_id), err, errlen);
}

/* SHA-256 over the version line and "name=LEN:VALUE\n" per member. */
void
fingerprint_hash(const struct fingerprint *fp, char out[AB_FP_HASH_HEX])
{
	unsigned char d[AB_SHA256_LEN];
	struct sha256 s;
	char head[128];
	const char *v;
	size_t i, n;
	int len;

	sha256_init(&s);
	sha256_update(&s, hash_version, sizeof(hash_version) - 1);
	for (i = 0; i < NMEMBERS; i++) {
		v = member(fp, i);
		n = strnlen(v, members[i].size);
		len =
		    snprintf(head, sizeof(head), "%s=%zu:", members[i].name, n);
		sha256_update(&s, head, (size_t)len);
		sha256_update(&s, v, n);
		sha256_update(&s, "\n", 1);
	}
	sha256_final(&s, d);
	to_hex(d, 8, out);
}

/*
 * Appends s to out at *used, keeping out NUL-terminated; when it has to
 * cut, it cuts before the UTF-8 sequence that would not fit whole.
 */
static void
append(char *out, size_t outlen, size_t *used, const char *s)
{
	size_t n = strlen(s), start, want;
	unsigned char lead;

	if (outlen == 0 || *used >= outlen - 1)
		return;
	if (n > outlen - 1 - *used) {
		n = outlen - 1 - *used;
		start = n;
		while (
		    start > 0 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
			start--;
		if (start > 0 && ((unsigned char)s[start - 1] & 0x80) != 0) {
			lead = (unsigned char)s[start - 1];
			want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
			if (n - (start - 1) < want)
				n = start - 1;
		}
	}
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
}

/*
 * An identity in words: "build-id 1a2b3c4d5e6f…" with the hex cut to
 * AB_FP_ABBREV digits unless full is set.
 */
static void
id_words(const char *id, int full, char *buf, size_t len)
{
	const char *colon = strchr(id, ':');
	size_t kind, hex;

	if (*id == '\0' || colon == NULL) {
		snprintf(buf, len, "%s", *id == '\0' ? "unknown" : id);
		return;
	}
	kind = (size_t)(colon - id);
	hex = strlen(colon + 1);
	if (full || hex <= AB_FP_ABBREV)
		snprintf(buf, len, "%.*s %s", (int)kind, id, colon + 1);
	else
		snprintf(buf, len, "%.*s %.*s\xe2\x80\xa6", (int)kind, id,
		    AB_FP_ABBREV, colon + 1);
}

/* One phrase per differing member, in declaration order. */
int
fingerprint_diff(const struct fingerprint *a, const struct fingerprint *b,
    char *out, size_t outlen)
{
	static const char *const labels[] = {"kernel", "interpreter", "libc",
	    "allocator", "path", NULL, "governor", "firmware"};
	char line[2 * PATH_MAX + 512], wa[AB_FP_ID_LEN + 16],
	    wb[AB_FP_ID_LEN + 16];
	const char *va, *vb, *who;
	size_t i, used = 0;
	int changes = 0, full;

	if (outlen > 0)
		out[0] = '\0';
	who = b->allocator[0] != '\0' ? b->allocator
	    : a->allocator[0] != '\0' ? a->allocator
	                              : "allocator";
	for (i = 0; i < NMEMBERS; i++) {
		va = member(a, i);
		vb = member(b, i);
		if (strcmp(va, vb) == 0)
			continue;
		if (members[i].off == offsetof(struct fingerprint, alloc_id)) {
			full = strncmp(va, vb, AB_FP_ABBREV + 9) == 0;
			id_words(va, full, wa, sizeof(wa));
			id_words(vb, full, wb, sizeof(wb));
			snprintf(line, sizeof(line), "%s: %s -> %s", who, wa,
			    wb);
		} else if (members[i].off ==
		    offsetof(struct fingerprint, alloc_path)) {
			snprintf(line, sizeof(line), "%s: path %s -> %s", who,
			    *va != '\0' ? va : "unknown",
			    *vb != '\0' ? vb : "unknown");
		} else {
			snprintf(line, sizeof(line), "%s %s -> %s", labels[i],
			    *va != '\0' ? va : "unknown",
			    *vb != '\0' ? vb : "unknown");
		}
		if (changes > 0)
			append(out, outlen, &used, "; ");
		append(out, outlen, &used, line);
		changes++;
	}
	return changes;
}

/* One string per member and the hash. */
cJSON *
fingerprint_to_json(const struct fingerprint *fp)
{
	char hash[AB_FP_HASH_HEX];
	cJSON *o = cJSON_CreateObject();
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < NMEMBERS; i++) {
		if (cJSON_AddStringToObject(o, members[i].name,
		        member(fp, i)) == NULL)
			goto fail;
	}
	fingerprint_hash(fp, hash);
	if (cJSON_AddStringToObject(o, "hash", hash) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* Builds the fingerprint aside and copies it out only when it is valid. */
int
fingerprint_from_json(const cJSON *o, struct fingerprint *out, char *err,
    size_t errlen)
{
	struct fingerprint fp;
	const cJSON *item;
	char hash[AB_FP_HASH_HEX];
	size_t i;

	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "fingerprint: not an object");
		return -1;
	}
	fingerprint_init(&fp);
	for (i = 0; i < NMEMBERS; i++) {
		item = cJSON_GetObjectItemCaseSensitive(o, members[i].name);
		if (item == NULL)
			continue;
		if (!cJSON_IsString(item) || item->valuestring == NULL) {
			snprintf(err, errlen, "fingerprint: %s is not a string",
			    members[i].name);
			return -1;
		}
		if (set_member(member_rw(&fp, i), members[i].size,
		        item->valuestring) == -1) {
			snprintf(err, errlen,
			    "fingerprint: %s longer than %zu bytes",
			    members[i].name, members[i].size - 1);
			return -1;
		}
	}
	item = cJSON_GetObjectItemCaseSensitive(o, "hash");
	if (item != NULL) {
		fingerprint_hash(&fp, hash);
		if (!cJSON_IsString(item) || item->valuestring == NULL ||
		    strcmp(item->valuestring, hash) != 0) {
			snprintf(err, errlen,
			    "fingerprint: hash does not match its members");
			return -1;
		}
	}
	*out = fp;
	return 0;
}
