/* SPDX-License-Identifier: MIT */
/*
 * Tests for host.c: the CPU model read from fixture trees under
 * tests/fixtures/host/ (Raspberry Pis, an x86 server, a RISC-V
 * board known only by its device tree, an empty root), and the real
 * system's hostname, architecture and CPU count.
 */
#include "config.h"

#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "host.h"

static const struct {
	const char *fixture;
	const char *cpu_model;
} model_cases[] = {
    /* "Model" wins over the "Hardware" line before it. */
    {"rpi4", "Raspberry Pi 4 Model B Rev 1.4"},
    /* "model name", not the "model" line above it. */
    {"x86", "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz"},
    /* 32-bit Pi OS: the board in "Model" beats the core in "model name". */
    {"rpi4-armv7l", "Raspberry Pi 4 Model B Rev 1.4"},
    /* Older Pi kernels print "Hardware" only; the device tree's board wins. */
    {"rpi3", "Raspberry Pi 3 Model B Rev 1.2"},
    /* No key in cpuinfo: the device tree model, without its NUL. */
    {"dtonly", "StarFive VisionFive 2 v1.3B"},
    {"empty", ""},
    {"does-not-exist", ""},
};

START_TEST(test_cpu_model_fixtures)
{
	struct host_info h;
	char root[4096];
	size_t i;

	for (i = 0; i < sizeof(model_cases) / sizeof(model_cases[0]); i++) {
		snprintf(root, sizeof(root), "%s/tests/fixtures/host/%s",
		    ab_test_srcdir(), model_cases[i].fixture);
		memset(&h, 'x', sizeof(h));
		ck_assert_int_eq(host_read(&h, root), 0);
		ck_assert_msg(strcmp(h.cpu_model, model_cases[i].cpu_model) ==
		        0,
		    "%s: cpu_model '%s', want '%s'", model_cases[i].fixture,
		    h.cpu_model, model_cases[i].cpu_model);
	}
}
END_TEST

START_TEST(test_fixture_root_keeps_live_fields)
{
	struct host_info h;
	struct utsname u;
	char root[4096];

	snprintf(root, sizeof(root), "%s/tests/fixtures/host/rpi4",
	    ab_test_srcdir());
	ck_assert_int_eq(uname(&u), 0);
	ck_assert_int_eq(host_read(&h, root), 0);
	ck_assert_str_eq(h.machine, u.machine);
	ck_assert_str_eq(h.kernel, u.release);
	ck_assert_int_ge(h.cpus, 1);
}
END_TEST

START_TEST(test_sandbox)
{
	struct host_info h;
	char root[4096];

	snprintf(root, sizeof(root), "%s/tests/fixtures/host/rpi4",
	    ab_test_srcdir());
	unsetenv("INVOCATION_ID");
	ck_assert_int_eq(host_read(&h, root), 0);
	ck_assert_str_eq(h.sandbox,
	    "none; NoNewPrivs=1 Seccomp=filter CapEff=0");
	setenv("INVOCATION_ID", "0123456789abcdef", 1);
	ck_assert_int_eq(host_read(&h, root), 0);
	ck_assert_str_eq(h.sandbox,
	    "systemd unit; NoNewPrivs=1 Seccomp=filter CapEff=0");
	unsetenv("INVOCATION_ID");
	/* no status file: the fields are unknown, not made up */
	snprintf(root, sizeof(root), "%s/tests/fixtures/host/empty",
	    ab_test_srcdir());
	ck_assert_int_eq(host_read(&h, root), 0);
	ck_assert_str_eq(h.sandbox, "none; NoNewPrivs=? Seccomp=? CapEff=?");
}
END_TEST

START_TEST(test_real_system)
{
	struct host_info h, h2;
	struct utsname u;
	char name[256];

	ck_assert_int_eq(uname(&u), 0);
	ck_assert_int_eq(gethostname(name, sizeof(name)), 0);
	name[sizeof(name) - 1] = '\0';

	ck_assert_int_eq(host_read(&h, NULL), 0);
	ck_assert_str_ne(h.hostname, "");
	ck_assert_str_eq(h.hostname, name);
	ck_assert_str_eq(h.machine, u.machine);
	ck_assert_str_eq(h.kernel, u.release);
	ck_assert_int_ge(h.cpus, 1);
	ck_assert_int_eq(h.cpus, sysconf(_SC_NPROCESSORS_ONLN));

	/* "" is the real system too. */
	ck_assert_int_eq(host_read(&h2, ""), 0);
	ck_assert_str_eq(h2.hostname, h.hostname);
	ck_assert_str_eq(h2.cpu_model, h.cpu_model);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cpu_model_fixtures);
	tcase_add_test(tc, test_fixture_root_keeps_live_fields);
	tcase_add_test(tc, test_real_system);
	tcase_add_test(tc, test_sandbox);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
