"""Hostile conditions for `portwarden scan`: processes that exit mid-scan, network namespaces
that vanish mid-scan, a /proc tree whose entries cannot be read, and more listeners than the
series cap (through the daemon's /metrics, checked by promtool). Each scan must succeed and
still report the stable listeners correctly. The deterministic namespace-vanish case is in
inventory_library_test.
Usage: inventory_hostile_test.py PORTWARDEN_BINARY"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inventory_helpers import Holder, isolate, scan  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"

# Forks short-lived children that each open a listener and exit at once, until killed.
CHURN = r'''
import os, socket, time
while True:
    pid = os.fork()
    if pid == 0:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
        os._exit(0)
    os.waitpid(pid, 0)
'''

# Starts short-lived processes in fresh network namespaces, until killed.
NETNS_CHURN = r'''
import subprocess
while True:
    subprocess.run(["unshare", "-n", "true"])
'''


class HostileTest(unittest.TestCase):
    def setUp(self):
        self.stable = Holder([{"proto": "tcp", "addr": "127.0.0.1"}])
        self.churners = []

    def tearDown(self):
        for churn in self.churners:
            churn.kill()
            churn.wait(timeout=10)
        self.stable.close()

    def churn(self, code):
        self.churners.append(subprocess.Popen([sys.executable, "-c", code]))

    def assert_stable_listener(self, listeners):
        port = self.stable.sockets[0]["port"]
        found = [l for l in listeners if l["netns"] == "host" and l["port"] == port]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["process"]["pid"], self.stable.pid)

    def test_processes_exiting_mid_scan(self):
        self.churn(CHURN)
        for _ in range(5):
            self.assert_stable_listener(scan(BINARY))

    def test_namespaces_vanishing_mid_scan(self):
        self.churn(NETNS_CHURN)
        for _ in range(5):
            self.assert_stable_listener(scan(BINARY))

    def test_unreadable_proc_entries(self):
        with tempfile.TemporaryDirectory() as root:
            # pid 1: fd is a file, not a directory; pid 2: gone except stat; pid 3: no fds.
            os.makedirs(f"{root}/proc/1")
            open(f"{root}/proc/1/fd", "w").close()
            os.makedirs(f"{root}/proc/2")
            open(f"{root}/proc/2/stat", "w").close()
            os.makedirs(f"{root}/proc/3/fd")
            config = f"{root}/portwarden.toml"
            with open(config, "w") as out:
                out.write(f'[inventory]\nproc_path = "{root}/proc"\n')
            listeners = scan(BINARY, config)
        port = self.stable.sockets[0]["port"]
        found = [l for l in listeners if l["port"] == port]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["process"]["pid"], 0)  # listed, just not attributed
        self.assertEqual(found[0]["process"]["comm"], "")

    def test_unprivileged_scan_keeps_listeners_without_owners(self):
        """As nobody, other users' /proc/<pid>/fd cannot be read: root's listener is listed
        with no process, nobody's own listener is attributed, and nothing fails."""
        drop = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--")
        own = Holder([{"proto": "udp", "addr": "127.0.0.1"}], drop)
        try:
            result = subprocess.run([*drop, BINARY, "scan", "--output=json"], capture_output=True,
                                    text=True, timeout=60)
        finally:
            own.close()
        self.assertEqual(result.returncode, 0, result.stderr)
        listeners = json.loads(result.stdout)
        root_port = self.stable.sockets[0]["port"]
        # Its own namespace only: other namespaces on the host (other tests' and benchmarks'
        # thousands of listeners) can hold the same port number.
        root_owned = [l for l in listeners if l["port"] == root_port and l["proto"] == "tcp"
                      and l["netns"] == "host"]
        self.assertEqual(len(root_owned), 1, root_owned)
        self.assertEqual(root_owned[0]["process"]["pid"], 0)
        mine = [l for l in listeners if l["port"] == own.sockets[0]["port"]
                and l["proto"] == "udp" and l["netns"] == "host"]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["process"]["pid"], own.pid)
        self.assertEqual(mine[0]["uid"], 65534)

    def test_more_listeners_than_the_cap(self):
        """The daemon's /metrics: at most max_listener_series info series, the rest counted,
        the aggregate exact, and the exposition valid for promtool."""
        extra = Holder([{"proto": "tcp", "addr": "127.0.0.1"} for _ in range(4)])
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        with tempfile.TemporaryDirectory() as root:
            config = f"{root}/portwarden.toml"
            with open(config, "w") as out:
                out.write("[inventory]\nmax_listener_series = 2\n")
            daemon = subprocess.Popen([BINARY, f"--config.file={config}",
                                       f"--web.listen-address=127.0.0.1:{port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                text = self.wait_for_metrics(port)
            finally:
                daemon.terminate()
                daemon.wait(timeout=10)
                extra.close()
        info = [l for l in text.splitlines() if l.startswith("portwarden_listener_info{")]
        self.assertEqual(len(info), 2)
        dropped = [l for l in text.splitlines()
                   if l.startswith("portwarden_listener_series_dropped_total ")]
        self.assertGreaterEqual(float(dropped[0].split()[1]), 4)  # 6 listeners + the daemon's
        loopback = [l for l in text.splitlines()
                    if l.startswith('portwarden_listeners{proto="tcp",scope="loopback"}')]
        self.assertGreaterEqual(float(loopback[0].split()[1]), 6)
        check = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                               capture_output=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    @staticmethod
    def wait_for_metrics(port):
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                    text = r.read().decode()
                if "portwarden_listener_info{" in text:
                    return text
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("no listener metrics within 20 s")
            time.sleep(0.2)


if __name__ == "__main__":
    isolate(sys.argv)
    unittest.main(argv=sys.argv[:1])
