/* SPDX-License-Identifier: MIT */
/*
 * Host readings around each run: CPU temperature, CPU frequency, load
 * average and, on a Raspberry Pi, the firmware's throttle and under-voltage
 * bits. Every file is read below one root prefix so the tests can hand
 * Raspberry Pi fixture trees to the real code.
 */
#ifndef AB_HOSTMON_H
#define AB_HOSTMON_H

#include "run.h"

/*
 * Fills *out (unknown fields stay NAN / -1). root ("" or NULL = the real
 * system) prefixes every path:
 *   ROOT/sys/class/thermal/thermal_zone* /temp   millidegrees; the hottest
 *   ROOT/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq   kHz
 *   ROOT/proc/loadavg                            first field
 *   ROOT/sys/devices/platform/soc/soc:firmware/get_throttled   hex bits
 * When get_throttled is absent and `vcgencmd` is non-NULL, runs
 * `vcgencmd get_throttled` (output "throttled=0x50000") with a 2 s timeout.
 * Never fails.
 */
void hostmon_read(const char *root, const char *vcgencmd,
    struct host_reading *out);

/*
 * Runs `vcgencmd ARG` as a child (stdin and stderr on /dev/null, its own
 * process group, killed with the group after 2 s) and leaves what it
 * printed on stdout in out, cut to outlen - 1 bytes, without trailing white
 * space. Returns 0 when it exited with status 0, else -1 (out unspecified).
 */
int hostmon_vcgencmd_run(const char *vcgencmd, const char *arg, char *out,
    size_t outlen);

/* Path of vcgencmd if it is installed (/usr/bin, /opt/vc/bin), else NULL. */
const char *hostmon_vcgencmd(void);

/*
 * RUN_FLAG_* for a run given its readings: RUN_FLAG_UNDER_VOLTAGE when
 * either reading has the under-voltage bit set (0x1) or the under-voltage
 * bits (0x10001) changed between them; RUN_FLAG_THROTTLED likewise for the
 * other conditions (0x0e now: frequency capped, throttled, soft
 * temperature limit);
 * RUN_FLAG_LOADED when before.load1 > max_load (max_load <= 0 disables).
 */
unsigned hostmon_flags(const struct host_reading *before,
    const struct host_reading *after, double max_load);

/* Words for the throttle bits, e.g. "under-voltage now, throttled since
 * boot"; "none" for 0 and "unknown" for -1. Writes into buf. */
const char *hostmon_throttle_text(int64_t bits, char *buf, size_t len);

/* The conditions of the firmware's get_throttled word: bit i is condition
 * i now, bit i + 16 the same since boot. */
#define AB_THROTTLE_NCOND 4

/* Their names in /metrics labels: under_voltage, freq_capped, throttled,
 * soft_temp_limit. */
extern const char *const hostmon_conditions[AB_THROTTLE_NCOND];

#endif
