/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the configuration file: the bytes go to a memfd and
 * conf_load reads them through /proc/self/fd, the same fopen and line
 * reader as the daemon. Besides the sanitizers it checks the contract: a
 * refusal names the file ("PATH: ..." or "PATH:LINE: ..."), and an
 * accepted file leaves a configuration the daemon could run with.
 */
#include "config.h"

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

static void
check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_conf: %s: %s\n", what, detail);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	char err[512];
	size_t plen;
	int rc;

	if (memfd == -1) {
		memfd = memfd_create("allocbenchd.conf", MFD_CLOEXEC);
		check(memfd != -1, "memfd_create", "failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	check(ftruncate(memfd, 0) == 0, "ftruncate", "failed");
	check(pwrite(memfd, data, size, 0) == (ssize_t)size, "pwrite",
	    "short write");

	conf_defaults(&c);
	err[0] = '\0';
	rc = conf_load(&c, path, err, sizeof(err));
	plen = strlen(path);
	if (rc == -1) {
		check(strncmp(err, path, plen) == 0 && err[plen] == ':' &&
		        strlen(err) > plen + 2,
		    "refusal without FILE: or FILE:LINE:", err);
	} else {
		check(rc == 0, "return value", "neither 0 nor -1");
		check(c.listen != NULL && c.interval_s >= 10 && c.window >= 1 &&
		        c.iterations >= 1 &&
		        c.max_per_ip <= c.max_connections && c.timeout_s > 0,
		    "accepted an out-of-range configuration", err);
	}
	conf_free(&c);
	return 0;
}
