# SPDX-License-Identifier: MIT
"""Shared helpers for the integration tests: a TAP runner for unittest
(so the automake harness counts every case), the paths of the build and a
base class for a real allocbenchd on an ephemeral 127.0.0.1 port."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
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


class Daemon:
    """One allocbenchd on 127.0.0.1 with its state in TMP/state and its
    config in TMP/NAME.conf; the tests' subclasses write the config and
    call launch() with their own arguments."""

    def __init__(self, tmp, name):
        self.tmp, self.name = tmp, name
        self.state = os.path.join(tmp, "state")
        self.conf = os.path.join(tmp, name + ".conf")
        self.proc = self.log = self.port = None

    def launch(self, log, args=(), port=0, env=None, timeout=15,
               preexec=None):
        """Starts the daemon listening on 127.0.0.1:port (0: any free
        port) with its stderr in log and env added to the environment
        (without the caller's NOTIFY_SOCKET and WATCHDOG_USEC), running
        preexec in the child before the exec when given, then waits for
        the "(port N)" it logs; returns N."""
        self.log = log
        full_env = dict(os.environ)
        full_env.pop("NOTIFY_SOCKET", None)
        full_env.pop("WATCHDOG_USEC", None)
        full_env.update(env or {})
        with open(log, "w") as err:
            self.proc = subprocess.Popen(
                [DAEMON, "--config", self.conf, "--listen",
                 "127.0.0.1:%d" % port, "--state-dir", self.state] +
                list(args),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err, env=full_env, preexec_fn=preexec)
        end = time.time() + timeout
        while time.time() < end:
            m = re.search(r"\(port (\d+)\)", self.logtext())
            if m:
                self.port = int(m.group(1))
                return self.port
            if self.proc.poll() is not None:
                raise AssertionError("%s exited %d: %s" % (
                    self.name, self.proc.returncode, self.logtext()))
            time.sleep(0.02)
        raise AssertionError("%s: no port in log: %s" % (self.name,
                                                         self.logtext()))

    def logtext(self):
        with open(self.log) as f:
            return f.read()

    def request(self, method, path, headers=None, body=None):
        """Returns (status, headers as a dict, body as bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def get_doc(self, path):
        """The JSON document at path; any status but 200 fails."""
        status, headers, body = self.get(path)
        if status != 200:
            raise AssertionError("%s: HTTP %d %r" % (path, status, body))
        return json.loads(body)

    def wait_status(self, pred, what, timeout=90):
        """Polls /api/v1/status until pred(document) holds; returns the
        document, or fails naming `what` after timeout seconds."""
        end = time.time() + timeout
        while time.time() < end:
            doc = self.get_doc("/api/v1/status")
            if pred(doc):
                return doc
            time.sleep(0.05)
        raise AssertionError("%s: no %s: %s" % (self.name, what,
                                                self.logtext()))

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends sig and returns the exit status. A daemon still running
        after timeout seconds is killed and TimeoutExpired raised."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


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
