/* SPDX-License-Identifier: MIT */
/*
 * Tests for contention.c: the schedstat and pressure parsers on real lines
 * and malformed ones; the readers on the fixture trees under
 * tests/fixtures/contention/ (captured from a 6.18 x86-64 kernel, a
 * "some"-only pressure file as Linux 5.10 to 5.12 write it, a kernel
 * without PSI, one without schedstat, garbage, directories, an empty root)
 * and on the real system; the fractions; the report's JSON member; a
 * process kept off its CPU by a competing one pinned to the same core; and
 * the real workload's report of its own schedstat, interpreter and libc.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "contention.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define U        NAN

static const struct {
	const char *text;
	int rc;
	uint64_t run_ns, wait_ns, slices;
	const char *err; /* substring of the message */
} ss_cases[] = {
    /* Real lines: this machine, a Raspberry Pi 4 shell, a fresh task. */
    {"257858572 148378204 71\n", 0, 257858572, 148378204, 71, NULL},
    {"9120340511 1450021877 61211\n", 0, 9120340511ULL, 1450021877, 61211,
        NULL},
    {"0 69611 1\n", 0, 0, 69611, 1, NULL},
    {"0 0 0\n", 0, 0, 0, 0, NULL},
    {"1 2 3", 0, 1, 2, 3, NULL},
    {"18446744073709551615 18446744073709551615 18446744073709551615\n", 0,
        UINT64_MAX, UINT64_MAX, UINT64_MAX, NULL},
    {"18446744073709551616 1 1\n", -1, 0, 0, 0,
        "run time is not an unsigned integer"},
    {"", -1, 0, 0, 0, "empty"},
    {"\n", -1, 0, 0, 0, "run time is not an unsigned integer"},
    {"257858572 148378204\n", -1, 0, 0, 0, "timeslices expected"},
    {"257858572\n", -1, 0, 0, 0, "wait time expected"},
    {"1 2 3 4\n", -1, 0, 0, 0, "junk after the third field"},
    {"1 2 3\n\n", -1, 0, 0, 0, "junk after the third field"},
    {"1  2 3\n", -1, 0, 0, 0, "wait time is not an unsigned integer"},
    {" 1 2 3\n", -1, 0, 0, 0, "run time is not an unsigned integer"},
    {"1\t2\t3\n", -1, 0, 0, 0, "wait time expected"},
    {"-1 2 3\n", -1, 0, 0, 0, "run time is not an unsigned integer"},
    {"1 +2 3\n", -1, 0, 0, 0, "wait time is not an unsigned integer"},
    {"1 2 0x3\n", -1, 0, 0, 0, "junk after the third field"},
    {"1 2 3.5\n", -1, 0, 0, 0, "junk after the third field"},
    {"a b c\n", -1, 0, 0, 0, "run time is not an unsigned integer"},
};

START_TEST(test_parse_schedstat)
{
	struct schedstat ss = {7, 7, 7};
	char err[256] = "";
	int rc;

	rc = contention_parse_schedstat(ss_cases[_i].text, &ss, err,
	    sizeof(err));
	ck_assert_msg(rc == ss_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
	    err);
	if (rc == 0) {
		ck_assert_uint_eq(ss.run_ns, ss_cases[_i].run_ns);
		ck_assert_uint_eq(ss.wait_ns, ss_cases[_i].wait_ns);
		ck_assert_uint_eq(ss.slices, ss_cases[_i].slices);
	} else {
		ck_assert_msg(strstr(err, ss_cases[_i].err) != NULL,
		    "case %d: '%s' lacks '%s'", _i, err, ss_cases[_i].err);
		ck_assert_uint_eq(ss.run_ns, 7); /* untouched */
		ck_assert_uint_eq(ss.wait_ns, 7);
		ck_assert_uint_eq(ss.slices, 7);
	}
}
END_TEST

#define X86_PSI                                                                \
	"some avg10=90.38 avg60=77.92 avg300=51.63 total=264439788\n"          \
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"

