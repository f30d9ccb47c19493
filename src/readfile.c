/* SPDX-License-Identifier: MIT */
/*
 * Reading the small text files of /proc and /sys whole, in one place: the
 * host readings, the process metrics and the contention readings all go
 * through here, so fixture trees are read exactly like the real ones.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"

/*
 * Reads a small file into buf as a string without trailing white space.
 * Returns 0, or -1 with errno set (EFBIG when it does not fit in buf).
 */
int
readfile_small(const char *path, char *buf, size_t len)
{
	size_t total = 0;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		n = read(fd, buf + total, len - total);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			(void)close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total == len) {
			(void)close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	(void)close(fd);
	buf[total] = '\0';
	while (total > 0 && strchr(" \t\n\r", buf[total - 1]) != NULL)
		buf[--total] = '\0';
	return 0;
}
