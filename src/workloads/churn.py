# SPDX-License-Identifier: MIT
#
# The allocation churn workload, faithful to the seed benchmark: four loops
# over N iterations at module level (append None; fill each slot with {};
# clear each slot to None; refill each slot with {}). It runs unchanged on
# Python 2.7 and 3.x.
#
# Usage: churn.py ITERATIONS REPORT_FD
#
# Before the loops it finds, with ctypes, dlinfo(3) and dladdr(3), the shared
# object that provides malloc in this very process, and the one that
# provides libc.
# After them it reads its own scheduler statistics and writes one JSON
# object to REPORT_FD (never stdout):
#   {"schema": 1, "iterations": N, "python": "3.11.2",
#    "python_full": "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]",
#    "implementation": "cpython", "phases": {"append": s, "fill": s,
#    "clear": s, "refill": s}, "vmhwm_kb": K,
#    "schedstat": [run_ns, wait_ns, timeslices] | null,
#    "malloc_provider": "/path" | null, "libc": "/path" | null,
#    "libc_version": "2.36" | null}
# python_full is sys.version on one line; schedstat is /proc/self/schedstat
# read after the loops (time on the CPU, time waiting on a run queue, since
# the process started); libc_version is glibc's gnu_get_libc_version().
import ctypes
import json
import os
import sys
import time

try:
    xrange
except NameError:
    xrange = range

clock = getattr(time, "perf_counter", time.time)


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p),
                ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p),
                ("dli_saddr", ctypes.c_void_p)]


class _LinkMap(ctypes.Structure):
    pass


_LinkMap._fields_ = [("l_addr", ctypes.c_void_p),
                     ("l_name", ctypes.c_char_p),
                     ("l_ld", ctypes.c_void_p),
                     ("l_next", ctypes.POINTER(_LinkMap)),
                     ("l_prev", ctypes.POINTER(_LinkMap))]

_RTLD_DI_LINKMAP = 2
_RTLD_NOLOAD = getattr(os, "RTLD_NOLOAD", 4)
_RTLD_LAZY = getattr(os, "RTLD_LAZY", 1)


def _libdl_fn(name, argtypes):
    for lib in (None, "libdl.so.2"):
        try:
            fn = getattr(ctypes.CDLL(lib), name)
        except (OSError, AttributeError):
            continue
        fn.argtypes = argtypes
        fn.restype = ctypes.c_int
        return fn
    return None


def _text(b):
    if b is None or isinstance(b, str):
        return b
    return b.decode("utf-8", "replace")


def _loaded_objects():
    """Shared objects of this process in link-map order: the order in
    which the dynamic linker searches the global scope (executable,
    LD_PRELOAD libraries, then dependencies breadth-first)."""
    dlinfo = _libdl_fn("dlinfo", [ctypes.c_void_p, ctypes.c_int,
                                  ctypes.c_void_p])
    if dlinfo is None:
        return []
    lm = ctypes.POINTER(_LinkMap)()
    if dlinfo(ctypes.CDLL(None)._handle, _RTLD_DI_LINKMAP,
              ctypes.byref(lm)) != 0:
        return []
    names = []
    while lm:
        name = _text(lm.contents.l_name)
        if name:
            names.append(name)
        lm = lm.contents.l_next
    return names


def provider_of(symbol):
    """Path of the shared object whose own definition of `symbol` this
    process binds to, or None. Asking the global scope directly is not
    enough: a non-PIE executable that takes a function's address exports a
    canonical PLT stub, and dlsym(RTLD_DEFAULT) then names the executable.
    So each loaded object is asked in search order whether it defines the
    symbol itself; the first that does is the provider."""
    dladdr = _libdl_fn("dladdr", [ctypes.c_void_p, ctypes.POINTER(_DlInfo)])
    if dladdr is None:
        return None
    for name in _loaded_objects():
        try:
            lib = ctypes.CDLL(name, mode=_RTLD_NOLOAD | _RTLD_LAZY)
            fn = getattr(lib, symbol)
        except (OSError, AttributeError):
            continue
        info = _DlInfo()
        if not dladdr(ctypes.cast(fn, ctypes.c_void_p), ctypes.byref(info)):
            continue
        found = _text(info.dli_fname)
        if found and os.path.realpath(found) == os.path.realpath(name):
            return name
    return None


def vmhwm_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (IOError, OSError, ValueError):
        pass
    return None


def schedstat():
    """[run_ns, wait_ns, timeslices] from /proc/self/schedstat, or None
    when this kernel has no such file or it is not three integers."""
    try:
        with open("/proc/self/schedstat") as f:
            fields = f.read().split()
        if len(fields) == 3:
            values = [int(v) for v in fields]
            if min(values) >= 0:
                return values
    except (IOError, OSError, ValueError):
        pass
    return None


def libc_version():
    """glibc's version string, or None for another C library."""
    try:
        fn = ctypes.CDLL(None).gnu_get_libc_version
    except (OSError, AttributeError):
        return None
    fn.argtypes = []
    fn.restype = ctypes.c_char_p
    return _text(fn())


if len(sys.argv) != 3:
    sys.stderr.write("usage: churn.py ITERATIONS REPORT_FD\n")
    sys.exit(2)
try:
    iterations = int(sys.argv[1])
    report_fd = int(sys.argv[2])
except ValueError:
    sys.stderr.write("churn.py: ITERATIONS and REPORT_FD must be integers\n")
    sys.exit(2)
if iterations < 1:
    sys.stderr.write("churn.py: ITERATIONS must be at least 1\n")
    sys.exit(2)

malloc_provider = provider_of("malloc")
libc = provider_of("gnu_get_libc_version")
phases = {}

t = clock()
l = []
for i in xrange(iterations):
    l.append(None)
phases["append"] = clock() - t

t = clock()
for i in xrange(iterations):
    l[i] = {}
phases["fill"] = clock() - t

t = clock()
for i in xrange(iterations):
    l[i] = None
phases["clear"] = clock() - t

t = clock()
for i in xrange(iterations):
    l[i] = {}
phases["refill"] = clock() - t
sched = schedstat()

impl = getattr(sys, "implementation", None)
report = {
    "schema": 1,
    "iterations": iterations,
    "python": "%d.%d.%d" % tuple(sys.version_info[:3]),
    "python_full": " ".join(line.strip() for line in sys.version.splitlines()),
    "implementation": impl.name if impl is not None else "cpython",
    "phases": phases,
    "vmhwm_kb": vmhwm_kb(),
    "schedstat": sched,
    "malloc_provider": malloc_provider,
    "libc": libc,
    "libc_version": libc_version(),
}
data = json.dumps(report, sort_keys=True).encode("utf-8")
while data:
    data = data[os.write(report_fd, data):]
os.close(report_fd)
