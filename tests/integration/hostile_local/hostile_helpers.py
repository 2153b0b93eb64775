"""Helpers for the hostile-local-user tests: unprivileged processes under names of the test's
choosing, strict checks of each output format, and runs of the real binary (optionally
inside a network namespace the test made). Standard library only."""
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

NOBODY = 65534

# Renames itself with prctl(PR_SET_NAME) to the bytes given in hex, then listens on 0.0.0.0
# (a public listener), prints its port, and holds it until stdin closes.
NAMED_HOLDER = r'''
import ctypes, socket, sys
name = bytes.fromhex(sys.argv[1])
if ctypes.CDLL(None, use_errno=True).prctl(15, ctypes.c_char_p(name), 0, 0, 0) != 0:
    sys.exit("prctl failed")
s = socket.socket()
s.bind(("0.0.0.0", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
'''


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from privilege import skip_unprivileged  # noqa: E402


def privileged_or_skip():
    """Exits 77 (skip) without root, or fails when PORTWARDEN_REQUIRE_PRIVILEGED=1."""
    if os.geteuid() != 0:
        skip_unprivileged("needs root (setpriv to nobody, network namespaces)")


def as_nobody(argv):
    """`argv` run as the unprivileged user nobody."""
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


class NamedHolder:
    """An unprivileged process named `name` (bytes) holding one public TCP listener."""

    def __init__(self, name, prefix=()):
        self.proc = subprocess.Popen(
            [*prefix, *as_nobody([sys.executable, "-c", NAMED_HOLDER, name.hex()])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("holder did not start")
        self.port = int(line)
        self.pid = self.proc.pid

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class Agent:
    """The real daemon, optionally behind a command prefix (e.g. `ip netns exec NAME`)."""

    LISTENING = re.compile(r'msg="Listening on" address=(\S+)')

    def __init__(self, binary, args, prefix=()):
        self.lines = []
        self._lock = threading.Lock()
        self.proc = subprocess.Popen([*prefix, binary, "--web.listen-address=127.0.0.1:0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 20
        self.address = None
        while self.address is None:
            with self._lock:
                for line in self.lines:
                    match = self.LISTENING.search(line)
                    if match:
                        self.address = match.group(1)
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("agent did not start:\n" + self.log())
            time.sleep(0.05)

    def _read(self):
        for raw in self.proc.stdout:
            # Log lines must be valid UTF-8 whatever the agent saw: strict decode.
            with self._lock:
                self.lines.append(raw.decode("utf-8").rstrip("\n"))

    def log(self):
        with self._lock:
            return "\n".join(self.lines)

    def log_lines(self):
        with self._lock:
            return list(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def fetch(url, prefix=()):
    """The body of GET url as bytes (inside a namespace when `prefix` enters one)."""
    if not prefix:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()
    code = "import sys,urllib.request;sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1],timeout=10).read())"
    return subprocess.run([*prefix, sys.executable, "-c", code, url], check=True,
                          capture_output=True, timeout=30).stdout


def wait_for(what, fn, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def unescape_label(value):
    """A Prometheus text-format label value (between the quotes) back to its text."""
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], value)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse_metrics(text):
    """[(name, {label: value}, value)] of a text exposition; raises on a malformed line."""
    samples = []
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if not match:
            raise AssertionError("malformed sample line: %r" % line)
        labels = {}
        rest = match.group(2) or ""
        while rest:
            label = LABEL.match(rest)
            if not label:
                raise AssertionError("malformed labels: %r" % line)
            labels[label.group(1)] = unescape_label(label.group(2))
            rest = rest[label.end():]
        samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def check_metrics(body):
    """Strict UTF-8, promtool check metrics, and our own parse; returns the samples."""
    text = body.decode("utf-8")  # strict: raises on any ill-formed byte
    promtool = shutil.which("promtool")
    if promtool is None:
        raise AssertionError("promtool not installed (Debian package prometheus)")
    lint = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                          timeout=60)
    if lint.returncode != 0:
        raise AssertionError("promtool check metrics failed:\n%s%s" % (
            lint.stdout.decode(errors="replace"), lint.stderr.decode(errors="replace")))
    return parse_metrics(text)


class StrictHtml(html.parser.HTMLParser):
    """Collects tags and attributes of a page (for "no tag was injected")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links.extend(value for name, value in attrs if name == "href")


def parse_html(body):
    page = StrictHtml()
    page.feed(body.decode("utf-8"))
    page.close()
    return page


def has_terminal_control(text):
    """A character a terminal could act on rather than show (newline aside)."""
    return any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or
               ord(c) in (0x061C, 0x200E, 0x200F) or 0x202A <= ord(c) <= 0x202E or
               0x2066 <= ord(c) <= 0x2069 for c in text)
