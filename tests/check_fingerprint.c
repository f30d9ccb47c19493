/* SPDX-License-Identifier: MIT */
/*
 * Tests for fingerprint.c: build-ids of the ELF files under
 * tests/fixtures/elf/ (both classes, both byte orders, program headers or
 * sections, notes aligned to 4 or 8, none, malformed), of the system's
 * libraries checked against `readelf -n` run now, and of libraries linked
 * here with chosen build-ids or none (then the SHA-256 must equal what
 * sha256sum prints); the kernel, governor and firmware readings from the
 * fixture trees under tests/fixtures/fingerprint/ and the fake vcgencmd
 * scripts; the hash against numbers computed independently; the words for
 * a change; and the JSON form.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "fingerprint.h"
#include "hostmon.h"

#define NELEM(a)    (sizeof(a) / sizeof((a)[0]))
#define SET(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

#define ID20 "8a3f1c0de2b4a5968778695a4b3c2d1e0f102132"

static void
fixture(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/tests/fixtures/%s/%s", ab_test_srcdir(), dir,
	    name);
}

/* The first line a shell command prints, without its newline; "" if none. */
static void
command_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");

	ck_assert_msg(p != NULL, "popen %s", cmd);
	out[0] = '\0';
	if (fgets(out, (int)len, p) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	ck_assert_msg(pclose(p) != -1, "pclose %s", cmd);
}

/* What readelf(1) says the build-id of path is; "" when it names none. */
static void
readelf_build_id(const char *path, char *out, size_t len)
{
	char cmd[4300];

	snprintf(cmd, sizeof(cmd),
	    "LC_ALL=C readelf -n '%s' 2>/dev/null | sed -n "
	    "'s/^ *Build ID: *\\([0-9a-f]*\\).*/\\1/p' | head -1",
	    path);
	command_line(cmd, out, len);
}

static void
sha256sum(const char *path, char *out, size_t len)
{
	char cmd[4300];

	snprintf(cmd, sizeof(cmd), "sha256sum '%s' | cut -c1-64", path);
	command_line(cmd, out, len);
	ck_assert_uint_eq(strlen(out), 64);
}

static const struct {
	const char *file;
	int rc;
	const char *hex; /* the build-id, or a substring of the error */
} elf_cases[] = {
    {"le64-phdr.so", 0, ID20},
    {"be32-phdr.so", 0, ID20},
    {"le32-shdr.o", 0, "0123456789abcdeffedcba9876543210"},
    {"be64-shdr.o", 0, "d00dfeedcafef00d"},
    {"le64-align8.so", 0, ID20},
    {"le64-otherowner.so", 1, NULL},
    {"be64-nobuildid.so", 1, NULL},
    {"bad-namesz.so", -1, "bad-namesz.so: malformed note at offset 120"},
    {"bad-descsz.so", -1, "bad GNU build-id note (0 bytes)"},
    {"bad-phentsize.so", -1, "bad program header size 16"},
    {"bad-class.so", -1, "unknown ELF class 3"},
    {"not-elf.so", -1, "not-elf.so: not an ELF file"},
    {"empty.so", -1, "empty.so: not an ELF file"},
    {"truncated.so", -1, "truncated.so: truncated ELF header"},
    {"phdr-past-eof.so", -1, "program header table past the end"},
    {"note-past-eof.so", -1, "note area past the end of the file"},
    {"does-not-exist.so", -1, "does-not-exist.so: No such file or directory"},
    {".", -1, "not a regular file"},
};

START_TEST(test_build_id_fixture)
{
	char path[4096], hex[160] = "untouched", err[4400] = "", re[160];
	int rc;

	fixture(path, sizeof(path), "elf", elf_cases[_i].file);
	rc = fingerprint_build_id(path, hex, sizeof(hex), err, sizeof(err));
	ck_assert_msg(rc == elf_cases[_i].rc, "%s: rc %d (%s)",
	    elf_cases[_i].file, rc, err);
	if (rc == 0) {
		ck_assert_str_eq(hex, elf_cases[_i].hex);
		readelf_build_id(path, re, sizeof(re));
		ck_assert_str_eq(hex, re);
		return;
	}
	ck_assert_str_eq(hex, "untouched");
	if (rc == -1) {
		ck_assert_msg(strstr(err, elf_cases[_i].hex) != NULL,
		    "%s: '%s'", elf_cases[_i].file, err);
		ck_assert_msg(strncmp(err, path, strlen(path)) == 0,
		    "the error names the file: %s", err);
	}
}
END_TEST

