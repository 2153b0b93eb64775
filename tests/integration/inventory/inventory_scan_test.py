"""`portwarden scan --output=json` against real listeners: TCP and UDP, IPv4 and IPv6,
loopback and wildcard, SO_REUSEPORT groups, a named and an unnamed network namespace made by
the test, the cross-check with `ss -Htulnp`, and disappearance when the sockets close.
Usage: inventory_scan_test.py PORTWARDEN_BINARY"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inventory_helpers import Holder, isolate, scan, ss_key, ss_listeners  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"

HOST_SPECS = [
    {"proto": "tcp", "addr": "127.0.0.1", "scope": "loopback"},
    {"proto": "tcp", "addr": "0.0.0.0", "scope": "public"},  # 198.20.0.1 is on lo
    {"proto": "tcp", "addr": "::1", "scope": "loopback"},
    {"proto": "tcp", "addr": "::", "v6only": True, "scope": "private"},  # fd00:77::1
    {"proto": "tcp", "addr": "::", "v6only": False, "scope": "public"},  # covers IPv4
    {"proto": "tcp", "addr": "127.0.0.1", "count": 3, "scope": "loopback"},
    {"proto": "udp", "addr": "127.0.0.1", "scope": "loopback"},
    {"proto": "udp", "addr": "0.0.0.0", "scope": "public"},
    {"proto": "udp", "addr": "::", "v6only": True, "scope": "private"},
    {"proto": "udp", "addr": "198.20.0.1", "scope": "public"},
]


def find(listeners, netns, spec):
    return [l for l in listeners if l["netns"] == netns and l["proto"] == spec["proto"] and
            l["address"] == spec["addr"] and l["port"] == spec["port"]]


def bpf_expected():
    """Root in the initial pid namespace on a kernel with BTF: the default walk is BPF."""
    initial_pid_ns = os.stat("/proc/self/ns/pid").st_ino == 0xEFFFFFFC
    return os.geteuid() == 0 and initial_pid_ns and os.path.exists("/sys/kernel/btf/vmlinux")


class ScanTest(unittest.TestCase):
    """Default settings: processes are attributed by the BPF fd walk where it is available."""
    WALK = "bpf"

    def scan(self):
        if self.WALK == "procfs":
            return scan(BINARY, self.procfs_config, expect_walk="procfs")
        return scan(BINARY, expect_walk="bpf" if bpf_expected() else None)

    def setUp(self):
        self.procfs_config = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                          f"pw-procfs-{os.getpid()}.toml")
        with open(self.procfs_config, "w", encoding="utf-8") as config:
            config.write('[inventory]\nprocess_walk = "procfs"\n')
        self.holders = []
        self.netns = f"pw-inv-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        subprocess.run(["ip", "netns", "exec", self.netns, "ip", "link", "set", "lo", "up"],
                       check=True)

    def tearDown(self):
        os.unlink(self.procfs_config)
        for holder in self.holders:
            holder.close()
        subprocess.run(["ip", "netns", "delete", self.netns], check=False)

    def hold(self, specs, prefix=()):
        holder = Holder(specs, prefix)
        self.holders.append(holder)
        return holder

    def test_reports_exactly_the_test_listeners(self):
        host = self.hold(HOST_SPECS)
        named = self.hold([{"proto": "tcp", "addr": "0.0.0.0"}, {"proto": "udp", "addr": "::1"}],
                          ("ip", "netns", "exec", self.netns))
        unnamed = self.hold([{"proto": "tcp", "addr": "127.0.0.1"}], ("unshare", "-n"))
        listeners = self.scan()

        for spec in host.sockets:
            found = find(listeners, "host", spec)
            self.assertEqual(len(found), 1, spec)
            got = found[0]
            self.assertEqual(got["scope"], spec["scope"], spec)
            self.assertEqual(got["process"]["pid"], host.pid, spec)
            self.assertEqual(got["process"]["comm"], os.path.basename(sys.executable)[:15])
            self.assertEqual(got["socket_count"], spec.get("count", 1), spec)
            self.assertEqual(got["netns_path"], "/proc/self/ns/net")
            if ":" in spec["addr"]:
                self.assertEqual(got["v6only"], spec.get("v6only", True), spec)
        # Nothing else listens in the isolated host namespace.
        self.assertEqual(len([l for l in listeners if l["netns"] == "host"]), len(HOST_SPECS))

        for spec in named.sockets:
            found = find(listeners, self.netns, spec)
            self.assertEqual(len(found), 1, (spec, [l["netns"] for l in listeners]))
            self.assertEqual(found[0]["scope"], "loopback")  # only lo in that namespace
            self.assertEqual(found[0]["process"]["pid"], named.pid)
            self.assertEqual(found[0]["netns_path"], f"/run/netns/{self.netns}")
        ns_inode = os.stat(f"/proc/{unnamed.pid}/ns/net").st_ino
        found = find(listeners, f"net:[{ns_inode}]", unnamed.sockets[0])
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["process"]["pid"], unnamed.pid)
        self.assertTrue(os.path.exists(found[0]["netns_path"]))

        # Closed sockets disappear.
        for holder in self.holders:
            holder.close()
        after = self.scan()
        self.assertEqual([l for l in after if l["netns"] == "host"], [])
        self.assertFalse(any(l["netns"] in (self.netns, f"net:[{ns_inode}]") for l in after))

    def test_matches_ss(self):
        self.hold(HOST_SPECS)
        self.hold([{"proto": "udp", "addr": "::", "v6only": False}])
        ours = {ss_key(l): l["process"]["pid"] for l in self.scan() if l["netns"] == "host"}
        theirs = ss_listeners()
        self.assertEqual(set(ours), set(theirs))
        for key, pid in ours.items():
            self.assertIn(pid, theirs[key], key)


class ProcfsScanTest(ScanTest):
    """The same assertions with `process_walk = "procfs"`: one readlink per fd under /proc."""
    WALK = "procfs"


if __name__ == "__main__":
    isolate(sys.argv)
    unittest.main(argv=sys.argv[:1])
