/* SPDX-License-Identifier: MIT */
/*
 * Reading members of a cJSON tree that this program built itself (the
 * summary), with NAN and NULL for what is absent: what the table and
 * /metrics are derived from.
 */
#ifndef AB_JSONR_H
#define AB_JSONR_H

#include <cjson/cJSON.h>

/* The number member `key` of o (a number item, or a raw item holding a
 * number's text), or NAN when o or the member is absent or not a number. */
double jsonr_num(const cJSON *o, const char *key);

/* The string member `key` of o, or NULL. The tree owns the string. */
const char *jsonr_str(const cJSON *o, const char *key);

/* Element i of the array member `key` of o, or NAN. */
double jsonr_pair(const cJSON *o, const char *key, int i);

/* 1 when the member `key` of o is true, else 0. */
int jsonr_true(const cJSON *o, const char *key);

#endif
