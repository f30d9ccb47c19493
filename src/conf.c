/* SPDX-License-Identifier: MIT */
/*
 * The daemon's configuration: defaults, the INI file and command-line
 * overrides. libinih splits the file into keys; a line reader in front of
 * it numbers the lines, drops indentation (so there are no continuation
 * lines), refuses lines too long for inih's buffer and sees every section
 * header, so that sections without keys are checked too. Every key, from
 * the file or from conf_set, goes through key_apply, so both accept the same
 * values with the same messages; interpreter and allocator entries are
 * checked by the catalogue's own parser on a scratch catalogue. This module
 * never logs and never exits.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "catalog.h"
#include "conf.h"
#include "stats.h"
#include "num.h"
#include "xmalloc.h"

#define TOKEN_MIN   16
#define TOKEN_MAX   4096 /* longest credential file read */
#define CRED_TOKEN  "api_token"
#define WANT_LISTEN "(want ADDR:PORT or [ADDR6]:PORT)"

enum sect {
	SECT_NONE, /* before the first header */
	SECT_BAD,  /* a header that was refused */
	SECT_DAEMON,
	SECT_WORKLOAD,
	SECT_INTERP,
	SECT_ALLOC,
};

enum vtype {
	V_LONG,
	V_DOUBLE,
	V_BOOL,
	V_LISTEN,
	V_DIR,   /* absolute path */
	V_ROOT,  /* "" or an absolute path */
	V_TOKEN, /* "" disables */
	V_COMMAND,
	V_ENV,
	V_LIBRARY,
	V_ENABLED,
};

struct key {
	enum sect sect;
	const char *name;
	enum vtype type;
	size_t off; /* of the field in struct conf */
	double min, max;
};

#define F(field) offsetof(struct conf, field)