static const struct {
	const char *text;
	int rc;
	double some[3];
	uint64_t some_total;
	int has_full;
	double full[3];
	uint64_t full_total;
	const char *err;
} psi_cases[] = {
    {X86_PSI, 0, {90.38, 77.92, 51.63}, 264439788, 1, {0, 0, 0}, 0, NULL},
    /* Linux 4.20 to 5.12: no "full" line for the CPU. */
    {"some avg10=1.53 avg60=0.87 avg300=0.31 total=48211093\n", 0,
        {1.53, 0.87, 0.31}, 48211093, 0, {0, 0, 0}, 0, NULL},
    {"some avg10=100.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n"
     "full avg10=2.50 avg60=1.25 avg300=0.10 total=77",
        0, {100, 0, 0}, UINT64_MAX, 1, {2.5, 1.25, 0.1}, 77, NULL},
    {"", -1, {0}, 0, 0, {0}, 0, "pressure: empty"},
    {"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: 'some' expected"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: line ends after avg300"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: total is not an unsigned integer"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=-4\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: total is not an unsigned integer"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=5x\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: total is not an unsigned integer"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n", -1,
        {0}, 0, 0, {0}, 0, "line 1: total is not an unsigned integer"},
    {"some avg10=101.00 avg60=0.00 avg300=0.00 total=1\n", -1, {0}, 0, 0, {0},
        0, "line 1: avg10: '101.00' is out of range"},
    {"some avg10=nan avg60=0.00 avg300=0.00 total=1\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: avg10: 'nan' is not a number"},
    {"some avg10= avg60=0.00 avg300=0.00 total=1\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: avg10 is not a number"},
    {"some avg60=0.00 avg10=0.00 avg300=0.00 total=1\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: 'avg10' expected"},
    {"some  avg10=0.00 avg60=0.00 avg300=0.00 total=1\n", -1, {0}, 0, 0, {0}, 0,
        "line 1: 'avg10' expected"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nfull\n", -1, {0}, 0, 0,
        {0}, 0, "line 2: 'full' expected"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
     "full avg10=0.00 avg60=0.00 avg300=0.00 total=x\n",
        -1, {0}, 0, 0, {0}, 0, "line 2: total is not an unsigned integer"},
    {"some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"
     "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n",
        -1, {0}, 0, 0, {0}, 0, "line 2: 'full' expected"},
    {X86_PSI "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", -1, {0}, 0, 0,
        {0}, 0, "junk after line 2"},
    {X86_PSI "\n", -1, {0}, 0, 0, {0}, 0, "junk after line 2"},
};

START_TEST(test_parse_psi)
{
	struct psi p;
	char err[256] = "";
	int rc;

	memset(&p, 0x5a, sizeof(p));
	rc = contention_parse_psi(psi_cases[_i].text, &p, err, sizeof(err));
	ck_assert_msg(rc == psi_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
	    err);
	if (rc == -1) {
		ck_assert_msg(strstr(err, psi_cases[_i].err) != NULL,
		    "case %d: '%s' lacks '%s'", _i, err, psi_cases[_i].err);
		ck_assert_int_eq(p.has_full, 0x5a5a5a5a); /* untouched */
		return;
	}
	ck_assert_double_eq(p.some.avg10, psi_cases[_i].some[0]);
	ck_assert_double_eq(p.some.avg60, psi_cases[_i].some[1]);
	ck_assert_double_eq(p.some.avg300, psi_cases[_i].some[2]);
	ck_assert_uint_eq(p.some.total_us, psi_cases[_i].some_total);
	ck_assert_int_eq(p.has_full, psi_cases[_i].has_full);
	ck_assert_double_eq(p.full.avg10, psi_cases[_i].full[0]);
	ck_assert_double_eq(p.full.avg60, psi_cases[_i].full[1]);
	ck_assert_double_eq(p.full.avg300, psi_cases[_i].full[2]);
	ck_assert_uint_eq(p.full.total_us, psi_cases[_i].full_total);
}
END_TEST

