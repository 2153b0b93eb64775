"""Process management for the end-to-end test: start, watch and always stop what it started.

Every child gets PR_SET_PDEATHSIG=SIGKILL, so nothing outlives the test even when the test
itself is killed (ctest timeout); Stack.close() terminates the rest in reverse start order.
"""
import ctypes
import http.server
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port():
    """A free loopback port (the test runs in its own network namespace: nobody races us)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def query(prom, expr, timeout=10):
    """Instant query; returns (status, result list or error text)."""
    data = urllib.parse.urlencode({"query": expr}).encode()
    try:
        with urllib.request.urlopen(f"{prom}/api/v1/query", data, timeout=timeout) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        body = json.load(e)
    if body["status"] != "success":
        return "error", body.get("error", "")
    return "success", body["data"]["result"]


class Proc:
    """A child process whose combined output is collected line by line."""

    def __init__(self, name, argv, cwd=None):
        self.name = name
        self.lines = []
        self.popen = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True,
                                      preexec_fn=_die_with_parent)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            while seen < len(self.lines):
                result = predicate(self.lines[seen])
                seen += 1
                if result:
                    return result
            if self.popen.poll() is not None and seen >= len(self.lines):
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: expected output not seen; last lines:\n" +
                           "\n".join(self.lines[-20:]))

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._reader.join(timeout=2)


class Webhook:
    """Alertmanager webhook receiver: records every notification, per path (= receiver)."""

    def __init__(self):
        self.notifications = []
        lock = threading.Lock()
        sink = self.notifications

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    sink.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def alerts(self):
        """Every (receiver path, alert) pair received so far."""
        return [(path, alert) for path, body in list(self.notifications)
                for alert in body["alerts"]]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Stack:
    """Owns every process and server the test starts."""

    def __init__(self):
        self.procs = []
        self.webhook = None

    def start(self, name, argv, cwd=None):
        proc = Proc(name, argv, cwd)
        self.procs.append(proc)
        return proc

    def close(self):
        for proc in reversed(self.procs):
            proc.stop()
        if self.webhook:
            self.webhook.close()

    def dump_logs(self, lines=15):
        for proc in self.procs:
            print(f"--- {proc.name} (exit {proc.popen.poll()}) last lines:")
            print("\n".join(proc.lines[-lines:]))


def wait_until(what, fn, timeout, interval=0.5):
    """Polls fn() until it returns something truthy; raises with `what` on timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except (OSError, ValueError) as e:
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
