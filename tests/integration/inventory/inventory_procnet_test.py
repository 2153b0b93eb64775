"""The /proc path reads a namespace's tcp/udp tables only as far as its sockstat counts
require (it stops at the first TCP row that is not a listener, or once as many listeners or UDP
rows as sockstat counts were read). This checks that against a namespace where that matters:
listeners in both families mixed with established TCP connections (both ends, so the
established hash holds sockets of that namespace), a TIME_WAIT, and connected and unconnected
UDP sockets. Under the systemd unit's credentials (no setns: the /proc path) the namespace's
listeners must be exactly those of a root scan (netlink inside the namespace) and of
`ss -Htulnp` run inside it, with the same owners.
Usage: inventory_procnet_test.py PORTWARDEN_BINARY"""
import json
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
import shipped_credentials as shipped  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "portwarden"

# Listeners first and last in creation order, connections in between (their ports land in
# the established hash at random buckets); one connection closed first for a TIME_WAIT.
HOLDER = r'''
import socket, sys
keep = []
def listener(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((addr, 0))
    s.listen(8)
    keep.append(s)
    return s
for family, addr in [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]:
    for _ in range(3):
        listener(family, addr)
    server = listener(family, addr)
    for i in range(5):
        client = socket.create_connection(server.getsockname()[:2])
        accepted, _ = server.accept()
        if i == 0:  # the active closer ends in TIME_WAIT
            client.close()
            accepted.close()
        else:
            keep += [client, accepted]
    for _ in range(2):
        listener(family, addr)
    u = socket.socket(family, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    keep.append(u)
    c = socket.socket(family, socket.SOCK_DGRAM)
    c.connect(u.getsockname()[:2])
    keep.append(c)
print("ready", flush=True)
sys.stdin.read()
'''


def scan(prefix):
    # errors="replace": other tests running on the host may hold sockets in processes with
    # arbitrary bytes in their names.
    result = subprocess.run([*prefix, BINARY, "scan", "--output=json"], capture_output=True,
                            text=True, errors="replace", timeout=60)
    return json.loads(result.stdout)


class ProcNetEarlyStopTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_unprivileged("needs root for a network namespace and setpriv")
        cls.holder = subprocess.Popen(
            ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
             sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        assert cls.holder.stdout.readline().strip() == "ready"
        cls.inode = os.stat(f"/proc/{cls.holder.pid}/ns/net").st_ino

    @classmethod
    def tearDownClass(cls):
        cls.holder.stdin.close()
        cls.holder.wait(timeout=30)
        cls.holder.stdout.close()

    def ours(self, listeners):
        return {(l["proto"], l["address"], l["port"], l["process"]["pid"])
                for l in listeners if l["netns_inode"] == self.inode}

    def test_established_and_connected_sockets_do_not_hide_listeners(self):
        out = subprocess.run(["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "ss",
                              "-Htan"], capture_output=True, text=True, check=True).stdout
        states = [line.split()[0] for line in out.splitlines()]
        self.assertEqual(states.count("LISTEN"), 12)
        self.assertGreaterEqual(states.count("ESTAB"), 16)
        root = self.ours(scan([]))
        unit = self.ours(scan(shipped.unit_setpriv()))
        self.assertEqual(len(root), 14)  # 12 TCP listeners and 2 unconnected UDP sockets
        self.assertEqual(unit, root)
        ss_out = subprocess.run(["nsenter", f"--net=/proc/{self.holder.pid}/ns/net", "ss",
                                 "-Htulnp"], capture_output=True, text=True, check=True).stdout
        seen = set()
        for line in ss_out.splitlines():
            fields = line.split()
            address, port = fields[4].rsplit(":", 1)
            pid = int(re.search(r"pid=(\d+)", line).group(1))
            seen.add((fields[0], address.strip("[]"), int(port), pid))
        self.assertEqual(unit, seen)
        self.assertEqual({pid for *_, pid in unit}, {self.holder.pid})


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
