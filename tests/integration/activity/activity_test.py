"""Observed activity and the approved baseline, with the real binary in a network namespace
the test makes, and real clients:

- a "public" client (203.0.113.2, a zone override makes TEST-NET-3 public) and two private
  ones (10.77.0.2) in a peer namespace linked by veth connect to an internal-only port of
  10.77.0.1 (chosen at run time and named by an exposure rule, so that no other agent on the
  machine probes it as a discovered TLS port): `scan --output=json` and `/metrics` give
  peer_scope public 1, private 2 (cross-checked with `ss -tn state established`) and the
  basis="observed" violation;
- a TCP listener that does not accept: its accept queue and limit match `ss -ltn`
  Recv-Q/Send-Q, in the scan and in /metrics;
- the in-kernel connection tracker (BPF, the agent's default as root) against the filtered
  dump (`inventory.connection_tracking_max = 0`) and `ss` in the same run: loopback,
  private and public peers, IPv4 (mapped) and IPv6, on a dual-stack `[::]` listener (a v4
  and a v6 zone make the TEST-NET peers public), connections opened before the agent
  starts (seeded) and after (events), closed ones uncounted, and a namespace created after
  the agent started;
- `baseline save`, a new listener flagged by `scan --baseline` (exit 6) and by
  portwarden_listener_unapproved, removed again: all clear; a malformed baseline is an error
  with file:line:column and the agent keeps its last good baseline.
Usage: activity_test.py PORTWARDEN_BINARY"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from agent_process import AgentProcess  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"
PEER = f"pw-act-peer-{os.getpid()}"
EXIT_UNAPPROVED = 6


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)


def isolate():
    """Re-executes this test in a fresh network namespace: the agent's "host"."""
    if os.environ.get("PW_ISOLATED") == "1":
        return
    if os.geteuid() != 0:
        skip_unprivileged("needs root for network namespaces")
    env = dict(os.environ, PW_ISOLATED="1")
    os.execvpe("unshare", ["unshare", "-n", "--", sys.executable, *sys.argv], env)


def link_peer():
    """veth between this namespace (10.77.0.1, 203.0.113.1, fd77::1, 2001:db8:77::1) and the
    peer (.2 / ::2 of each)."""
    sh("ip", "link", "set", "lo", "up")
    sh("ip", "netns", "add", PEER)
    sh("ip", "link", "add", "pw-s", "type", "veth", "peer", "name", "pw-p")
    sh("ip", "link", "set", "pw-p", "netns", PEER)
    for prefix, dev in ((), "pw-s"), (("ip", "netns", "exec", PEER), "pw-p"):
        last = "1" if dev == "pw-s" else "2"
        sh(*prefix, "ip", "addr", "add", f"10.77.0.{last}/24", "dev", dev)
        sh(*prefix, "ip", "addr", "add", f"203.0.113.{last}/24", "dev", dev)
        sh(*prefix, "ip", "addr", "add", f"fd77::{last}/64", "dev", dev, "nodad")
        sh(*prefix, "ip", "addr", "add", f"2001:db8:77::{last}/64", "dev", dev, "nodad")
        sh(*prefix, "ip", "link", "set", dev, "up")
        sh(*prefix, "ip", "link", "set", "lo", "up")


CLIENT = r"""
import socket, sys, time
socks = []
for source in sys.argv[3:]:
    s = socket.socket(socket.AF_INET6 if ":" in source else socket.AF_INET)
    s.bind((source, 0))
    s.connect((sys.argv[1], int(sys.argv[2])))
    socks.append(s)
print("connected", flush=True)
sys.stdin.read()
"""


# In a namespace of its own: a listener on the port and two loopback connections to it.
LATE_HOLDER = r"""
import socket, sys
port = int(sys.argv[1])
server = socket.socket()
server.bind(("127.0.0.1", port))
server.listen(8)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
accepted = [server.accept()[0] for _ in range(2)]
print("connected", flush=True)
sys.stdin.read()
"""


class ActivityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        link_peer()
        cls.tmp = tempfile.mkdtemp(prefix="pw-act-")
        cls.config = os.path.join(cls.tmp, "portwarden.toml")
        cls.baseline = os.path.join(cls.tmp, "baseline.toml")
        # Bound now, listening in the test: the port the internal-only rule names.
        cls.admin = socket.socket()
        cls.admin.bind(("10.77.0.1", 0))
        cls.admin_port = cls.admin.getsockname()[1]
        with open(cls.config, "w", encoding="utf-8") as f:
            f.write('[agent]\nscan_interval = "1s"\nprobe_interval = "1h"\n'
                    '[discovery]\nnamespaces = "host"\n'
                    '[[exposure.zones]]\ncidr = "203.0.113.0/24"\nscope = "public"\n'
                    f'[[exposure.rules]]\nname = "admin-internal"\nports = [{cls.admin_port}]\n'
                    'allow = ["loopback", "private"]\n')

    @classmethod
    def tearDownClass(cls):
        cls.admin.close()
        sh("ip", "netns", "delete", PEER, check=False)

    def setUp(self):
        self.closers = []

    def tearDown(self):
        for close in reversed(self.closers):
            close()

    def listen(self, address, port=0, backlog=16):
        server = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((address, port))
        server.listen(backlog)
        self.closers.append(server.close)
        return server

    def clients(self, address, port, sources):
        proc = subprocess.Popen(["ip", "netns", "exec", PEER, sys.executable, "-c", CLIENT,
                                 address, str(port), *sources],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.closers.append(lambda: (proc.kill(), proc.wait(), proc.stdin.close(),
                                     proc.stdout.close()))
        self.assertEqual(proc.stdout.readline().strip(), "connected")

    def scan(self, *args):
        out = sh(BINARY, "scan", "--output=json", f"--config.file={self.config}", *args)
        return json.loads(out.stdout)

    def metrics(self, agent):
        with urllib.request.urlopen(f"http://{agent.address}/metrics", timeout=10) as r:
            return r.read().decode()

    def wait_metric(self, agent, pattern, present=True, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.metrics(agent)
            if bool(re.search(pattern, text, re.M)) == present:
                return text
            time.sleep(0.3)
        self.fail(f"{pattern} {'never appeared' if present else 'never went'}:\n{text}")

    def test_connections_by_peer_scope_and_observed_violation(self):
        server, port = self.admin, self.admin_port
        server.listen(16)
        self.clients("10.77.0.1", port, ["203.0.113.2", "10.77.0.2", "10.77.0.2"])
        accepted = [server.accept()[0] for _ in range(3)]
        for conn in accepted:
            self.closers.append(conn.close)
        ss = sh("ss", "-Htn", "state", "established", f"( sport = :{port} )").stdout
        self.assertEqual(len(ss.splitlines()), 3, ss)

        [listener] = [l for l in self.scan() if l["port"] == port and l["netns"] == "host"]
        self.assertEqual(listener["scope"], "private")
        self.assertEqual(listener["connections"],
                         {"loopback": 0, "link_local": 0, "private": 2, "public": 1})
        self.assertEqual(sum(listener["connections"].values()), len(ss.splitlines()))
        self.assertFalse(listener["violation"])
        self.assertTrue(listener["observed_violation"])
        table = sh(BINARY, "scan", "--connections", f"--config.file={self.config}").stdout
        self.assertRegex(table, rf"10\.77\.0\.1:{port} .*lo=0 priv=2 pub=1 .*OBSERVED")

        with AgentProcess(BINARY, [f"--config.file={self.config}"]) as agent:
            text = self.wait_metric(
                agent, rf'^portwarden_listener_connections\{{[^}}]*port="{port}"[^}}]*'
                       r'peer_scope="public"\} 1$')
            self.assertRegex(text, rf'portwarden_listener_connections\{{[^}}]*port="{port}"[^}}]*'
                                   r'peer_scope="private"\} 2')
            self.assertRegex(text, rf'portwarden_exposure_violation\{{[^}}]*port="{port}"[^}}]*'
                                   r'rule="admin-internal",basis="observed"\} 1')
            self.assertNotRegex(text, rf'portwarden_exposure_violation\{{[^}}]*port="{port}"[^}}]*'
                                      r'basis="bind"')

    def write_config(self, name, port, extra=""):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write('[agent]\nscan_interval = "1s"\nprobe_interval = "1h"\n'
                    f'[discovery]\nnamespaces = "all"\n[inventory]\n{extra}'
                    '[[exposure.zones]]\ncidr = "203.0.113.0/24"\nscope = "public"\n'
                    '[[exposure.zones]]\ncidr = "2001:db8:77::/64"\nscope = "public"\n'
                    f'[[exposure.rules]]\nname = "tracked"\nports = [{port}]\n'
                    'allow = ["loopback", "private", "public"]\n')
        return path

    def loopback_clients(self, port, count, netns=None):
        prefix = ["ip", "netns", "exec", netns] if netns else []
        proc = subprocess.Popen([*prefix, sys.executable, "-c", CLIENT, "127.0.0.1", str(port),
                                 *(["127.0.0.1"] * count)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.closers.append(lambda: (proc.kill(), proc.wait(), proc.stdin.close(),
                                     proc.stdout.close()))
        self.assertEqual(proc.stdout.readline().strip(), "connected")
        return proc

    def dump_counts(self, config, port):
        out = sh(BINARY, "scan", "--output=json", f"--config.file={config}").stdout
        [listener] = [l for l in json.loads(out) if l["port"] == port and l["netns"] == "host"]
        return listener["connections"]

    def ss_count(self, port):
        ss = sh("ss", "-Htn", "state", "established", f"( sport = :{port} )").stdout
        return len(ss.splitlines())

    def test_bpf_tracker_matches_dump_and_ss(self):
        if not os.path.exists("/sys/kernel/btf/vmlinux"):
            skip_unprivileged("the kernel has no BTF (/sys/kernel/btf/vmlinux)")
        server = self.listen("::", backlog=64)  # dual-stack: IPv4 peers arrive IPv4-mapped
        port = server.getsockname()[1]
        tracked = self.write_config("tracked.toml", port)
        dumped = self.write_config("dumped.toml", port, "connection_tracking_max = 0\n")
        accepted = []

        def accept(n):
            for _ in range(n):
                conn = server.accept()[0]
                accepted.append(conn)
                self.closers.append(conn.close)

        early = self.loopback_clients(port, 2)  # before the agent: seeded
        self.clients("10.77.0.1", port, ["10.77.0.2"])
        self.clients("203.0.113.1", port, ["203.0.113.2"])
        self.clients("fd77::1", port, ["fd77::2"])
        self.clients("2001:db8:77::1", port, ["2001:db8:77::2"])
        accept(6)

        def series(scope, value, netns="host"):
            return (rf'^portwarden_listener_connections\{{(?=[^}}]*netns="{netns}")'
                    rf'(?=[^}}]*port="{port}")(?=[^}}]*peer_scope="{scope}")[^}}]*\}} {value}$')

        with AgentProcess(BINARY, [f"--config.file={tracked}"]) as agent:
            text = self.wait_metric(agent, series("loopback", 2))
            self.assertRegex(text, r'portwarden_inventory_connection_tracking\{mode="bpf"\} 1',
                             agent.log())
            for scope, n in (("private", 2), ("public", 2)):
                self.assertRegex(text, re.compile(series(scope, n), re.M))
            dump = self.dump_counts(dumped, port)
            self.assertEqual(dump, {"loopback": 2, "link_local": 0, "private": 2, "public": 2})
            self.assertEqual(self.ss_count(port), 6)

            # After the start: counted by the tracepoint.
            self.clients("203.0.113.1", port, ["203.0.113.2", "203.0.113.2"])
            self.loopback_clients(port, 1)
            accept(3)
            self.wait_metric(agent, series("public", 4))
            self.wait_metric(agent, series("loopback", 3))
            self.assertEqual(self.dump_counts(dumped, port),
                             {"loopback": 3, "link_local": 0, "private": 2, "public": 4})
            self.assertEqual(self.ss_count(port), 9)

            # Closed: uncounted (both ends of the two early loopback connections).
            early.kill()
            early.wait()
            for conn in accepted[:2]:
                conn.close()
            text = self.wait_metric(agent, series("loopback", 1))
            self.assertRegex(text, re.compile(series("public", 4), re.M))
            self.assertEqual(self.dump_counts(dumped, port)["loopback"], 1)
            self.assertEqual(self.ss_count(port), 7)

            # A namespace made after the start, with a listener and a loopback connection.
            late = f"pw-act-late-{os.getpid()}"
            sh("ip", "netns", "add", late)
            self.closers.append(lambda: sh("ip", "netns", "delete", late, check=False))
            sh("ip", "netns", "exec", late, "ip", "link", "set", "lo", "up")
            holder = subprocess.Popen(
                ["ip", "netns", "exec", late, sys.executable, "-c", LATE_HOLDER, str(port)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.closers.append(lambda: (holder.kill(), holder.wait(), holder.stdin.close(),
                                         holder.stdout.close()))
            self.assertEqual(holder.stdout.readline().strip(), "connected")
            text = self.wait_metric(agent, series("loopback", 2, netns=late))
            self.assertRegex(text, r'portwarden_inventory_connection_tracking\{mode="bpf"\} 1')

    def test_tracker_overflow_falls_back_to_the_dump(self):
        if not os.path.exists("/sys/kernel/btf/vmlinux"):
            skip_unprivileged("the kernel has no BTF (/sys/kernel/btf/vmlinux)")
        server = self.listen("127.0.0.1", backlog=16)
        port = server.getsockname()[1]
        config = self.write_config("overflow.toml", port, "connection_tracking_max = 2\n")
        self.loopback_clients(port, 3)
        for _ in range(3):
            self.closers.append(server.accept()[0].close)
        with AgentProcess(BINARY, [f"--config.file={config}"]) as agent:
            text = self.wait_metric(
                agent, r'^portwarden_inventory_connection_tracking_overflows_total [1-9]')
            self.assertRegex(text, r'portwarden_inventory_connection_tracking\{mode="dump"\} 1')
            self.assertRegex(text, re.compile(
                rf'^portwarden_listener_connections\{{(?=[^}}]*port="{port}")'
                r'(?=[^}]*peer_scope="loopback")[^}]*\} 3$', re.M))
            self.assertIn("connection_tracking_max", agent.log())

    def test_accept_queue_matches_ss(self):
        server = self.listen("127.0.0.1", backlog=7)
        port = server.getsockname()[1]
        pending = []
        for _ in range(3):
            c = socket.create_connection(("127.0.0.1", port))
            pending.append(c)
            self.closers.append(c.close)
        fields = sh("ss", "-Hltn", f"( sport = :{port} )").stdout.split()
        recv_q, send_q = int(fields[1]), int(fields[2])
        self.assertEqual((recv_q, send_q), (3, 7))
        [listener] = [l for l in self.scan() if l["port"] == port]
        self.assertEqual((listener["accept_queue"], listener["accept_queue_limit"]),
                         (recv_q, send_q))
        table = sh(BINARY, "scan", f"--config.file={self.config}").stdout
        self.assertRegex(table, rf"tcp\s+3\s+7\s+127\.0\.0\.1:{port} ")
        with AgentProcess(BINARY, [f"--config.file={self.config}"]) as agent:
            text = self.wait_metric(
                agent, rf'^portwarden_listener_accept_queue\{{[^}}]*port="{port}"[^}}]*\}} 3$')
            self.assertRegex(
                text, rf'portwarden_listener_accept_queue_limit\{{[^}}]*port="{port}"[^}}]*\}} 7')

    def test_baseline_save_flag_and_clear(self):
        self.listen("127.0.0.1")
        with open(self.config + ".b", "w", encoding="utf-8") as f:
            f.write(read(self.config).replace(
                "[discovery]", f'[inventory]\nbaseline = "{self.baseline}"\n[discovery]'))
        scan = [BINARY, "scan", f"--config.file={self.config}", f"--baseline={self.baseline}"]
        # The agent first: its own listener is part of what the baseline approves.
        with AgentProcess(BINARY, [f"--config.file={self.config}.b"]) as agent:
            saved = sh(BINARY, "baseline", "save", self.baseline, f"--config.file={self.config}")
            self.assertIn("baseline of", saved.stderr)
            text = read(self.baseline)
            self.assertTrue(text.startswith("# portwarden baseline"), text)
            self.assertEqual(subprocess.run(scan, capture_output=True).returncode, 0)
            self.wait_metric(agent, r"^portwarden_baseline_last_load_successful 1$")
            self.wait_metric(agent, r"^portwarden_listeners_unapproved 0$")

            extra = self.listen("127.0.0.1")
            port = extra.getsockname()[1]
            flagged = rf'^portwarden_listener_unapproved\{{[^}}]*port="{port}"[^}}]*\}} 1$'
            self.wait_metric(agent, flagged)
            result = subprocess.run(scan, capture_output=True, text=True)
            self.assertEqual(result.returncode, EXIT_UNAPPROVED, result.stdout + result.stderr)
            self.assertRegex(result.stdout, rf"127\.0\.0\.1:{port} .*UNAPPROVED")

            # A malformed baseline: an error with its position; the agent keeps the last good.
            good = read(self.baseline)
            with open(self.baseline, "a", encoding="utf-8") as f:
                f.write("\n[[listener]]\nport = \"x\"\n")
            bad = subprocess.run(scan, capture_output=True, text=True)
            self.assertEqual(bad.returncode, 2)
            self.assertRegex(bad.stderr, re.escape(self.baseline) + r":\d+:\d+: ")
            self.wait_metric(agent, r"^portwarden_baseline_last_load_successful 0$")
            self.assertTrue(re.search(flagged, self.metrics(agent), re.M), "last good kept")
            self.assertRegex(agent.log(), re.escape(self.baseline) + r":\d+:\d+:")
            with open(self.baseline, "w", encoding="utf-8") as f:
                f.write(good)

            self.closers.remove(extra.close)
            extra.close()
            self.wait_metric(agent, flagged, present=False)
            self.wait_metric(agent, r"^portwarden_listeners_unapproved 0$")
            self.wait_metric(agent, r"^portwarden_baseline_last_load_successful 1$")
            self.assertEqual(subprocess.run(scan, capture_output=True).returncode, 0)


if __name__ == "__main__":
    isolate()
    unittest.main(argv=sys.argv[:1])
