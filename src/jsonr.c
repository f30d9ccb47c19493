/* SPDX-License-Identifier: MIT */
/*
 * Lenient reads of members of the program's own cJSON trees: an absent or
 * mistyped member is NAN or NULL, never an error, so that derived documents
 * simply leave out what the tree does not hold.
 */
#include "config.h"

#include <math.h>

#include "jsonr.h"

double
jsonr_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
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

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int
jsonr_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}