/* The identity: the build-id, else the contents' SHA-256, else an error. */
START_TEST(test_identity_fixture)
{
	char path[4096], id[AB_FP_ID_LEN] = "untouched", err[4400] = "",
	                 want[AB_FP_ID_LEN], sum[80];
	int rc;

	fixture(path, sizeof(path), "elf", elf_cases[_i].file);
	rc = fingerprint_lib_identity(path, id, sizeof(id), err, sizeof(err));
	ck_assert_int_eq(rc, elf_cases[_i].rc == -1 ? -1 : 0);
	if (elf_cases[_i].rc == 0) {
		snprintf(want, sizeof(want), "build-id:%s", elf_cases[_i].hex);
		ck_assert_str_eq(id, want);
	} else if (elf_cases[_i].rc == 1) {
		sha256sum(path, sum, sizeof(sum));
		snprintf(want, sizeof(want), "sha256:%s", sum);
		ck_assert_str_eq(id, want);
	} else {
		ck_assert_str_eq(id, "untouched");
		ck_assert_msg(strstr(err, elf_cases[_i].hex) != NULL, "'%s'",
		    err);
	}
}
END_TEST

/* The system's libraries and programs, against readelf -n. */
static const char *const real_files[] = {
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
    "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2",
    "/usr/lib/aarch64-linux-gnu/libc.so.6",
    "/usr/lib/arm-linux-gnueabihf/libc.so.6",
    "/usr/bin/python3",
    "/bin/sh",
};

START_TEST(test_build_id_real)
{
	const char *path = real_files[_i];
	char hex[160], err[4400] = "", re[160], id[AB_FP_ID_LEN], sum[80];
	int rc;

	if (access(path, R_OK) != 0)
		return; /* another architecture's path */
	readelf_build_id(path, re, sizeof(re));
	rc = fingerprint_build_id(path, hex, sizeof(hex), err, sizeof(err));
	ck_assert_msg(rc == (re[0] != '\0' ? 0 : 1), "%s: rc %d (%s)", path, rc,
	    err);
	ck_assert_int_eq(fingerprint_lib_identity(path, id, sizeof(id), err,
	                     sizeof(err)),
	    0);
	if (rc == 0) {
		ck_assert_str_eq(hex, re);
		ck_assert_str_eq(id + strlen("build-id:"), re);
	} else {
		sha256sum(path, sum, sizeof(sum));
		ck_assert_str_eq(id + strlen("sha256:"), sum);
	}
}
END_TEST

/* Shared libraries linked now, with each kind of build-id and none. */
static const struct {
	const char *flag;
	int rc;
	size_t hexlen;
	const char *hex; /* NULL: whatever readelf says */
} link_cases[] = {
    {"-Wl,--build-id=none", 1, 0, NULL},
    {"-Wl,--build-id=sha1", 0, 40, NULL},
    {"-Wl,--build-id=md5", 0, 32, NULL},
    {"-Wl,--build-id=uuid", 0, 32, NULL},
    {"-Wl,--build-id=0x0123456789abcdef", 0, 16, "0123456789abcdef"},
    {"-Wl,--build-id=0xfeedf00d", 0, 8, "feedf00d"},
};

START_TEST(test_build_id_linked)
{
	char dir[sizeof(AB_TEST_TMPDIR)], src[64], lib[64], cmd[512];
	char hex[160], err[512] = "", re[160], id[AB_FP_ID_LEN], sum[80];
	int rc;

	ab_test_mkdtemp(dir, sizeof(dir));
	snprintf(src, sizeof(src), "%s/a.c", dir);
	snprintf(lib, sizeof(lib), "%s/liba.so", dir);
	ab_test_write_file(src, "int ab_answer(void) { return 42; }\n");
	snprintf(cmd, sizeof(cmd), "cc -shared -fPIC %s -o %s %s",
	    link_cases[_i].flag, lib, src);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
	rc = fingerprint_build_id(lib, hex, sizeof(hex), err, sizeof(err));
	readelf_build_id(lib, re, sizeof(re));
	ck_assert_int_eq(fingerprint_lib_identity(lib, id, sizeof(id), err,
	                     sizeof(err)),
	    0);
	if (link_cases[_i].rc == 1)
		sha256sum(lib, sum, sizeof(sum));
	ck_assert_int_eq(ab_test_rm_tree(dir), 0);

	ck_assert_msg(rc == link_cases[_i].rc, "%s: rc %d (%s)",
	    link_cases[_i].flag, rc, err);
	if (rc == 1) {
		ck_assert_str_eq(re, "");
		ck_assert_uint_eq(strncmp(id, "sha256:", 7), 0);
		ck_assert_str_eq(id + 7, sum);
		return;
	}
	ck_assert_uint_eq(strlen(hex), link_cases[_i].hexlen);
	ck_assert_str_eq(hex, re);
	if (link_cases[_i].hex != NULL)
		ck_assert_str_eq(hex, link_cases[_i].hex);
	ck_assert_uint_eq(strncmp(id, "build-id:", 9), 0);
	ck_assert_str_eq(id + 9, hex);
}
END_TEST

