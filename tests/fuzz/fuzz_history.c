/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for one line of history.jsonl, read as the store reads
 * it: NUL-terminated at the first newline, cJSON with nothing after the
 * document, then rundoc_read. A line that reads as a run must round-trip:
 * rundoc_write writes one line (no newline or NUL inside), the same bytes
 * as printing run_to_json's tree, that reads back to a run which writes the
 * same bytes again and compares equal as a cJSON tree.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "run.h"
#include "run_tree.h"
#include "rundoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_history: %s: %.300s\n", what, detail);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ab_buf first = AB_BUF_INIT, second = AB_BUF_INIT;
	struct run a, b;
	cJSON *doc, *back, *ta = NULL, *tb = NULL;
	char *line, *printed, err[256];
	const uint8_t *nl;
	int rc;

	if ((nl = memchr(data, '\n', size)) != NULL)
		size = (size_t)(nl - data);
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	doc = cJSON_ParseWithOpts(line, NULL, 1);
	free(line);
	if (doc == NULL)
		return 0;

	err[0] = '\0';
	rc = rundoc_read(doc, &a, err, sizeof(err));
	cJSON_Delete(doc);
	if (rc != 0) {
		check(rc == -1 || rc == -2, "return value", "not 0, -1 or -2");
		check(err[0] != '\0', "refused without a reason", "");
		return 0;
	}

	rundoc_write(&first, &a);
	check(first.len == strlen(first.p), "NUL inside the line", first.p);
	check(memchr(first.p, '\n', first.len) == NULL, "newline inside",
	    first.p);
	back = cJSON_ParseWithOpts(first.p, NULL, 1);
	check(back != NULL, "wrote a line that is not JSON", first.p);
	rc = rundoc_read(back, &b, err, sizeof(err));
	cJSON_Delete(back);
	check(rc == 0, "wrote a line that does not read back", err);
	rundoc_write(&second, &b);
	check(first.len == second.len &&
	        memcmp(first.p, second.p, first.len) == 0,
	    "written, read and written again differs", second.p);
	ta = run_to_json(&a);
	tb = run_to_json(&b);
	check(cJSON_Compare(ta, tb, 1), "the runs differ", first.p);
	printed = cJSON_PrintUnformatted(ta);
	check(printed != NULL && strcmp(printed, first.p) == 0,
	    "rundoc_write differs from printing run_to_json", first.p);
	cJSON_free(printed);

	cJSON_Delete(ta);
	cJSON_Delete(tb);
	run_clear(&a);
	run_clear(&b);
	ab_buf_free(&first);
	ab_buf_free(&second);
	return 0;
}
