/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the static files: a URL path resolved and opened
 * below a scratch root that holds files, a subdirectory, a hidden file and
 * symbolic links leading out of it (to /etc and to a secret next to the
 * root). Whatever the input, anything files_open_url opens must be a
 * regular file whose real path lies below the root or the vendor root;
 * anything else aborts. The input is tried with openat2 and with the
 * realpath fallback.
 */
#include "config.h"

#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], www[96], vendor[96];
static struct files *with_openat2, *with_realpath;

static void
put(const char *rel, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) < 0 ||
	    fclose(fp) != 0)
		abort();
}

static void
link_to(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) != 0)
		abort();
}

static struct files *
open_roots(void)
{
	char err[256];
	struct files *f = files_open(www, err, sizeof(err));

	if (f == NULL ||
	    files_add_vendor(f, "/vendor/", vendor, err, sizeof(err)) != 0)
		abort();
	return f;
}

static void
setup(void)
{
	char path[160];

	snprintf(root, sizeof(root), "/tmp/abfuzz.XXXXXX");
	if (mkdtemp(root) == NULL)
		abort();
	snprintf(www, sizeof(www), "%s/www", root);
	snprintf(vendor, sizeof(vendor), "%s/vendor", root);
	snprintf(path, sizeof(path), "%s/www/sub", root);
	if (mkdir(www, 0755) != 0 || mkdir(vendor, 0755) != 0 ||
	    mkdir(path, 0755) != 0)
		abort();
	put("secret.txt", "secret\n");
	put("www/index.html", "index\n");
	put("www/sub/page.html", "page\n");
	put("www/.hidden", "hidden\n");
	put("vendor/chart.umd.js", "chart\n");
	link_to("/etc", "www/etc");
	link_to("/etc/passwd", "www/passwd");
	link_to("../secret.txt", "www/up");
	link_to("../../secret.txt", "www/sub/up2");
	link_to("index.html", "www/inner.html");
	with_openat2 = open_roots();
	setenv("AB_TEST_NO_OPENAT2", "1", 1);
	with_realpath = open_roots();
	unsetenv("AB_TEST_NO_OPENAT2");
}

/* Whether real is dir or below it. */
static int
below(const char *real, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(real, dir, n) == 0 && (real[n] == '/' || real[n] == 0);
}

static void
try(struct files *f, const char *url)
{
	char proc[64], real[PATH_MAX], rwww[PATH_MAX], rvendor[PATH_MAX];
	struct files_hit hit;
	struct stat sb;
	ssize_t n;

	if (files_open_url(f, url, &hit) != 0)
		return;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", hit.fd);
	n = readlink(proc, real, sizeof(real) - 1);
	if (n <= 0 || realpath(www, rwww) == NULL ||
	    realpath(vendor, rvendor) == NULL)
		abort();
	real[n] = '\0';
	if (fstat(hit.fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (!below(real, rwww) && !below(real, rvendor))) {
		fprintf(stderr, "fuzz_files: %s opened %s\n", url, real);
		abort();
	}
	close(hit.fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url;

	if (with_openat2 == NULL)
		setup();
	if (size > 4096 || (url = malloc(size + 1)) == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	try(with_openat2, url);
	try(with_realpath, url);
	free(url);
	return 0;
}