static const struct key keys[] = {
    {SECT_DAEMON, "listen", V_LISTEN, F(listen), 0, 0},
    {SECT_DAEMON, "state_dir", V_DIR, F(state_dir), 0, 0},
    {SECT_DAEMON, "www_dir", V_DIR, F(www_dir), 0, 0},
    {SECT_DAEMON, "interval", V_LONG, F(interval_s), 10, 604800},
    {SECT_DAEMON, "window", V_LONG, F(window), 1, 100},
    {SECT_DAEMON, "retention_days", V_LONG, F(retention_days), 1, 3650},
    {SECT_DAEMON, "history_max_mb", V_LONG, F(history_max_mb), 1, 100000},
    {SECT_DAEMON, "api_token", V_TOKEN, F(api_token), 0, 0},
    {SECT_DAEMON, "max_load", V_DOUBLE, F(max_load), 0, 1000},
    {SECT_DAEMON, "max_runq", V_DOUBLE, F(max_runq), 0, 1},
    {SECT_DAEMON, "margin", V_DOUBLE, F(margin), 0.001, 0.5},
    {SECT_DAEMON, "include_flagged", V_BOOL, F(include_flagged), 0, 0},
    {SECT_DAEMON, "max_connections", V_LONG, F(max_connections), 1, 10000},
    {SECT_DAEMON, "max_per_ip", V_LONG, F(max_per_ip), 1, 10000},
    {SECT_DAEMON, "connection_timeout", V_LONG, F(conn_timeout_s), 1, 3600},
    {SECT_DAEMON, "host_root", V_ROOT, F(host_root), 0, 0},
    {SECT_WORKLOAD, "iterations", V_LONG, F(iterations), 1, 1000000000},
    {SECT_WORKLOAD, "warmup", V_LONG, F(warmup), 0, 100},
    {SECT_WORKLOAD, "timeout", V_DOUBLE, F(timeout_s), 0.1, 86400},
    {SECT_INTERP, "command", V_COMMAND, 0, 0, 0},
    {SECT_INTERP, "env", V_ENV, 0, 0, 0},
    {SECT_ALLOC, "library", V_LIBRARY, 0, 0, 0},
    {SECT_ALLOC, "enabled", V_ENABLED, 0, 0, 0},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* A parsed section header. */
struct section {
	enum sect kind;
	char *name; /* NAME of [interpreter NAME] or [allocator NAME] */
	char *disp; /* as shown in messages: "daemon", "interpreter py3" */
};

/* State of one conf_load: the reader and the key handler share it. */
struct loader {
	struct conf *c;
	const char *path;
	FILE *fp;
	char *buf; /* getline's */
	size_t bufsize;
	int lineno;
	int failed;
	int errline; /* 0: the error is about the whole file */
	char err[512];
	struct section sect;
	int sect_line;
	char **seen; /* "[interpreter NAME]" headers and "SECTION\nKEY" keys */
	size_t nseen;
	int conn_line; /* where max_connections and max_per_ip were set */
	int perip_line;
};

/* Fills c with the documented defaults. */
void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->listen = xstrdup("127.0.0.1:8080");
	c->interval_s = 600;
	c->window = 30;
	c->retention_days = 90;
	c->history_max_mb = 64;
	c->max_load = 0;
	c->max_runq = AB_MAX_RUNQ_DEFAULT;
	c->margin = AB_MARGIN_DEFAULT;
	c->include_flagged = 0;
	c->max_connections = 32;
	c->max_per_ip = 16;
	c->conn_timeout_s = 15;
	c->host_root = xstrdup("");
	c->iterations = 2000000;
	c->warmup = 1;
	c->timeout_s = 600;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
strv_add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

static int
strv_has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Frees what c owns and zeroes it, so a second conf_free does nothing. */
void
conf_free(struct conf *c)
{
	free(c->listen);
	free(c->state_dir);
	free(c->www_dir);
	free(c->api_token);
	free(c->host_root);
	strv_free(c->interpreters, c->ninterpreters);
	strv_free(c->allocators, c->nallocators);
	strv_free(c->disabled, c->ndisabled);
	memset(c, 0, sizeof(*c));
}

/*
 * Splits ADDR:PORT or [ADDR6]:PORT; only numeric addresses (inet_pton) and
 * decimal ports 0-65535 pass. addr and port are untouched on failure.
 */
int
conf_parse_listen(const char *listen, char *addr, size_t addrlen,
    unsigned *port, char *err, size_t errlen)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char host[INET6_ADDRSTRLEN + 1], msg[128];
	const char *h, *colon, *p;
	size_t hlen;
	int family;
	long v;

	if (listen == NULL || *listen == '\0') {
		snprintf(err, errlen, "empty address " WANT_LISTEN);
		return -1;
	}
	if (*listen == '[') {
		family = AF_INET6;
		h = listen + 1;
		if ((p = strchr(h, ']')) == NULL) {
			snprintf(err, errlen, "'%s' has no closing ']'",
			    listen);
			return -1;
		}
		hlen = p - h;
		colon = p + 1;
		if (*colon != ':') {
			snprintf(err, errlen, "'%s' has no port " WANT_LISTEN,
			    listen);
			return -1;
		}
	} else {
		family = AF_INET;
		h = listen;
		if ((colon = strchr(listen, ':')) == NULL) {
			snprintf(err, errlen, "'%s' has no port " WANT_LISTEN,
			    listen);
			return -1;
		}
		if (strchr(colon + 1, ':') != NULL) {
			snprintf(err, errlen,
			    "'%s': an IPv6 address goes in brackets, as in "
			    "[::1]:8080",
			    listen);
			return -1;
		}
		hlen = colon - listen;
	}
	if (hlen < sizeof(host)) {
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	}
	if (hlen >= sizeof(host) || inet_pton(family, host, bin) != 1) {
		if (family == AF_INET)
			snprintf(err, errlen,
			    "'%.*s' is not a numeric IPv4 address (host names "
			    "are not resolved)",
			    (int)hlen, h);
		else
			snprintf(err, errlen,
			    "'%.*s' is not a numeric IPv6 address", (int)hlen,
			    h);
		return -1;
	}
	p = colon + 1;
	if (*p == '\0' || p[strspn(p, "0123456789")] != '\0') {
		snprintf(err, errlen, "port '%s' is not a number", p);
		return -1;
	}
	if (num_parse_long(p, 0, 65535, &v, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "port %s", msg);
		return -1;
	}
	if (hlen >= addrlen) {
		snprintf(err, errlen, "address '%s' does not fit in %zu bytes",
		    host, addrlen);
		return -1;
	}
	memcpy(addr, host, hlen + 1);
	*port = (unsigned)v;
	return 0;
}

static void
section_free(struct section *s)
{
	free(s->name);
	free(s->disp);
	memset(s, 0, sizeof(*s));
}

/*
 * Parses the text between the brackets of a header ("daemon",
 * "interpreter py3"); conf_set takes the same form.
 */
