/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef AB_PROC_H
#define AB_PROC_H
#endif