/* The readers on the fixture trees; pid 0 is "self". */
static const struct {
	const char *fixture;
	long pid;
	int ss_rc;
	uint64_t run_ns, wait_ns, slices;
	const char *ss_err;
	int psi_rc;
	uint64_t some_total;
	int has_full;
	const char *psi_err;
} read_cases[] = {
    {"x86-6.18", 0, CONTENTION_OK, 257858572, 148378204, 71, NULL,
        CONTENTION_OK, 264439788, 1, NULL},
    {"x86-6.18", 4242, CONTENTION_OK, 228623273, 48589301, 422, NULL,
        CONTENTION_OK, 264439788, 1, NULL},
    {"x86-6.18", 4243, CONTENTION_ABSENT, 0, 0, 0,
        "/proc/4243/schedstat: No such file or directory", CONTENTION_OK,
        264439788, 1, NULL},
    {"some-only", 0, CONTENTION_OK, 9120340511ULL, 1450021877, 61211, NULL,
        CONTENTION_OK, 48211093, 0, NULL},
    {"no-psi", 0, CONTENTION_OK, 257858572, 148378204, 71, NULL,
        CONTENTION_ABSENT, 0, 0,
        "/proc/pressure/cpu: No such file or directory"},
    {"no-schedinfo", 0, CONTENTION_ABSENT, 0, 0, 0,
        "/proc/self/schedstat: No such file or directory", CONTENTION_OK,
        264439788, 1, NULL},
    {"zeros", 0, CONTENTION_OK, 0, 0, 0, NULL, CONTENTION_ABSENT, 0, 0,
        "No such file or directory"},
    {"garbage", 0, CONTENTION_ERROR, 0, 0, 0,
        "/proc/self/schedstat: schedstat: timeslices expected",
        CONTENTION_ERROR, 0, 0,
        "/proc/pressure/cpu: pressure: line 1: line ends after avg300"},
    {"isdir", 0, CONTENTION_ERROR, 0, 0, 0,
        "/proc/self/schedstat: Is a directory", CONTENTION_ERROR, 0, 0,
        "/proc/pressure/cpu: Is a directory"},
    {"empty", 0, CONTENTION_ABSENT, 0, 0, 0, "No such file or directory",
        CONTENTION_ABSENT, 0, 0, "No such file or directory"},
    {"does-not-exist", 0, CONTENTION_ABSENT, 0, 0, 0,
        "No such file or directory", CONTENTION_ABSENT, 0, 0,
        "No such file or directory"},
    {"x86-6.18", -1, CONTENTION_ERROR, 0, 0, 0, "bad pid -1", CONTENTION_OK,
        264439788, 1, NULL},
};

START_TEST(test_read_fixture)
{
	struct schedstat ss = {7, 7, 7};
	struct psi p;
	char root[4096], err[512] = "";
	enum contention_rc rc;

	snprintf(root, sizeof(root), "%s/tests/fixtures/contention/%s",
	    ab_test_srcdir(), read_cases[_i].fixture);
	rc = contention_read_schedstat(root, read_cases[_i].pid, &ss, err,
	    sizeof(err));
	ck_assert_msg((int)rc == read_cases[_i].ss_rc,
	    "case %d schedstat: rc %d (%s)", _i, rc, err);
	if (rc == CONTENTION_OK) {
		ck_assert_uint_eq(ss.run_ns, read_cases[_i].run_ns);
		ck_assert_uint_eq(ss.wait_ns, read_cases[_i].wait_ns);
		ck_assert_uint_eq(ss.slices, read_cases[_i].slices);
	} else {
		ck_assert_msg(strstr(err, read_cases[_i].ss_err) != NULL,
		    "case %d: '%s' lacks '%s'", _i, err, read_cases[_i].ss_err);
		ck_assert_uint_eq(ss.run_ns, 7);
	}

	memset(&p, 0x5a, sizeof(p));
	err[0] = '\0';
	rc = contention_read_psi(root, &p, err, sizeof(err));
	ck_assert_msg((int)rc == read_cases[_i].psi_rc,
	    "case %d pressure: rc %d (%s)", _i, rc, err);
	if (rc == CONTENTION_OK) {
		ck_assert_uint_eq(p.some.total_us, read_cases[_i].some_total);
		ck_assert_int_eq(p.has_full, read_cases[_i].has_full);
	} else {
		ck_assert_msg(strstr(err, read_cases[_i].psi_err) != NULL,
		    "case %d: '%s' lacks '%s'", _i, err,
		    read_cases[_i].psi_err);
		ck_assert_int_eq(p.has_full, 0x5a5a5a5a);
	}
}
END_TEST

