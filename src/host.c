/* SPDX-License-Identifier: MIT */
/*
 * Describes the machine the results come from. Hostname, architecture and
 * kernel come from gethostname(3) and uname(2); the model is the board
 * named by proc(5)'s cpuinfo ("Model") or by the device tree, else the CPU
 * or SoC that cpuinfo names ("model name", "Hardware"). Every
 * file is read below a root prefix so tests can use fixture trees.
 */
#include "config.h"

#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

/*
 * The cpuinfo keys naming the board or CPU, most useful first: a board
 * ("Raspberry Pi 4 Model B Rev 1.4") says more than a core ("ARMv7
 * Processor rev 3 (v7l)") or an SoC ("BCM2835").
 */
static const char *const model_keys[] = {"Model", "model name", "Hardware"};
#define NKEYS (sizeof(model_keys) / sizeof(model_keys[0]))

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Copies s[0..len) to dst without leading and trailing white space. */
static void
copy_trimmed(char *dst, size_t dstlen, const char *s, size_t len)
{
	while (len > 0 && is_blank(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	snprintf(dst, dstlen, "%.*s", (int)len, s);
}

/*
 * Fills model with the first non-empty value of the best key present; a
 * better key seen later replaces a worse one. Returns the index of the key
 * used, or NKEYS when none was found.
 */
static size_t
read_cpuinfo(const char *path, char *model, size_t modellen)
{
	char *line = NULL, *colon, *val;
	size_t cap = 0, i, klen, best = NKEYS;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NKEYS;
	while (best > 0 && getline(&line, &cap, fp) != -1) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		klen = colon - line;
		while (klen > 0 && is_blank(line[klen - 1]))
			klen--;
		for (i = 0; i < best; i++) {
			if (strlen(model_keys[i]) != klen ||
			    strncmp(line, model_keys[i], klen) != 0)
				continue;
			val = colon + 1;
			copy_trimmed(model, modellen, val, strlen(val));
			if (model[0] != '\0')
				best = i;
			break;
		}
	}
	free(line);
	fclose(fp);
	return best;
}

/* The device tree's model is a NUL-terminated string, not a text line. */
static void
read_dt_model(const char *path, char *model, size_t modellen)
{
	char buf[256];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	copy_trimmed(model, modellen, buf, strlen(buf));
}

/* "NoNewPrivs=1 Seccomp=filter CapEff=0" from proc(5)'s status file. */
static void
read_sandbox(const char *root, char *out, size_t outlen)
{
	static const char *const seccomp[] = {"none", "strict", "filter"};
	char path[4096], *line = NULL, nnp[8] = "?", sec[16] = "?",
	                 cap[24] = "?";
	size_t cap_len = 0;
	unsigned long long v;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/proc/self/status", root);
	if ((fp = fopen(path, "r")) != NULL) {
		while (getline(&line, &cap_len, fp) != -1) {
			if (sscanf(line, "NoNewPrivs: %llu", &v) == 1)
				snprintf(nnp, sizeof(nnp), "%llu", v);
			else if (sscanf(line, "Seccomp: %llu", &v) == 1)
				snprintf(sec, sizeof(sec), "%s",
				    v < 3 ? seccomp[v] : "?");
			else if (sscanf(line, "CapEff: %llx", &v) == 1)
				snprintf(cap, sizeof(cap), "%llx", v);
		}
		free(line);
		fclose(fp);
	}
	snprintf(out, outlen, "%s; NoNewPrivs=%s Seccomp=%s CapEff=%s",
	    getenv("INVOCATION_ID") != NULL ? "systemd unit" : "none", nnp, sec,
	    cap);
}

int
host_read(struct host_info *h, const char *root)
{
	struct utsname u;
	char path[4096], board[256] = "";
	long n;
	int len;

	memset(h, 0, sizeof(*h));
	if (root == NULL)
		root = "";

	if (gethostname(h->hostname, sizeof(h->hostname)) == -1)
		h->hostname[0] = '\0';
	h->hostname[sizeof(h->hostname) - 1] = '\0';
	if (uname(&u) == 0) {
		snprintf(h->machine, sizeof(h->machine), "%s", u.machine);
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	}
	if ((n = sysconf(_SC_NPROCESSORS_ONLN)) > 0)
		h->cpus = n;

	read_sandbox(root, h->sandbox, sizeof(h->sandbox));

	len = snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	if (len > 0 && (size_t)len < sizeof(path) &&
	    read_cpuinfo(path, h->cpu_model, sizeof(h->cpu_model)) == 0)
		return 0; /* cpuinfo names the board */
	len = snprintf(path, sizeof(path),
	    "%s/sys/firmware/devicetree/base/model", root);
	if (len > 0 && (size_t)len < sizeof(path))
		read_dt_model(path, board, sizeof(board));
	if (board[0] != '\0')
		snprintf(h->cpu_model, sizeof(h->cpu_model), "%s", board);
	return 0;
}
