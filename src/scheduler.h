/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef AB_SCHEDULER_H
#define AB_SCHEDULER_H
#endif