/* A buffer too small for the build-id or the identity is an error. */
START_TEST(test_build_id_small_buffers)
{
	char path[4096], hex[40] = "untouched", id[20] = "untouched", err[4400];

	fixture(path, sizeof(path), "elf", "le64-phdr.so");
	ck_assert_int_eq(fingerprint_build_id(path, hex, sizeof(hex), err,
	                     sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "build-id longer than the buffer") != NULL,
	    "%s", err);
	ck_assert_str_eq(hex, "untouched");
	ck_assert_int_eq(fingerprint_lib_identity(path, id, sizeof(id), err,
	                     sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "identity does not fit") != NULL, "%s", err);
	ck_assert_str_eq(id, "untouched");
}
END_TEST

static const struct {
	const char *root;
	int kernel_rc;
	const char *kernel;
	int governor_rc;
	const char *governor;
} host_cases[] = {
    {"rpi4", 0, "6.1.0-rpi7-rpi-v8", 0, "ondemand"},
    {"x86", 0, "6.18.44-fc-v1147", -1, ""},
    {"garbage", -1, "", -1, ""},
    {"empty", -1, "", -1, ""},
    {"does-not-exist", -1, "", -1, ""},
};

START_TEST(test_host_fixture)
{
	char root[4096], out[64] = "x";

	fixture(root, sizeof(root), "fingerprint", host_cases[_i].root);
	ck_assert_int_eq(fingerprint_kernel(root, out, sizeof(out)),
	    host_cases[_i].kernel_rc);
	ck_assert_str_eq(out, host_cases[_i].kernel);
	SET(out, "x");
	ck_assert_int_eq(fingerprint_governor(root, out, sizeof(out)),
	    host_cases[_i].governor_rc);
	ck_assert_str_eq(out, host_cases[_i].governor);
}
END_TEST