/* Files too long, or holding a NUL, are refused; so are unreadable ones. */
START_TEST(test_read_bad_files)
{
	struct schedstat ss = {7, 7, 7};
	struct psi p;
	char root[sizeof(AB_TEST_TMPDIR)], path[4096], big[2048], err[512];
	FILE *fp;

	ab_test_mkdtemp(root, sizeof(root));
	snprintf(path, sizeof(path), "%s/proc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/self", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/pressure", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/proc/self/schedstat", root);
	ab_test_write_file(path, big);
	ck_assert_int_eq(contention_read_schedstat(root, 0, &ss, err,
	                     sizeof(err)),
	    CONTENTION_ERROR);
	ck_assert_msg(strstr(err, "longer than 511 bytes") != NULL, "%s", err);

	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite("1 2\0003\n", 1, 6, fp), 6);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(contention_read_schedstat(root, 0, &ss, err,
	                     sizeof(err)),
	    CONTENTION_ERROR);
	ck_assert_msg(strstr(err, "contains a NUL byte") != NULL, "%s", err);
	ck_assert_uint_eq(ss.run_ns, 7);

	snprintf(path, sizeof(path), "%s/proc/pressure/cpu", root);
	ab_test_write_file(path, "");
	ck_assert_int_eq(contention_read_psi(root, &p, err, sizeof(err)),
	    CONTENTION_ERROR);
	ck_assert_msg(strstr(err, "pressure: empty") != NULL, "%s", err);

	ck_assert_int_eq(ab_test_rm_tree(root), 0);
}
END_TEST

static const struct {
	int e;
	int absent;
} errno_cases[] = {
    {ENOENT, 1},
    {ENOTDIR, 1},
    {EOPNOTSUPP, 1},
    {EACCES, 0},
    {EISDIR, 0},
    {EIO, 0},
    {EINVAL, 0},
    {0, 0},
};

START_TEST(test_errno_absent)
{
	ck_assert_int_eq(contention_errno_absent(errno_cases[_i].e),
	    errno_cases[_i].absent);
}
END_TEST

static const struct {
	struct schedstat ss;
	double wall_s;
	int rc;
	double frac;
	const char *err;
} runq_cases[] = {
    {{257858572, 148378204, 71}, 0.5, 0, 0.296756408, NULL},
    {{1000000000, 0, 10}, 1.0, 0, 0.0, NULL},
    {{0, 69611, 1}, 0.001, 0, 0.069611, NULL},
    {{500000000, 1500000000, 50}, 2.0, 0, 0.75, NULL},
    {{0, 0, 0}, 1.0, -1, 0, "does not account run-queue delay"},
    {{1, 1, 1}, 0.0, -1, 0, "is not a positive number"},
    {{1, 1, 1}, -1.0, -1, 0, "is not a positive number"},
    {{1, 1, 1}, NAN, -1, 0, "is not a positive number"},
    {{1, 1, 1}, INFINITY, -1, 0, "is not a positive number"},
};

START_TEST(test_runq_frac)
{
	double f = -7;
	char err[256] = "";
	int rc;

	rc = contention_runq_frac(&runq_cases[_i].ss, runq_cases[_i].wall_s, &f,
	    err, sizeof(err));
	ck_assert_msg(rc == runq_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
	    err);
	if (rc == 0) {
		ck_assert_double_eq_tol(f, runq_cases[_i].frac, 1e-12);
	} else {
		ck_assert_msg(strstr(err, runq_cases[_i].err) != NULL,
		    "case %d: '%s'", _i, err);
		ck_assert_double_eq(f, -7);
	}
}
END_TEST

#define PSI(s, hf, f)                                                          \
	{                                                                      \
		{0, 0, 0, (s)}, {0, 0, 0, (f)}, (hf)                           \
	}

static const struct {
	struct psi before, after;
	double wall_s;
	int rc;
	double some, full;
	const char *err;
} psif_cases[] = {
    {PSI(264439788, 1, 0), PSI(264739788, 1, 0), 0.5, 0, 0.6, 0.0, NULL},
    {PSI(48211093, 0, 0), PSI(48311093, 0, 0), 1.0, 0, 0.1, U, NULL},
    {PSI(10, 1, 5), PSI(10, 0, 0), 1.0, 0, 0.0, U, NULL},
    {PSI(0, 1, 0), PSI(2000000, 1, 1000000), 4.0, 0, 0.5, 0.25, NULL},
    {PSI(100, 1, 0), PSI(99, 1, 0), 1.0, -1, 0, 0, "some total went back"},
    {PSI(1, 1, 10), PSI(2, 1, 9), 1.0, -1, 0, 0, "full total went back"},
    {PSI(1, 0, 0), PSI(2, 0, 0), 0.0, -1, 0, 0, "not a positive number"},
};

