/* SPDX-License-Identifier: MIT */
/*
 * Lenient reads of members of the program's own cJSON trees: an absent or
 * mistyped member is NAN or NULL, never an error, so that derived documents
 * simply leave out what the tree does not hold.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "jsonr.h"

/* A number item, or a raw item holding a number's exact text. */
static double
item_num(const cJSON *v)
{
	char *end;
	double d;

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (!cJSON_IsRaw(v) || v->valuestring == NULL)
		return NAN;
	d = strtod(v->valuestring, &end);
	return *end == '\0' && end != v->valuestring ? d : NAN;
}

double
jsonr_num(const cJSON *o, const char *key)
{
	return item_num(cJSON_GetObjectItemCaseSensitive(o, key));
}

const char *
jsonr_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
jsonr_pair(const cJSON *o, const char *key, int i)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	const cJSON *v = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, i) : NULL;

	return item_num(v);
}

int
jsonr_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}
