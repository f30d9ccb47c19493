/* SPDX-License-Identifier: MIT */
/*
 * The peer of bench/http-rps.sh: the least a libmicrohttpd server can do to
 * answer the way allocbenchd does. It serves constant bodies read from
 * files at start-up, one per URL path, with the daemon's MHD flags (one
 * internal epoll thread) and connection limits and about the same response
 * headers (Content-Type, Cache-Control, X-Content-Type-Options and, when
 * given, ETag; MHD adds Date and Content-Length to both). Each response is
 * created once and queued for every request, on the second call of the
 * access handler like the daemon (the first one only sees the headers).
 * Every other path is 404.
 *
 * Build and run (bench/http-rps.sh does both):
 *
 *   cc -O2 bench/mhd-peer.c $(pkg-config --cflags --libs libmicrohttpd) \
 *       -o /tmp/mhd-peer
 *   /tmp/mhd-peer PATH=FILE=CONTENT-TYPE[=ETAG]...
 *
 * It listens on an ephemeral 127.0.0.1 port, prints "port N" on standard
 * output once it serves, and runs until SIGTERM or SIGINT.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#define AB_PEER_MAX    8
#define AB_CONN_MEMORY (32 * 1024) /* as src/http.c */

struct page {
	const char *path;
	struct MHD_Response *resp;
};

static struct page pages[AB_PEER_MAX];
static int npages;
static struct MHD_Response *not_found;
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The whole of path in a malloc'ed buffer; free with free(3). */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size,
    void **con_cls)
{
	static int seen;
	int i;

	(void)cls;
	(void)method;
	(void)version;
	(void)upload;
	if (*con_cls == NULL) {
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	for (i = 0; i < npages; i++)
		if (strcmp(url, pages[i].path) == 0)
			return MHD_queue_response(c, MHD_HTTP_OK,
			    pages[i].resp);
	return MHD_queue_response(c, MHD_HTTP_NOT_FOUND, not_found);
}

/* PATH=FILE=TYPE[=ETAG] into pages[npages++]; exits on a bad spec. */
static void
add_page(char *spec)
{
	char *path = spec, *file, *type, *etag;
	struct MHD_Response *resp;
	size_t len;
	void *body;

	if (spec == NULL || npages == AB_PEER_MAX ||
	    (file = strchr(path, '=')) == NULL ||
	    (type = strchr(file + 1, '=')) == NULL || path[0] != '/') {
		fprintf(stderr, "usage: mhd-peer PATH=FILE=TYPE[=ETAG]...\n");
		exit(2);
	}
	*file++ = '\0';
	*type++ = '\0';
	if ((etag = strchr(type, '=')) != NULL)
		*etag++ = '\0';
	body = slurp(file, &len);
	resp =
	    MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		fprintf(stderr, "mhd-peer: cannot create a response\n");
		exit(1);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (etag != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS,
	    "nosniff");
	pages[npages].path = path;
	pages[npages++].resp = resp;
}

int
main(int argc, char **argv)
{
	static char nf[] = "{\"error\":\"not found\"}";
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	struct sigaction sa;
	sigset_t block, old;
	int i;

	/* Blocked until sigsuspend, so a signal cannot slip in before it;
	 * MHD's thread, created after this, inherits the mask. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);

	for (i = 1; i < argc; i++)
		add_page(argv[i]);
	if (npages == 0)
		add_page(NULL);
	not_found = MHD_create_response_from_buffer(strlen(nf), nf,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(not_found, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The flags and limits of src/http.c (its defaults). */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	        MHD_USE_ERROR_LOG,
	    0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sin, MHD_OPTION_CONNECTION_TIMEOUT, 15u,
	    MHD_OPTION_CONNECTION_LIMIT, 64u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 16u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)AB_CONN_MEMORY,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "mhd-peer: cannot start libmicrohttpd\n");
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("port %u\n", info != NULL ? info->port : 0);
	fflush(stdout);

	while (!stop)
		sigsuspend(&old);
	MHD_stop_daemon(d);
	for (i = 0; i < npages; i++)
		MHD_destroy_response(pages[i].resp);
	MHD_destroy_response(not_found);
	return 0;
}
