"""The HTTP front under abuse (issue 11, item 3): the real binary on loopback, hostile clients
opened by the test, and a scraper that must keep being answered within a second throughout.

Hostile clients: 300 idle connections, 50 slowloris connections dripping a header byte per
second, a chunked body without end, a Content-Length of 1 GB, 100,000 header lines, a
garbage request line, the HTTP/2 preface, a bare POST /-/reload. RssAnon growth is printed."""

import os
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from agent_process import AgentProcess, binary_from_env, rss_anon_kb  # noqa: E402

BINARY = binary_from_env()
READ_TIMEOUT = 4  # seconds: web.read_timeout for this test (default 10 s)
CONFIG = """
[agent]
scan_interval = "2s"
probe_interval = "5s"
[web]
read_timeout = "%ds"
""" % READ_TIMEOUT


def connect(address, timeout=5.0):
    host, port = address.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=timeout)


def read_status(sock, timeout):
    """The status code of the first response line, or None if the peer closed or timed out."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        return None
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data.split()[1])


def connect_tls(address, timeout=5.0):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(connect(address, timeout))


def request_status(address, raw, timeout=5.0, tls=False):
    """Sends raw bytes on a new connection; returns (status, seconds to the status line)."""
    started = time.monotonic()
    with (connect_tls if tls else connect)(address) as sock:
        sock.sendall(raw)
        status = read_status(sock, timeout)
    return status, time.monotonic() - started


class Scraper(threading.Thread):
    """GET /metrics on a fresh connection every 0.25 s; records each answer's latency
    (TLS handshake included when `tls`)."""

    def __init__(self, address, tls=False):
        super().__init__(daemon=True)
        self.tls = tls
        self.address = address
        self.latencies = []
        self.failures = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                status, seconds = request_status(
                    self.address, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    timeout=5.0, tls=self.tls)
                if status == 200:
                    self.latencies.append(seconds)
                else:
                    self.failures.append("status %r" % status)
            except OSError as error:
                self.failures.append(repr(error))
            self.stop.wait(0.25)


class HttpAbuseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="portwarden-abuse-")
        config = os.path.join(cls.dir, "portwarden.toml")
        with open(config, "w") as f:
            f.write(CONFIG)
        cls.agent = AgentProcess(BINARY, ["--config.file=" + config])
        cls.agent.start()
        cls.agent.wait_ready()
        for _ in range(20):  # warm up: allocator arenas, first renderings
            cls.agent.metrics()
        cls.rss_before = rss_anon_kb(cls.agent.proc.pid)

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_scraper_is_answered_while_the_front_is_abused(self):
        address = self.agent.address
        scraper = Scraper(address)
        scraper.start()
        idle = [connect(address) for _ in range(300)]
        slow = []
        for _ in range(50):
            sock = connect(address)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(sock)
        stop_drip = threading.Event()
        closed_at = {}

        def drip():
            started = time.monotonic()
            while not stop_drip.is_set() and len(closed_at) < len(slow):
                for i, sock in enumerate(slow):
                    if i in closed_at:
                        continue
                    try:
                        sock.sendall(b"a")
                    except OSError:
                        closed_at[i] = time.monotonic() - started
                stop_drip.wait(1.0)

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        try:
            self.check_hostile_requests(address)
            # The head deadline is for the whole head: dripping does not extend it.
            deadline = time.monotonic() + READ_TIMEOUT + 10
            while len(closed_at) < len(slow) and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(len(closed_at), len(slow), "slowloris connections still open")
            print("slowloris closed after %.1f-%.1f s (read_timeout %d s)" %
                  (min(closed_at.values()), max(closed_at.values()), READ_TIMEOUT))
            self.assertLess(max(closed_at.values()), READ_TIMEOUT + 5)
        finally:
            stop_drip.set()
            scraper.stop.set()
            scraper.join(timeout=10)
            for sock in idle + slow:
                sock.close()
        self.assertEqual(scraper.failures, [])
        self.assertGreater(len(scraper.latencies), 10)
        worst = max(scraper.latencies)
        print("scrapes during abuse: %d, worst %.3f s, median %.3f s" %
              (len(scraper.latencies), worst, sorted(scraper.latencies)[len(scraper.latencies) // 2]))
        self.assertLess(worst, 1.0)
        self.check_memory()

    def check_hostile_requests(self, address):
        # Garbage and the HTTP/2 preface: 400 at once, not after a timeout.
        for raw in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"hello there\r\n\r\n",
                    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"):
            status, seconds = request_status(address, raw)
            self.assertEqual(status, 400, raw)
            self.assertLess(seconds, 1.0, raw)
        # A bare POST (no body, no Content-Length) reloads at once.
        status, seconds = request_status(address, b"POST /-/reload HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual((status, seconds < 1.0), (200, True))
        # Content-Length beyond the cap: 413 before any body byte is read.
        status, _ = request_status(
            address, b"POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
        self.assertEqual(status, 413)
        self.assertEqual(self.endless(address, b"POST /x HTTP/1.1\r\nHost: x\r\n"
                                      b"Transfer-Encoding: chunked\r\n\r\n",
                                      b"4000\r\n" + b"x" * 0x4000 + b"\r\n"), 413)
        self.assertEqual(self.endless(address, b"GET / HTTP/1.1\r\nHost: x\r\n",
                                      b"X-Flood: y\r\n" * 1000, limit=100_000), 431)

    def endless(self, address, head, piece, limit=None):
        """Sends head then `piece` until the server answers and closes (or `limit` pieces);
        returns the status and checks that the server stopped it early."""
        sent = 0
        with connect(address) as sock:
            sock.sendall(head)
            try:
                while limit is None or sent < limit:
                    if select.select([sock], [], [], 0)[0]:
                        break  # the answer is there: stop sending, read it
                    sock.sendall(piece)
                    sent += len(piece) if limit is None else piece.count(b"\n")
                    if limit is None and sent > 1 << 30:
                        break
            except (BrokenPipeError, ConnectionResetError):
                pass
            status = read_status(sock, 5.0)
        if limit is None:
            self.assertLess(sent, 64 << 20, "the server read %d body bytes" % sent)
        return status

    def check_memory(self):
        time.sleep(0.5)
        after = rss_anon_kb(self.agent.proc.pid)
        growth = after - self.rss_before
        print("RssAnon before %d kB, after %d kB, growth %d kB" % (self.rss_before, after, growth))
        if "ASAN_OPTIONS" in os.environ or "TSAN_OPTIONS" in os.environ:
            # AddressSanitizer keeps freed memory in quarantine (256 MB by default) and
            # ThreadSanitizer keeps shadow memory and history per allocation: growth there says
            # nothing about the agent. The release build's run asserts the bound.
            print("(sanitizer build: memory bound not asserted)")
            return
        self.assertLess(growth, 5 * 1024)


class HttpsAbuseTest(unittest.TestCase):
    """The same front with TLS on (--web.config.file): 300 connections that never start a
    handshake and 50 that drip a ClientHello byte per second; a TLS scraper keeps being served."""

    def test_tls_scraper_is_answered_while_handshakes_are_abused(self):
        directory = tempfile.mkdtemp(prefix="portwarden-abuse-tls-")
        try:
            key, crt = os.path.join(directory, "k.pem"), os.path.join(directory, "c.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
                            "-days", "2", "-subj", "/CN=127.0.0.1"], check=True,
                           capture_output=True)
            web = os.path.join(directory, "web.yml")
            config = os.path.join(directory, "portwarden.toml")
            with open(web, "w") as f:
                f.write("tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n")
            with open(config, "w") as f:
                f.write(CONFIG)
            with AgentProcess(BINARY, ["--config.file=" + config,
                                       "--web.config.file=" + web]) as agent:
                self.abuse(agent)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def abuse(self, agent):
        scraper = Scraper(agent.address, tls=True)
        scraper.start()
        idle = [connect(agent.address) for _ in range(300)]
        # The first bytes of a TLS record header, then one byte a second.
        slow = [connect(agent.address) for _ in range(50)]
        for sock in slow:
            sock.sendall(b"\x16\x03\x01")
        closed = set()
        started = time.monotonic()
        while len(closed) < len(slow) and time.monotonic() - started < READ_TIMEOUT + 10:
            for i, sock in enumerate(slow):
                if i not in closed:
                    try:
                        sock.sendall(b"\x00")
                    except OSError:
                        closed.add(i)
            time.sleep(1.0)
        elapsed = time.monotonic() - started
        scraper.stop.set()
        scraper.join(timeout=10)
        for sock in idle + slow:
            sock.close()
        self.assertEqual(len(closed), len(slow), "handshake drips still open")
        self.assertLess(elapsed, READ_TIMEOUT + 6)
        self.assertEqual(scraper.failures, [])
        self.assertGreater(len(scraper.latencies), 5)
        print("TLS scrapes during abuse: %d, worst %.3f s" %
              (len(scraper.latencies), max(scraper.latencies)))
        self.assertLess(max(scraper.latencies), 1.0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