static int
section_parse(const char *text, size_t len, struct section *s, char *err,
    size_t errlen)
{
	static const struct {
		const char *word;
		enum sect kind;
		int named;
	} kinds[] = {
	    {"daemon", SECT_DAEMON, 0},
	    {"workload", SECT_WORKLOAD, 0},
	    {"interpreter", SECT_INTERP, 1},
	    {"allocator", SECT_ALLOC, 1},
	};
	size_t i, wlen, nlen;
	const char *name;

	memset(s, 0, sizeof(*s));
	while (len > 0 && isspace((unsigned char)*text))
		text++, len--;
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	for (wlen = 0; wlen < len && !isspace((unsigned char)text[wlen]);
	     wlen++)
		;
	name = text + wlen;
	nlen = len - wlen;
	while (nlen > 0 && isspace((unsigned char)*name))
		name++, nlen--;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].word) != wlen ||
		    strncmp(kinds[i].word, text, wlen) != 0)
			continue;
		if (!kinds[i].named && nlen > 0)
			break;
		if (kinds[i].named && nlen == 0) {
			snprintf(err, errlen, "[%s] needs a name",
			    kinds[i].word);
			return -1;
		}
		/* '=' and ',' would change the meaning of a catalogue spec. */
		if (memchr(name, '=', nlen) != NULL ||
		    memchr(name, ',', nlen) != NULL) {
			snprintf(err, errlen,
			    "%s '%.*s': name may only hold letters, digits "
			    "and ._+-",
			    kinds[i].word, (int)nlen, name);
			return -1;
		}
		s->kind = kinds[i].kind;
		if (kinds[i].named) {
			s->name = xstrndup(name, nlen);
			s->disp = xasprintf("%s %s", kinds[i].word, s->name);
		} else
			s->disp = xstrdup(kinds[i].word);
		return 0;
	}
	snprintf(err, errlen, "unknown section [%.*s]", (int)len, text);
	return -1;
}

static const struct key *
key_find(enum sect sect, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].sect == sect && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Index of the catalogue spec of name ("NAME=...", "NAME,..." or "NAME"). */
static size_t
spec_find(char *const *specs, size_t n, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < n; i++)
		if (strncmp(specs[i], name, len) == 0 &&
		    strchr("=,", specs[i][len]) != NULL)
			return i;
	return n;
}

/* Checks spec with the catalogue's parser, as the command line does. */
static int
spec_check(int interp, const char *spec, char *err, size_t errlen)
{
	struct catalog cat;
	int rc;

	catalog_init(&cat);
	if (interp)
		rc = catalog_add_interpreter(&cat, spec, err, errlen);
	else
		rc = catalog_add_allocator(&cat, spec, err, errlen);
	catalog_free(&cat);
	return rc;
}

/* Validates spec (which it takes) and stores it as name's entry. */
static int
spec_commit(char ***specs, size_t *n, int interp, const char *name, char *spec,
    char *err, size_t errlen)
{
	size_t i;

	if (spec_check(interp, spec, err, errlen) == -1) {
		free(spec);
		return -1;
	}
	if ((i = spec_find(*specs, *n, name)) < *n) {
		free((*specs)[i]);
		(*specs)[i] = spec;
	} else
		strv_add(specs, n, spec);
	return 0;
}

/* Adds "NAME=NAME" for [interpreter NAME] unless c has NAME already. */
static int
interp_ensure(struct conf *c, const char *name, char *err, size_t errlen)
{
	if (spec_find(c->interpreters, c->ninterpreters, name) <
	    c->ninterpreters)
		return 0;
	return spec_commit(&c->interpreters, &c->ninterpreters, 1, name,
	    xasprintf("%s=%s", name, name), err, errlen);
}

static int
alloc_builtin(const char *name)
{
	struct catalog cat;
	size_t i;
	int found = 0;

	catalog_init(&cat);
	for (i = 0; i < cat.nallocs; i++)
		if (strcmp(cat.allocs[i].name, name) == 0)
			found = 1;
	catalog_free(&cat);
	return found;
}

/* The catalogue's rules for allocator names. */
static int
alloc_name_check(const char *name, char *err, size_t errlen)
{
	char *spec;
	int rc;

	if (alloc_builtin(name))
		return 0;
	spec = xasprintf("%s=/", name);
	rc = spec_check(0, spec, err, errlen);
	free(spec);
	return rc;
}

