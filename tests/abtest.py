# SPDX-License-Identifier: MIT
"""Shared helpers for the integration tests: a TAP runner for unittest
(so the automake harness counts every case) and the paths of the build."""
import os
import subprocess
import sys
import tempfile
import traceback
import unittest

SRCDIR = os.environ.get("AB_SRCDIR", os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILDDIR = os.environ.get("AB_BUILDDIR", SRCDIR)
DAEMON = os.path.join(BUILDDIR, "src", "allocbenchd")
WORKLOAD = os.environ.get("AB_WORKLOAD",
                          os.path.join(SRCDIR, "src", "workloads", "churn.py"))


def multiarch_lib(name):
    """Absolute path of a system library by file name, or None."""
    import sysconfig
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    for d in ("/usr/lib/" + arch, "/lib/" + arch, "/usr/lib64", "/usr/lib",
              "/lib64", "/lib"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def run_daemon(args, timeout=300):
    """Runs allocbenchd with args; returns (exit code, stdout, stderr)."""
    p = subprocess.run([DAEMON] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def temp_script(tmpdir, name, text):
    path = os.path.join(tmpdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class TempDirCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="abtest.")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()


def main():
    """Runs every test of the calling module and prints TAP."""
    module = sys.modules["__main__"]
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    tests = []

    def flatten(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                flatten(t)
            else:
                tests.append(t)
    flatten(suite)
    print("1..%d" % len(tests))
    sys.stdout.flush()
    failed = 0
    for i, test in enumerate(tests, 1):
        result = unittest.TestResult()
        test.run(result)
        name = test.id().split(".", 1)[-1]
        problems = result.failures + result.errors
        if result.skipped:
            print("ok %d - %s # SKIP %s" % (i, name, result.skipped[0][1]))
        elif problems or result.unexpectedSuccesses:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for _, tb in problems:
                for line in tb.rstrip().splitlines():
                    print("# " + line)
        else:
            print("ok %d - %s" % (i, name))
        sys.stdout.flush()
    sys.exit(1 if failed else 0)