START_TEST(test_psi_frac)
{
	double some = -7, full = -7;
	char err[256] = "";
	int rc;

	rc = contention_psi_frac(&psif_cases[_i].before, &psif_cases[_i].after,
	    psif_cases[_i].wall_s, &some, &full, err, sizeof(err));
	ck_assert_msg(rc == psif_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
	    err);
	if (rc == -1) {
		ck_assert_msg(strstr(err, psif_cases[_i].err) != NULL,
		    "case %d: '%s'", _i, err);
		ck_assert_double_eq(some, -7);
		ck_assert_double_eq(full, -7);
		return;
	}
	ck_assert_double_eq_tol(some, psif_cases[_i].some, 1e-12);
	if (isnan(psif_cases[_i].full))
		ck_assert(isnan(full));
	else
		ck_assert_double_eq_tol(full, psif_cases[_i].full, 1e-12);
}
END_TEST

START_TEST(test_of_run)
{
	struct schedstat ss = {500000000, 250000000, 9}, zero = {0, 0, 0};
	struct psi b = PSI(1000, 1, 0), a = PSI(501000, 1, 0);
	struct contention c;

	contention_of_run(&ss, &b, &a, 1.0, &c);
	ck_assert_double_eq_tol(c.runq_frac, 0.25, 1e-12);
	ck_assert_double_eq_tol(c.psi_some_frac, 0.5, 1e-12);
	ck_assert_double_eq(c.psi_full_frac, 0.0);

	contention_of_run(NULL, &b, NULL, 1.0, &c);
	ck_assert(isnan(c.runq_frac) && isnan(c.psi_some_frac) &&
	    isnan(c.psi_full_frac));
	contention_of_run(&zero, &a, &b, 1.0, &c); /* backwards */
	ck_assert(isnan(c.runq_frac) && isnan(c.psi_some_frac) &&
	    isnan(c.psi_full_frac));
	contention_of_run(&ss, NULL, NULL, NAN, &c);
	ck_assert(isnan(c.runq_frac));
}
END_TEST

static const struct {
	double runq_frac;
	double max;
	int contended;
} contended_cases[] = {
    {0.07, 0.05, 1},
    {0.05, 0.05, 0},
    {0.01, 0.05, 0},
    {U, 0.05, 0},
    {0.9, 0.0, 0},
    {0.9, -1.0, 0},
    {0.9, U, 0},
    {1.0, 0.99, 1},
};

START_TEST(test_contended)
{
	struct contention c = {contended_cases[_i].runq_frac, 0.5, 0.5};

	ck_assert_int_eq(contention_contended(&c, contended_cases[_i].max),
	    contended_cases[_i].contended);
}
END_TEST

static const struct {
	const char *json; /* NULL: the member is missing */
	int rc;
	uint64_t v[3];
	const char *err;
} json_cases[] = {
    {"[257858572, 148378204, 71]", CONTENTION_OK, {257858572, 148378204, 71},
        NULL},
    {"[0, 0, 0]", CONTENTION_OK, {0, 0, 0}, NULL},
    {"[9007199254740992, 1, 2]", CONTENTION_OK, {9007199254740992ULL, 1, 2},
        NULL},
    {"null", CONTENTION_ABSENT, {0}, "not reported"},
    {NULL, CONTENTION_ABSENT, {0}, "not reported"},
    {"[1, 2]", CONTENTION_ERROR, {0}, "not an array of 3 numbers or null"},
    {"[1, 2, 3, 4]", CONTENTION_ERROR, {0}, "not an array of 3"},
    {"\"1 2 3\"", CONTENTION_ERROR, {0}, "not an array of 3"},
    {"{\"run_ns\": 1}", CONTENTION_ERROR, {0}, "not an array of 3"},
    {"[1, -2, 3]", CONTENTION_ERROR, {0}, "wait_ns is not an integer"},
    {"[1.5, 2, 3]", CONTENTION_ERROR, {0}, "run_ns is not an integer"},
    {"[1, 2, \"3\"]", CONTENTION_ERROR, {0}, "slices is not an integer"},
    {"[1, 2, null]", CONTENTION_ERROR, {0}, "slices is not an integer"},
    {"[18446744073709551616, 2, 3]", CONTENTION_ERROR, {0},
        "run_ns is not an integer in [0, 2^53]"},
};

