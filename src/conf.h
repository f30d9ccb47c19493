/* SPDX-License-Identifier: MIT */
/*
 * The daemon's configuration: defaults, the INI file (libinih) with
 * sections [daemon], [workload], [interpreter NAME] and [allocator NAME],
 * and command-line overrides, all validated by one function per key. This
 * module never logs and never exits: errors are "FILE:LINE: message" in the
 * caller's buffer.
 */
#ifndef AB_CONF_H
#define AB_CONF_H

#include <stddef.h>

#define AB_EX_CONFIG 78 /* sysexits.h EX_CONFIG */

/* Default max_runq: a run that waited for the CPU for more than this
 * fraction of its wall time is flagged contended. */
#define AB_MAX_RUNQ_DEFAULT 0.10

struct conf {
	/* [daemon] */
	char *listen;    /* "ADDR:PORT" or "[ADDR6]:PORT"; 127.0.0.1:8080 */
	char *state_dir; /* NULL: $STATE_DIRECTORY, else /var/lib/allocbench */
	char *www_dir;   /* default: $(pkgdatadir)/www */
	long interval_s; /* 600; seconds between round starts */
	long window;     /* 30; newest verified runs per variant in stats */
	long retention_days;  /* 90 */
	long history_max_mb;  /* 64; size cap of the history file */
	char *api_token;      /* NULL: POST /api/v1/rounds is refused (403) */
	double max_load;      /* flag runs starting above this 1-min load;
	                         0 (the default) disables */
	double max_runq;      /* flag runs whose run-queue delay is above this
	                         fraction of wall time; AB_MAX_RUNQ_DEFAULT;
	                         0 disables */
	double margin;        /* equivalence margin, AB_MARGIN_DEFAULT (2%) */
	int include_flagged;  /* 0: flagged runs stay out of the stats */
	long max_connections; /* 32 */
	long max_per_ip;      /* 16 */
	long conn_timeout_s;  /* 15 */
	char *host_root;      /* "" ; prefix for /sys and /proc readings */
	/* [workload] */
	long iterations;  /* 2000000 */
	long warmup;      /* 1; discarded runs per variant per round */
	double timeout_s; /* 600 */
	/* [interpreter NAME]: catalog specs "NAME=COMMAND[,K=V...]" */
	char **interpreters;
	size_t ninterpreters;
	/* [allocator NAME]: catalog specs "NAME=PATH" */
	char **allocators;
	size_t nallocators;
	/* [allocator NAME] enabled = no: names left out of the catalogue */
	char **disabled;
	size_t ndisabled;
};

/* Fills c with the defaults above; free with conf_free. */
void conf_defaults(struct conf *c);

/*
 * Reads the INI file at path into c (on top of what c holds). Returns 0, or
 * -1 with "PATH:LINE: message" in err (unknown section or key, bad value,
 * duplicate key or section name, unreadable file). On error c may hold
 * part of the file: load into a scratch conf and swap on success.
 */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);

/*
 * Sets one key as the file would (section "daemon", "workload",
 * "interpreter NAME" or "allocator NAME"); used for command-line overrides
 * too. Returns 0, or -1 with a message (no file or line) in err.
 */
int conf_set(struct conf *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen);

/*
 * Splits "ADDR:PORT" / "[ADDR6]:PORT" into a numeric address and a port
 * (0-65535). Returns 0, or -1 with a message in err.
 */
int conf_parse_listen(const char *listen, char *addr, size_t addrlen,
    unsigned *port, char *err, size_t errlen);

/*
 * Reads the systemd credentials the daemon understands from
 * credentials_dir ($CREDENTIALS_DIRECTORY; see systemd.exec(5),
 * LoadCredential=): "api_token" sets api_token, overriding the file. A NULL
 * or empty directory, or one without the credential, leaves c as it is.
 * Trailing newlines are dropped; otherwise the token is checked as the
 * file's api_token is. Returns 0, or -1 with "PATH: message" in err (never
 * the token itself) and c unchanged.
 */
int conf_load_credentials(struct conf *c, const char *credentials_dir,
    char *err, size_t errlen);

/* Frees what c owns; conf_free on a zeroed config is a no-op. */
void conf_free(struct conf *c);

#endif