static int
apply_enabled(struct conf *c, const char *name, const char *value, char *err,
    size_t errlen)
{
	size_t i;
	int on;

	if (parse_bool(value, &on) == -1) {
		snprintf(err, errlen, "enabled: '%s' is not a boolean", value);
		return -1;
	}
	if (alloc_name_check(name, err, errlen) == -1)
		return -1;
	if (!on && strcmp(name, AB_BASELINE) == 0) {
		snprintf(err, errlen,
		    "enabled: %s cannot be disabled: it is the baseline",
		    AB_BASELINE);
		return -1;
	}
	for (i = 0; i < c->ndisabled; i++)
		if (strcmp(c->disabled[i], name) == 0)
			break;
	if (!on && i == c->ndisabled)
		strv_add(&c->disabled, &c->ndisabled, xstrdup(name));
	else if (on && i < c->ndisabled) {
		free(c->disabled[i]);
		memmove(&c->disabled[i], &c->disabled[i + 1],
		    (c->ndisabled - i - 1) * sizeof(*c->disabled));
		c->ndisabled--;
	}
	return 0;
}

/* Checks a string value; 0 when it may be stored. */
static int
check_string(const struct key *k, const char *value, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN], msg[256];
	unsigned port;
	const char *p;

	switch (k->type) {
	case V_LISTEN:
		if (conf_parse_listen(value, addr, sizeof(addr), &port, msg,
		        sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s: %s", k->name, msg);
			return -1;
		}
		return 0;
	case V_ROOT:
		if (*value == '\0')
			return 0;
		/* FALLTHROUGH */
	case V_DIR:
		if (*value != '/') {
			snprintf(err, errlen,
			    "%s: '%s' is not an absolute path", k->name, value);
			return -1;
		}
		return 0;
	case V_TOKEN:
		/* The token is a secret: messages never show it. */
		if (*value == '\0')
			return 0;
		for (p = value; *p != '\0'; p++) {
			if (*p <= ' ' || *p > '~') {
				snprintf(err, errlen,
				    "%s: must be printable ASCII without spaces",
				    k->name);
				return -1;
			}
		}
		if (p - value < TOKEN_MIN) {
			snprintf(err, errlen,
			    "%s: must be at least %d characters", k->name,
			    TOKEN_MIN);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/*
 * Sets key k of section name (NULL for [daemon] and [workload]) from value.
 * Returns 0, or -1 with "KEY: why" or the catalogue's message in err and c
 * unchanged.
 */
static int
key_apply(struct conf *c, const struct key *k, const char *name,
    const char *value, char *err, size_t errlen)
{
	char msg[128], **str, *spec;
	const char *old;
	double d;
	size_t i;
	long v;
	int b;

	switch (k->type) {
	case V_LONG:
		if (num_parse_long(value, (long)k->min, (long)k->max, &v, msg,
		        sizeof(msg)) == -1)
			goto num_fail;
		*(long *)(void *)((char *)c + k->off) = v;
		return 0;
	case V_DOUBLE:
		if (num_parse_double(value, k->min, k->max, &d, msg,
		        sizeof(msg)) == -1)
			goto num_fail;
		*(double *)(void *)((char *)c + k->off) = d;
		return 0;
	case V_BOOL:
		if (parse_bool(value, &b) == -1) {
			snprintf(err, errlen, "%s: '%s' is not a boolean",
			    k->name, value);
			return -1;
		}
		*(int *)(void *)((char *)c + k->off) = b;
		return 0;
	case V_LISTEN:
	case V_DIR:
	case V_ROOT:
	case V_TOKEN:
		if (check_string(k, value, err, errlen) == -1)
			return -1;
		str = (char **)(void *)((char *)c + k->off);
		free(*str);
		*str = k->type == V_TOKEN && *value == '\0' ? NULL
		                                            : xstrdup(value);
		return 0;
	case V_COMMAND:
	case V_ENV:
		if (strchr(value, ',') != NULL) {
			snprintf(err, errlen, "%s: '%s' must not contain ','",
			    k->name, value);
			return -1;
		}
		i = spec_find(c->interpreters, c->ninterpreters, name);
		old = i < c->ninterpreters ? c->interpreters[i] : NULL;
		if (k->type == V_COMMAND)
			spec = xasprintf("%s=%s%s", name, value,
			    old != NULL ? old + strcspn(old, ",") : "");
		else if (old != NULL)
			spec = xasprintf("%s,%s", old, value);
		else
			spec = xasprintf("%s=%s,%s", name, name, value);
		return spec_commit(&c->interpreters, &c->ninterpreters, 1, name,
		    spec, err, errlen);
	case V_LIBRARY:
		return spec_commit(&c->allocators, &c->nallocators, 0, name,
		    xasprintf("%s=%s", name, value), err, errlen);
	case V_ENABLED:
		return apply_enabled(c, name, value, err, errlen);
	}
	return 0;
num_fail:
	snprintf(err, errlen, "%s: %s", k->name, msg);
	return -1;
}

/*
 * Sets one key from the command line or a caller; the same checks and
 * messages as the file, without FILE:LINE. On failure c is unchanged.
 * Checks that span keys (max_per_ip <= max_connections, an [allocator]
 * without a library) are conf_load's.
 */
int
conf_set(struct conf *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct section s;
	const struct key *k;
	int rc = -1;

	if (value == NULL)
		value = "";
	if (section_parse(section, strlen(section), &s, err, errlen) == -1)
		return -1;
	if ((k = key_find(s.kind, key)) == NULL) {
		snprintf(err, errlen, "unknown key '%s' in [%s]", key, s.disp);
		goto out;
	}
	rc = key_apply(c, k, s.name, value, err, errlen);
out:
	section_free(&s);
	return rc;
}

static void __attribute__((format(printf, 3, 4)))
fail(struct loader *l, int line, const char *fmt, ...)
{
	va_list ap;

	if (l->failed)
		return;
	l->failed = 1;
	l->errline = line;
	va_start(ap, fmt);
	vsnprintf(l->err, sizeof(l->err), fmt, ap);
	va_end(ap);
}

/* The checks that need the whole section; then forgets it. */
static void
section_end(struct loader *l)
{
	const struct section *s = &l->sect;
	const struct conf *c = l->c;

	if (s->kind == SECT_ALLOC && !alloc_builtin(s->name) &&
	    spec_find(c->allocators, c->nallocators, s->name) == c->nallocators)
		fail(l, l->sect_line,
		    "[allocator %s] needs a library (it is not built in)",
		    s->name);
	section_free(&l->sect);
}

static void
section_begin(struct loader *l, const char *text, size_t len)
{
	char msg[sizeof(l->err)], *id;

	section_end(l);
	l->sect.kind = SECT_BAD;
	if (l->failed)
		return;
	if (section_parse(text, len, &l->sect, msg, sizeof(msg)) == -1) {
		fail(l, l->lineno, "%s", msg);
		l->sect.kind = SECT_BAD;
		return;
	}
	l->sect_line = l->lineno;
	if (l->sect.kind != SECT_INTERP && l->sect.kind != SECT_ALLOC)
		return;
	id = xasprintf("[%s]", l->sect.disp);
	if (strv_has(l->seen, l->nseen, id)) {
		fail(l, l->lineno, "%s appears twice", id);
		free(id);
		section_free(&l->sect);
		l->sect.kind = SECT_BAD;
		return;
	}
	strv_add(&l->seen, &l->nseen, id);
	if ((l->sect.kind == SECT_INTERP &&
	        interp_ensure(l->c, l->sect.name, msg, sizeof(msg)) == -1) ||
	    (l->sect.kind == SECT_ALLOC &&
	        alloc_name_check(l->sect.name, msg, sizeof(msg)) == -1)) {
		fail(l, l->lineno, "%s", msg);
		section_free(&l->sect);
		l->sect.kind = SECT_BAD;
	}
}

/*
 * A header as inih sees it: '[' up to the first ']' that is not inside an
 * inline comment. Without such a ']' inih reports the syntax error itself.
 * Text after the ']' other than a comment is refused here.
 */
static void
header_line(struct loader *l, const char *line)
{
	const char *p = line + 1, *rest;
	int was_space = 0;

	while (*p != '\0' && *p != ']' && !(was_space && *p == ';')) {
		was_space = isspace((unsigned char)*p);
		p++;
	}
	if (*p != ']')
		return;
	for (rest = p + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		section_end(l);
		fail(l, l->lineno, "syntax error");
		l->sect.kind = SECT_BAD;
		return;
	}
	section_begin(l, line + 1, p - (line + 1));
}

/* inih's reader (fgets-like): one line into str, at most num - 1 bytes. */
static char *
read_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	ssize_t n;
	size_t len;
	char *s;

	if (num < 1)
		return NULL;
	errno = 0;
	if ((n = getline(&l->buf, &l->bufsize, l->fp)) == -1) {
		if (ferror(l->fp))
			fail(l, 0, "%s", strerror(errno != 0 ? errno : EIO));
		return NULL;
	}
	l->lineno++;
	s = l->buf;
	len = n;
	if (memchr(s, '\0', len) != NULL) {
		/* inih would stop at it and never see the rest of the line */
		fail(l, l->lineno, "NUL byte in line");
		len = 0;
	}
	if (l->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3, len -= 3;
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	if (len > (size_t)num - 1) {
		fail(l, l->lineno, "line longer than %d characters", num - 1);
		len = 0;
	}
	memcpy(str, s, len);
	str[len] = '\0';
	if (len > 0 && str[0] == '[')
		header_line(l, str);
	return str;
}

/* inih's handler: one key of the current section. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const struct key *k;
	char msg[sizeof(l->err)], *id;

	(void)section; /* the reader tracks sections, keyless ones included */
	if (l->failed || l->sect.kind == SECT_BAD)
		return 1;
	if (l->sect.kind == SECT_NONE) {
		fail(l, l->lineno, "key '%s' is outside any [section]", name);
		return 0;
	}
	if ((k = key_find(l->sect.kind, name)) == NULL) {
		fail(l, l->lineno, "unknown key '%s' in [%s]", name,
		    l->sect.disp);
		return 0;
	}
	if (k->type != V_ENV) {
		id = xasprintf("%s\n%s", l->sect.disp, name);
		if (strv_has(l->seen, l->nseen, id)) {
			free(id);
			fail(l, l->lineno, "duplicate key '%s' in [%s]", name,
			    l->sect.disp);
			return 0;
		}
		strv_add(&l->seen, &l->nseen, id);
	}
	if (key_apply(l->c, k, l->sect.name, value, msg, sizeof(msg)) == -1) {
		fail(l, l->lineno, "%s", msg);
		return 0;
	}
	if (strcmp(k->name, "max_connections") == 0)
		l->conn_line = l->lineno;
	else if (strcmp(k->name, "max_per_ip") == 0)
		l->perip_line = l->lineno;
	return 1;
}

/*
 * Reads path on top of c. The first error by line number wins, whether
 * inih or a key check found it. On failure c may hold part of the file:
 * callers load into a fresh conf_defaults copy and swap on success.
 */
int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	struct loader l;
	int ret, rc = -1;

	memset(&l, 0, sizeof(l));
	l.c = c;
	l.path = path;
	if ((l.fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = ini_parse_stream(read_line, &l, on_key, &l);
	section_end(&l);
	if (ret == 0 && c->max_per_ip > c->max_connections)
		fail(&l,
		    l.conn_line > l.perip_line ? l.conn_line : l.perip_line,
		    "max_per_ip (%ld) exceeds max_connections (%ld)",
		    c->max_per_ip, c->max_connections);

	if (l.failed && l.errline == 0)
		snprintf(err, errlen, "%s: %s", path, l.err);
	else if (ret > 0 && (!l.failed || ret < l.errline))
		snprintf(err, errlen, "%s:%d: syntax error", path, ret);
	else if (ret < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
	else if (l.failed)
		snprintf(err, errlen, "%s:%d: %s", path, l.errline, l.err);
	else
		rc = 0;

	section_free(&l.sect);
	strv_free(l.seen, l.nseen);
	free(l.buf);
	fclose(l.fp);
	return rc;
}

/*
 * Reads CREDENTIALS_DIR/api_token into c->api_token through key_apply, so
 * that the credential passes the same checks as the file's key. The token
 * is a secret: messages name the file, never its content.
 */
int
conf_load_credentials(struct conf *c, const char *credentials_dir, char *err,
    size_t errlen)
{
	const struct key *k = key_find(SECT_DAEMON, CRED_TOKEN);
	char buf[TOKEN_MAX + 2], msg[256], *path = NULL;
	FILE *fp = NULL;
	size_t n;
	int rc = -1;

	if (credentials_dir == NULL || *credentials_dir == '\0')
		return 0;
	path = xasprintf("%s/%s", credentials_dir, CRED_TOKEN);
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT) {
			rc = 0;
			goto out;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	errno = 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path,
		    strerror(errno != 0 ? errno : EIO));
		goto out;
	}
	if (n > TOKEN_MAX) {
		snprintf(err, errlen, "%s: longer than %d bytes", path,
		    TOKEN_MAX);
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "%s: empty", path);
		goto out;
	}
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen,
		    "%s: %s: must be printable ASCII without spaces", path,
		    CRED_TOKEN);
		goto out;
	}
	if (key_apply(c, k, NULL, buf, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "%s: %s", path, msg);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	if (fp != NULL)
		fclose(fp);
	free(path);
	return rc;
}
