/* SPDX-License-Identifier: MIT */
/*
 * The process part of /metrics: CPU time, memory, descriptors and start
 * time of allocbenchd itself.
 */
#ifndef AB_SELFSTAT_H
#define AB_SELFSTAT_H

#include "buf.h"

/*
 * Appends the allocbench_process_* families (Prometheus text format 0.0.4)
 * for the calling process to b; each family is left out when its source
 * cannot be read.
 */
void selfstat_metrics(struct ab_buf *b);

#endif
