"""Runs the real portwarden binary for integration tests.

Starts the agent on 127.0.0.1 with a port chosen by the kernel (--web.listen-address=127.0.0.1:0),
learns the bound address from its "Listening on" log line, and always stops it again.
Standard library only.
"""

import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

LISTENING = re.compile(r'msg="Listening on" address=(\S+)|"msg":"Listening on","address":"([^"]+)"')


class AgentProcess:
    """The agent as a child process; use as a context manager."""

    def __init__(self, binary, args=(), env=None):
        self.binary = binary
        self.args = list(args)
        self.env = env
        self.proc = None
        self.address = None
        self.log_lines = []
        self._log_lock = threading.Lock()
        self._reader = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=15.0):
        cmd = [self.binary, "--web.listen-address=127.0.0.1:0", *self.args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=self.env)
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._log_lock:
                for line in self.log_lines:
                    match = LISTENING.search(line)
                    if match:
                        self.address = match.group(1) or match.group(2)
                        return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("agent did not start; log:\n" + self.log())

    def _read_log(self):
        for line in self.proc.stdout:
            with self._log_lock:
                self.log_lines.append(line.rstrip("\n"))

    def log(self):
        with self._log_lock:
            return "\n".join(self.log_lines)

    def url(self, path):
        return "http://%s%s" % (self.address, path)

    def get(self, path, method="GET", headers=None):
        """Returns (status, headers, body) without raising on HTTP errors."""
        request = urllib.request.Request(self.url(path), method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read()
                if response.headers.get("Content-Encoding") != "gzip":
                    body = body.decode()
                return response.status, dict(response.headers), body
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def metrics(self):
        status, _, body = self.get("/metrics")
        if status != 200:
            raise RuntimeError("GET /metrics returned %d" % status)
        return body

    def wait_for(self, predicate, timeout=20.0, what="condition"):
        """Polls predicate() until it returns a truthy value, which is returned."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError("timed out waiting for %s; agent log:\n%s" % (what, self.log()))

    def wait_ready(self, timeout=30.0):
        """Waits until /-/ready answers 200 (first inventory and probe cycle done)."""
        self.wait_for(lambda: self.get("/-/ready")[0] == 200, timeout=timeout, what="/-/ready")

    def signal(self, signum):
        self.proc.send_signal(signum)

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._reader:
            self._reader.join(timeout=2)
        self.proc.stdout.close()
        return self.proc.returncode


def sample_value(metrics_text, series):
    """The value of the exact series `name{labels}` (or bare `name`), or None."""
    for line in metrics_text.splitlines():
        if line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return None


def rss_anon_kb(pid):
    """The private resident memory (RssAnon, kB) of process `pid`, from /proc."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon")


def binary_from_env():
    binary = os.environ.get("PORTWARDEN_BINARY")
    if not binary:
        raise SystemExit("set PORTWARDEN_BINARY to the portwarden executable")
    return binary
