"""Hostile conditions for `portwarden scan`: processes that exit mid-scan, network namespaces
that vanish mid-scan, a /proc tree whose entries cannot be read. Each scan must succeed and
still report the stable listeners correctly. (The cap on series and the deterministic
namespace-vanish case are in inventory_library_test.)
Usage: inventory_hostile_test.py PORTWARDEN_BINARY"""
import os
import subprocess
import sys
import tempfile
import unittest

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


if __name__ == "__main__":
    isolate(sys.argv)
    unittest.main(argv=sys.argv[:1])
