/* SPDX-License-Identifier: MIT */
/*
 * What machine the results were measured on: hostname, architecture,
 * kernel, CPU model and count. Files are read through a root prefix so tests
 * can point the real code at fixture trees (e.g. a Raspberry Pi's).
 */
#ifndef AB_HOST_H
#define AB_HOST_H

struct host_info {
	char hostname[256];
	char machine[65];    /* uname -m */
	char kernel[256];    /* uname -r */
	char cpu_model[256]; /* "" when unknown */
	long cpus;           /* online CPUs */
	char sandbox[192];   /* how this process is confined, see below */
};

/*
 * Fills *h. sandbox records the confinement the results are measured under:
 * "systemd unit" when started by systemd (INVOCATION_ID), else "none",
 * followed by the kernel's view from ROOT/proc/self/status, e.g.
 * "systemd unit; NoNewPrivs=1 Seccomp=filter CapEff=0". root ("" or NULL for
 * the real system) prefixes every file read. cpu_model is the board from
 * ROOT/proc/cpuinfo's "Model", else from
 * ROOT/sys/firmware/devicetree/base/model, else cpuinfo's "model name",
 * else its "Hardware".
 * Returns 0; fields that cannot be read are left empty.
 */
int host_read(struct host_info *h, const char *root);

#endif
