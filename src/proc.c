/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "config.h"

#include "proc.h"