START_TEST(test_from_json)
{
	struct schedstat ss = {7, 7, 7};
	cJSON *doc = NULL;
	char err[256] = "";
	int rc;

	if (json_cases[_i].json != NULL) {
		doc = cJSON_Parse(json_cases[_i].json);
		ck_assert_ptr_nonnull(doc);
	}
	rc = contention_schedstat_from_json(doc, &ss, err, sizeof(err));
	cJSON_Delete(doc);
	ck_assert_msg(rc == json_cases[_i].rc, "case %d: rc %d (%s)", _i, rc,
	    err);
	if (rc == CONTENTION_OK) {
		ck_assert_uint_eq(ss.run_ns, json_cases[_i].v[0]);
		ck_assert_uint_eq(ss.wait_ns, json_cases[_i].v[1]);
		ck_assert_uint_eq(ss.slices, json_cases[_i].v[2]);
	} else {
		ck_assert_msg(strstr(err, json_cases[_i].err) != NULL,
		    "case %d: '%s'", _i, err);
		ck_assert_uint_eq(ss.run_ns, 7);
	}
}
END_TEST

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Spins until this thread has used cpu_s seconds of CPU. */
static void
burn(double cpu_s)
{
	double until = thread_cpu_s() + cpu_s;
	volatile unsigned long x = 0;

	while (thread_cpu_s() < until)
		x++;
}

/*
 * The real files: this kernel has both. The run time in schedstat is the
 * thread's CPU clock (both are sum_exec_runtime), and run + wait cannot
 * exceed the time that passed.
 */
START_TEST(test_real_system)
{
	struct schedstat a, b;
	struct psi p1, p2;
	char err[512];
	double t0, t1, c0, c1, drun, dwait;
	enum contention_rc rc;

	t0 = ab_test_now(); /* both readings fall between t0 and t1 */
	ck_assert_msg(contention_read_schedstat("", 0, &a, err, sizeof(err)) ==
	        CONTENTION_OK,
	    "%s", err);
	c0 = thread_cpu_s();
	burn(0.2);
	ck_assert_msg(contention_read_schedstat(NULL, 0, &b, err,
	                  sizeof(err)) == CONTENTION_OK,
	    "%s", err);
	c1 = thread_cpu_s();
	t1 = ab_test_now();
	drun = (double)(b.run_ns - a.run_ns) / 1e9;
	dwait = (double)(b.wait_ns - a.wait_ns) / 1e9;
	ck_assert_msg(fabs(drun - (c1 - c0)) < 0.02,
	    "schedstat run %.4f s, thread CPU %.4f s", drun, c1 - c0);
	ck_assert_msg(drun + dwait <= (t1 - t0) + 0.02,
	    "run %.4f + wait %.4f s > %.4f s elapsed", drun, dwait, t1 - t0);
	ck_assert_uint_ge(b.slices, a.slices);
	ck_assert_msg(contention_read_schedstat("", (long)getpid(), &b, err,
	                  sizeof(err)) == CONTENTION_OK,
	    "%s", err);

	rc = contention_read_psi("", &p1, err, sizeof(err));
	ck_assert_msg(rc == CONTENTION_OK || rc == CONTENTION_ABSENT, "%s",
	    err);
	if (rc == CONTENTION_OK) {
		usleep(100000);
		ck_assert_int_eq(contention_read_psi(NULL, &p2, err,
		                     sizeof(err)),
		    CONTENTION_OK);
		ck_assert_uint_ge(p2.some.total_us, p1.some.total_us);
	}
}
END_TEST

/*
 * A busy process pinned to our CPU keeps us waiting on the run queue for
 * about half of the time: the delay the runner will flag as contention.
 */
START_TEST(test_competing_process)
{
	struct schedstat a, b;
	cpu_set_t one;
	char err[512];
	double t0, wall, frac;
	enum contention_rc rc_a, rc_b;
	pid_t pid;
	int cpu;

	cpu = sched_getcpu();
	ck_assert_int_ge(cpu, 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			burn(1.0);
	}
	usleep(50000);
	t0 = ab_test_now();
	rc_a = contention_read_schedstat("", 0, &a, err, sizeof(err));
	burn(0.3);
	rc_b = contention_read_schedstat("", 0, &b, err, sizeof(err));
	wall = ab_test_now() - t0;
	(void)kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_msg(rc_a == CONTENTION_OK && rc_b == CONTENTION_OK, "%s",
	    err);
	b.wait_ns -= a.wait_ns;
	ck_assert_int_eq(contention_runq_frac(&b, wall, &frac, err,
	                     sizeof(err)),
	    0);
	ck_assert_msg(frac > 0.3 && frac <= 1.0,
	    "run-queue delay %.3f of %.3f s with a competitor on CPU %d", frac,
	    wall, cpu);
}
END_TEST