START_TEST(test_host_real)
{
	struct utsname u;
	struct fingerprint fp;
	char out[65];

	ck_assert_int_eq(uname(&u), 0);
	ck_assert_int_eq(fingerprint_kernel("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, u.release);
	ck_assert_int_eq(fingerprint_kernel(NULL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, u.release);
	ck_assert_int_eq(fingerprint_kernel("", out, 3), -1);
	ck_assert_str_eq(out, "");

	fingerprint_init(&fp);
	fingerprint_host(NULL, hostmon_vcgencmd(), &fp);
	ck_assert_str_eq(fp.kernel, u.release);
	if (access("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
	        R_OK) != 0)
		ck_assert_str_eq(fp.governor, "");
	else
		ck_assert_str_ne(fp.governor, "");
	if (hostmon_vcgencmd() == NULL)
		ck_assert_str_eq(fp.firmware, "");
}
END_TEST

#define VC_DATE "Mar 17 2023 10:52:42 \n"
#define VC_COPY "Copyright (c) 2012 Broadcom\n"
#define VC_HASH "82f3750a65fadae9a38077e3c2e217ad158c8d54"
#define VC_FW   VC_HASH " (Mar 17 2023 10:52:42)"

static const struct {
	const char *text;
	int rc;
	const char *out; /* or a substring of the error */
} fw_cases[] = {
    {VC_DATE VC_COPY "version " VC_HASH " (clean) (release) (start)\n", 0,
        VC_FW},
    {VC_DATE VC_COPY "version " VC_HASH " (clean) (release) (start)", 0, VC_FW},
    /* A 2019 firmware: two spaces in the date are kept. */
    {"Jul  9 2019 14:40:53 \n" VC_COPY "version "
     "6c3fe3f096a93de3b34252ad98cdccadeb534be2 (clean) (release) (start)\n",
        0, "6c3fe3f096a93de3b34252ad98cdccadeb534be2 (Jul  9 2019 14:40:53)"},
    {VC_DATE VC_COPY "version " VC_HASH "\n", 0, VC_FW},
    {"", -1, "empty"},
    {VC_DATE VC_COPY, -1, "no 'version HASH' line"},
    {VC_DATE VC_COPY "version \n", -1, "no 'version HASH' line"},
    {VC_DATE VC_COPY "version 82f3\n", -1, "no 'version HASH' line"},
    {VC_DATE VC_COPY "version " VC_HASH "-dirty\n", -1,
        "no 'version HASH' line"},
    {"version " VC_HASH " (clean)\n", -1, "no build date line"},
    {" \n" VC_COPY "version " VC_HASH "\n", -1, "no build date line"},
    {"Mar 17\001 2023\n" VC_COPY "version " VC_HASH "\n", -1,
        "build date is not text"},
    {"error=2 error_msg=\"Command not registered\"", -1,
        "no 'version HASH' line"},
};

START_TEST(test_parse_firmware)
{
	char out[128] = "untouched", err[128] = "";
	int rc;

	rc = fingerprint_parse_firmware(fw_cases[_i].text, out, sizeof(out),
	    err, sizeof(err));
	ck_assert_msg(rc == fw_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
	    err);
	if (rc == 0) {
		ck_assert_str_eq(out, fw_cases[_i].out);
	} else {
		ck_assert_str_eq(out, "untouched");
		ck_assert_msg(strstr(err, fw_cases[_i].out) != NULL,
		    "case %d: '%s'", _i, err);
	}
}
END_TEST

START_TEST(test_parse_firmware_too_long)
{
	char out[20] = "untouched", err[128];

	ck_assert_int_eq(fingerprint_parse_firmware(VC_DATE VC_COPY
	                     "version " VC_HASH "\n",
	                     out, sizeof(out), err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "vcgencmd version: too long");
	ck_assert_str_eq(out, "untouched");
}
END_TEST

static const struct {
	const char *script; /* in tests/fixtures/bin, absolute, or NULL */
	int rc;
	const char *firmware;
} vc_cases[] = {
    {"vcgencmd-fake", 0, VC_FW},
    {"vcgencmd-garbage", -1, ""},
    {"vcgencmd-fail", -1, ""},
    {"/nonexistent/vcgencmd", -1, ""},
    {NULL, -1, ""},
};

START_TEST(test_firmware_vcgencmd)
{
	char bin[4096], out[128] = "x";
	const char *vc = NULL;

	if (vc_cases[_i].script != NULL && vc_cases[_i].script[0] == '/')
		vc = vc_cases[_i].script;
	else if (vc_cases[_i].script != NULL) {
		fixture(bin, sizeof(bin), "bin", vc_cases[_i].script);
		vc = bin;
	}
	ck_assert_int_eq(fingerprint_firmware(vc, out, sizeof(out)),
	    vc_cases[_i].rc);
	ck_assert_str_eq(out, vc_cases[_i].firmware);
}
END_TEST

/* The shared runner keeps what fits and reports failures. */
START_TEST(test_vcgencmd_run)
{
	char bin[4096], out[10];

	fixture(bin, sizeof(bin), "bin", "vcgencmd-fake");
	ck_assert_int_eq(hostmon_vcgencmd_run(bin, "version", out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "Mar 17 20");
	ck_assert_int_eq(hostmon_vcgencmd_run(bin, "get_throttled", out,
	                     sizeof(out)),
	    0);
	ck_assert_str_eq(out, "throttled");
	ck_assert_int_eq(hostmon_vcgencmd_run(bin, "bogus", out, sizeof(out)),
	    -1);
	ck_assert_int_eq(hostmon_vcgencmd_run(bin, "version", out, 0), -1);
	ck_assert_int_eq(hostmon_vcgencmd_run(NULL, "version", out,
	                     sizeof(out)),
	    -1);
}
END_TEST

START_TEST(test_host_fill)
{
	struct fingerprint fp;
	char root[4096], bin[4096];

	fixture(root, sizeof(root), "fingerprint", "rpi4");
	fixture(bin, sizeof(bin), "bin", "vcgencmd-fake");
	fingerprint_init(&fp);
	SET(fp.interpreter, "kept");
	fingerprint_host(root, bin, &fp);
	ck_assert_str_eq(fp.kernel, "6.1.0-rpi7-rpi-v8");
	ck_assert_str_eq(fp.governor, "ondemand");
	ck_assert_str_eq(fp.firmware, VC_FW);
	ck_assert_str_eq(fp.interpreter, "kept");
}
END_TEST

START_TEST(test_set_allocator)
{
	struct fingerprint fp;
	char path[4096], err[4400], longname[100];

	fingerprint_init(&fp);
	fixture(path, sizeof(path), "elf", "be32-phdr.so");
	ck_assert_int_eq(fingerprint_set_allocator(&fp, "jemalloc", path, err,
	                     sizeof(err)),
	    0);
	ck_assert_str_eq(fp.allocator, "jemalloc");
	ck_assert_str_eq(fp.alloc_path, path);
	ck_assert_str_eq(fp.alloc_id, "build-id:" ID20);

	fixture(path, sizeof(path), "elf", "truncated.so");
	ck_assert_int_eq(fingerprint_set_allocator(&fp, "tcmalloc", path, err,
	                     sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "truncated ELF header") != NULL, "%s", err);
	ck_assert_str_eq(fp.allocator, "tcmalloc");
	ck_assert_str_eq(fp.alloc_path, path);
	ck_assert_str_eq(fp.alloc_id, "");

	ck_assert_int_eq(fingerprint_set_allocator(&fp, "glibc", NULL, err,
	                     sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "glibc: no library path");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(fingerprint_set_allocator(&fp, longname, path, err,
	                     sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "allocator name too long");
}
END_TEST

static void
pi_fingerprint(struct fingerprint *fp)
{
	fingerprint_init(fp);
	SET(fp->kernel, "6.1.0-rpi7-rpi-v8");
	SET(fp->interpreter,
	    "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]");
	SET(fp->libc, "2.36");
	SET(fp->allocator, "jemalloc");
	SET(fp->alloc_path, "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2");
	SET(fp->alloc_id, "build-id:" ID20);
	SET(fp->governor, "ondemand");
	SET(fp->firmware, VC_FW);
}

/*
 * Reference hashes from Python's hashlib over the documented
 * serialization ("allocbench-fingerprint-1\n", then "name=LEN:VALUE\n").
 */
START_TEST(test_hash)
{
	struct fingerprint a, b;
	char ha[AB_FP_HASH_HEX], hb[AB_FP_HASH_HEX];
	size_t i, off;
	static const size_t offs[] = {offsetof(struct fingerprint, kernel),
	    offsetof(struct fingerprint, interpreter),
	    offsetof(struct fingerprint, libc),
	    offsetof(struct fingerprint, allocator),
	    offsetof(struct fingerprint, alloc_path),
	    offsetof(struct fingerprint, alloc_id),
	    offsetof(struct fingerprint, governor),
	    offsetof(struct fingerprint, firmware)};

	fingerprint_init(&a);
	fingerprint_hash(&a, ha);
	ck_assert_str_eq(ha, "06769a01e48b71fa");
	pi_fingerprint(&a);
	fingerprint_hash(&a, ha);
	ck_assert_str_eq(ha, "12b59ef16a422f98");

	/* Any member's change changes it; moving text between members too. */
	for (i = 0; i < NELEM(offs); i++) {
		pi_fingerprint(&b);
		off = offs[i];
		((char *)&b)[off] ^= 1;
		fingerprint_hash(&b, hb);
		ck_assert_msg(strcmp(ha, hb) != 0, "member %zu", i);
	}
	fingerprint_init(&a);
	fingerprint_init(&b);
	SET(a.kernel, "6.1");
	SET(a.libc, "");
	SET(b.kernel, "6");
	SET(b.interpreter, ".1");
	fingerprint_hash(&a, ha);
	fingerprint_hash(&b, hb);
	ck_assert_str_ne(ha, hb);
}
END_TEST

static const struct {
	const char *member;
	const char *value;
	const char *words;
} diff_cases[] = {
    {"kernel", "6.1.0-rpi8-rpi-v8",
        "kernel 6.1.0-rpi7-rpi-v8 -> 6.1.0-rpi8-rpi-v8"},
    {"interpreter", "3.11.4 (main, Jun  7 2023, 10:13:09) [GCC 12.2.0]",
        "interpreter 3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0] -> "
        "3.11.4 (main, Jun  7 2023, 10:13:09) [GCC 12.2.0]"},
    {"libc", "", "libc 2.36 -> unknown"},
    {"alloc_id", "build-id:3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
        "jemalloc: build-id 8a3f1c0de2b4\xe2\x80\xa6 -> build-id "
        "3c4d5e6f7a8b\xe2\x80\xa6"},
    /* Equal in the first 12 digits: shown whole. */
    {"alloc_id", "build-id:8a3f1c0de2b4ffff8778695a4b3c2d1e0f102132",
        "jemalloc: build-id " ID20
        " -> build-id 8a3f1c0de2b4ffff8778695a4b3c2d1e0f102132"},
    {"alloc_id",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "jemalloc: build-id 8a3f1c0de2b4\xe2\x80\xa6 -> sha256 "
        "e3b0c44298fc\xe2\x80\xa6"},
    {"alloc_id", "", "jemalloc: build-id 8a3f1c0de2b4\xe2\x80\xa6 -> unknown"},
    {"alloc_path", "/opt/jemalloc/lib/libjemalloc.so.2",
        "jemalloc: path /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 -> "
        "/opt/jemalloc/lib/libjemalloc.so.2"},
    {"governor", "performance", "governor ondemand -> performance"},
    {"firmware", "", "firmware " VC_FW " -> unknown"},
};

static void
set_member(struct fingerprint *fp, const char *name, const char *v)
{
	if (strcmp(name, "kernel") == 0)
		SET(fp->kernel, v);
	else if (strcmp(name, "interpreter") == 0)
		SET(fp->interpreter, v);
	else if (strcmp(name, "libc") == 0)
		SET(fp->libc, v);
	else if (strcmp(name, "alloc_id") == 0)
		SET(fp->alloc_id, v);
	else if (strcmp(name, "alloc_path") == 0)
		SET(fp->alloc_path, v);
	else if (strcmp(name, "governor") == 0)
		SET(fp->governor, v);
	else if (strcmp(name, "firmware") == 0)
		SET(fp->firmware, v);
	else
		ck_abort_msg("no member %s", name);
}

START_TEST(test_diff)
{
	struct fingerprint a, b;
	char out[1024];

	pi_fingerprint(&a);
	pi_fingerprint(&b);
	ck_assert_int_eq(fingerprint_diff(&a, &b, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	set_member(&b, diff_cases[_i].member, diff_cases[_i].value);
	ck_assert_int_eq(fingerprint_diff(&a, &b, out, sizeof(out)), 1);
	ck_assert_str_eq(out, diff_cases[_i].words);
}
END_TEST

START_TEST(test_diff_several)
{
	struct fingerprint a, b;
	char out[1024], small[30];

	pi_fingerprint(&a);
	pi_fingerprint(&b);
	SET(b.kernel, "6.1.0-rpi8-rpi-v8");
	SET(b.alloc_id, "build-id:3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d");
	ck_assert_int_eq(fingerprint_diff(&a, &b, out, sizeof(out)), 2);
	ck_assert_str_eq(out,
	    "kernel 6.1.0-rpi7-rpi-v8 -> 6.1.0-rpi8-rpi-v8; jemalloc: "
	    "build-id 8a3f1c0de2b4\xe2\x80\xa6 -> build-id "
	    "3c4d5e6f7a8b\xe2\x80\xa6");

	/* Cut to the buffer, never through the middle of "…". */
	fingerprint_init(&a);
	fingerprint_init(&b);
	SET(a.allocator, "mimalloc");
	SET(b.allocator, "mimalloc");
	SET(b.alloc_id, "build-id:0123456789abcdef0123");
	ck_assert_int_eq(fingerprint_diff(&a, &b, out, 44), 1);
	ck_assert_str_eq(out, "mimalloc: unknown -> build-id 0123456789ab");
	ck_assert_int_eq(fingerprint_diff(&a, &b, out, 45), 1);
	ck_assert_str_eq(out, "mimalloc: unknown -> build-id 0123456789ab");
	ck_assert_int_eq(fingerprint_diff(&a, &b, out, 46), 1);
	ck_assert_str_eq(out,
	    "mimalloc: unknown -> build-id 0123456789ab\xe2\x80\xa6");
	ck_assert_int_eq(fingerprint_diff(&a, &b, small, sizeof(small)), 1);
	ck_assert_str_eq(small, "mimalloc: unknown -> build-id");
	memset(small, '#', sizeof(small));
	ck_assert_int_eq(fingerprint_diff(&a, &b, small, 15), 1);
	ck_assert_str_eq(small, "mimalloc: unkn");
	ck_assert_int_eq(small[15], '#');
	ck_assert_int_eq(fingerprint_diff(&a, &b, NULL, 0), 1);
}
END_TEST

START_TEST(test_json_roundtrip)
{
	struct fingerprint a, b;
	char err[128], ha[AB_FP_HASH_HEX];
	cJSON *o;

	pi_fingerprint(&a);
	o = fingerprint_to_json(&a);
	ck_assert_ptr_nonnull(o);
	fingerprint_hash(&a, ha);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "hash")->valuestring, ha);
	ck_assert_str_eq(cJSON_GetObjectItem(o, "alloc_id")->valuestring,
	    "build-id:" ID20);
	memset(&b, 0x5a, sizeof(b));
	ck_assert_int_eq(fingerprint_from_json(o, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	cJSON_Delete(o);
}
END_TEST

static const struct {
	const char *json;
	const char *err; /* NULL: accepted */
} json_cases[] = {
    {"{}", NULL},
    {"{\"kernel\": \"6.1\", \"extra\": 5}", NULL},
    {"{\"kernel\": \"6.1\", \"hash\": \"0000000000000000\"}",
        "hash does not match"},
    {"{\"kernel\": 6}", "kernel is not a string"},
    {"{\"governor\": null}", "governor is not a string"},
    {"[]", "not an object"},
    {"\"x\"", "not an object"},
    {"{\"hash\": 5}", "hash does not match"},
    {"{\"libc\": \"0123456789012345678901234567890123456789012345678901234567890123\"}",
        "libc longer than 63 bytes"},
};

START_TEST(test_json_errors)
{
	struct fingerprint fp;
	char err[128] = "";
	cJSON *o = cJSON_Parse(json_cases[_i].json);
	int rc;

	ck_assert_ptr_nonnull(o);
	memset(&fp, 0x5a, sizeof(fp));
	rc = fingerprint_from_json(o, &fp, err, sizeof(err));
	cJSON_Delete(o);
	if (json_cases[_i].err == NULL) {
		ck_assert_msg(rc == 0, "case %d: %s", _i, err);
		ck_assert_str_eq(fp.libc, "");
		return;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err, json_cases[_i].err) != NULL, "case %d: '%s'",
	    _i, err);
	ck_assert_int_eq((unsigned char)fp.kernel[0], 0x5a);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fingerprint");
	TCase *elf = tcase_create("elf");
	TCase *host = tcase_create("host");
	TCase *pure = tcase_create("pure");

	tcase_add_loop_test(elf, test_build_id_fixture, 0,
	    (int)NELEM(elf_cases));
	tcase_add_loop_test(elf, test_identity_fixture, 0,
	    (int)NELEM(elf_cases));
	tcase_add_loop_test(elf, test_build_id_real, 0, (int)NELEM(real_files));
	tcase_add_loop_test(elf, test_build_id_linked, 0,
	    (int)NELEM(link_cases));
	tcase_add_test(elf, test_build_id_small_buffers);
	tcase_add_test(elf, test_set_allocator);
	tcase_set_timeout(elf, 60);
	suite_add_tcase(s, elf);

	tcase_add_loop_test(host, test_host_fixture, 0, (int)NELEM(host_cases));
	tcase_add_test(host, test_host_real);
	tcase_add_loop_test(host, test_firmware_vcgencmd, 0,
	    (int)NELEM(vc_cases));
	tcase_add_test(host, test_vcgencmd_run);
	tcase_add_test(host, test_host_fill);
	tcase_set_timeout(host, 30);
	suite_add_tcase(s, host);

	tcase_add_loop_test(pure, test_parse_firmware, 0, (int)NELEM(fw_cases));
	tcase_add_test(pure, test_parse_firmware_too_long);
	tcase_add_test(pure, test_hash);
	tcase_add_loop_test(pure, test_diff, 0, (int)NELEM(diff_cases));
	tcase_add_test(pure, test_diff_several);
	tcase_add_test(pure, test_json_roundtrip);
	tcase_add_loop_test(pure, test_json_errors, 0, (int)NELEM(json_cases));
	suite_add_tcase(s, pure);
	return s;
}

AB_CHECK_MAIN(suite)