/* Interpreters the workload must report under; absent ones are skipped. */
static const char *const interpreters[] = {
    "/usr/bin/python3",
    "/usr/bin/python2.7",
};

/*
 * Runs the workload as the runner does (report on fd 3) and checks the
 * members it adds for contention and the fingerprint: its schedstat at
 * the end fits inside the run's wall time and CPU time, python_full is
 * sys.version on one line, and libc_version is this process's glibc.
 */
START_TEST(test_workload_report)
{
	const char *py = interpreters[_i];
	struct schedstat ss;
	struct rusage ru;
	char buf[8192], err[256], prefix[64];
	const cJSON *item, *full;
	cJSON *doc;
	size_t len = 0;
	ssize_t n;
	double t0, wall, cpu;
	int p[2], status;
	pid_t pid;

	if (access(py, X_OK) != 0)
		return;
	ck_assert_int_eq(pipe(p), 0);
	t0 = ab_test_now();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = {(char *)py, (char *)ab_test_workload(),
		    "200000", "3", NULL};
		char *envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};

		if (dup2(p[1], 3) == -1)
			_exit(126);
		execve(py, argv, envp);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	buf[len] = '\0';
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	wall = ab_test_now() - t0;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s: status %#x", py, status);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

	doc = cJSON_Parse(buf);
	ck_assert_msg(doc != NULL, "%s: report %s", py, buf);
	item = cJSON_GetObjectItemCaseSensitive(doc, "schedstat");
	ck_assert_msg(contention_schedstat_from_json(item, &ss, err,
	                  sizeof(err)) == CONTENTION_OK,
	    "%s: %s", py, err);
	ck_assert_msg(ss.run_ns > 0 && ss.slices > 0, "%s: %s", py, buf);
	ck_assert_msg((double)(ss.run_ns + ss.wait_ns) / 1e9 <= wall + 0.01,
	    "%s: run %.3f + wait %.3f s > wall %.3f s", py, ss.run_ns / 1e9,
	    ss.wait_ns / 1e9, wall);
	ck_assert_msg(ss.run_ns / 1e9 <= cpu + 0.02 &&
	        ss.run_ns / 1e9 >= 0.3 * cpu,
	    "%s: run %.3f s against %.3f s of CPU", py, ss.run_ns / 1e9, cpu);

	full = cJSON_GetObjectItemCaseSensitive(doc, "python_full");
	ck_assert_msg(cJSON_IsString(full), "%s: %s", py, buf);
	snprintf(prefix, sizeof(prefix), "%s (",
	    cJSON_GetObjectItem(doc, "python")->valuestring);
	ck_assert_msg(strncmp(full->valuestring, prefix, strlen(prefix)) == 0,
	    "%s: python_full '%s'", py, full->valuestring);
	ck_assert_ptr_null(strchr(full->valuestring, '\n'));
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "libc_version")->valuestring,
	    gnu_get_libc_version());
	cJSON_Delete(doc);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("contention");
	TCase *pure = tcase_create("pure");
	TCase *rd = tcase_create("read");

	tcase_add_loop_test(pure, test_parse_schedstat, 0,
	    (int)NELEM(ss_cases));
	tcase_add_loop_test(pure, test_parse_psi, 0, (int)NELEM(psi_cases));
	tcase_add_loop_test(pure, test_errno_absent, 0,
	    (int)NELEM(errno_cases));
	tcase_add_loop_test(pure, test_runq_frac, 0, (int)NELEM(runq_cases));
	tcase_add_loop_test(pure, test_psi_frac, 0, (int)NELEM(psif_cases));
	tcase_add_test(pure, test_of_run);
	tcase_add_loop_test(pure, test_contended, 0,
	    (int)NELEM(contended_cases));
	tcase_add_loop_test(pure, test_from_json, 0, (int)NELEM(json_cases));
	suite_add_tcase(s, pure);

	tcase_add_loop_test(rd, test_read_fixture, 0, (int)NELEM(read_cases));
	tcase_add_test(rd, test_read_bad_files);
	tcase_add_test(rd, test_real_system);
	tcase_add_test(rd, test_competing_process);
	tcase_add_loop_test(rd, test_workload_report, 0,
	    (int)NELEM(interpreters));
	tcase_set_timeout(rd, 30);
	suite_add_tcase(s, rd);
	return s;
}

AB_CHECK_MAIN(suite)
