"""Discovered TLS listeners in a namespace the agent cannot enter, under the systemd unit's own
credentials (parsed from deploy/systemd/portwarden.service: non-root uid, CAP_DAC_READ_SEARCH +
CAP_SYS_PTRACE, so setns() is refused and the namespace is read through /proc/<pid>/net).

The test makes a namespace joined to the agent's by a veth pair (198.18.N.0/30 and
fd00:70:77:N::/64, benchmarking and ULA ranges), and runs real `openssl s_server`s in it on
ports chosen at run time and added to discovery.tls_ports: one on the IPv4 wildcard, one on
the IPv6 wildcard, one on 127.0.0.1 only.
- Under the unit's credentials the agent probes the wildcard ones from its own namespace
  through the namespace's veth address (a certificate verdict, never reason `netns`), leaves
  the loopback-only one unprobed, counts it in portwarden_discovery_targets and logs it once.
- As root it enters the namespace and probes all three from inside at loopback, as before.
Namespaces and veths are removed on exit.
Usage: inventory_credentials_discovery_test.py PORTWARDEN_BINARY"""
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
import shipped_credentials as shipped  # noqa: E402
from agent_process import AgentProcess  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "portwarden"
SUBNET = random.Random(os.getpid()).randrange(0, 256)
HOST_V4, NS_V4 = f"198.18.{SUBNET}.1", f"198.18.{SUBNET}.2"
HOST_V6, NS_V6 = f"fd00:70:77:{SUBNET:x}::1", f"fd00:70:77:{SUBNET:x}::2"


def run(*args):
    subprocess.run(args, check=True, capture_output=True, text=True)


def start_server(netns, cert, key, accept, *family):
    """An `openssl s_server` inside `netns`, returned once it accepts connections."""
    proc = subprocess.Popen(["ip", "netns", "exec", netns, "openssl", "s_server", *family,
                             "-accept", accept, "-cert", cert, "-key", key, "-www"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    # Blocking reads under a watchdog (select() on a buffered pipe can miss a line already read
    # ahead): a server that never says ACCEPT is killed, which ends the reads.
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if "ACCEPT" in line:
                return proc
    finally:
        watchdog.cancel()
    proc.kill()
    proc.wait(timeout=10)
    proc.stdout.close()
    raise RuntimeError(f"s_server {accept} did not start: {''.join(seen)}")


class UnenterableNamespaceDiscoveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        pid = os.getpid()
        cls.netns = f"pw-disc-{pid}"
        cls.veth = f"pwd{pid % 100000}h"
        cls.tmp = tempfile.TemporaryDirectory()
        os.chmod(cls.tmp.name, 0o755)
        cls.servers = []
        try:
            cls.setup_namespace()
            cls.setup_servers()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def setup_namespace(cls):
        peer = cls.veth[:-1] + "n"
        run("ip", "netns", "add", cls.netns)
        run("ip", "link", "add", cls.veth, "type", "veth", "peer", "name", peer)
        run("ip", "link", "set", peer, "netns", cls.netns)
        run("ip", "addr", "add", f"{HOST_V4}/30", "dev", cls.veth)
        run("ip", "-6", "addr", "add", f"{HOST_V6}/64", "dev", cls.veth, "nodad")
        run("ip", "link", "set", cls.veth, "up")
        inside = ["ip", "netns", "exec", cls.netns]
        run(*inside, "ip", "link", "set", "lo", "up")
        run(*inside, "ip", "addr", "add", f"{NS_V4}/30", "dev", peer)
        run(*inside, "ip", "-6", "addr", "add", f"{NS_V6}/64", "dev", peer, "nodad")
        run(*inside, "ip", "link", "set", peer, "up")

    @classmethod
    def setup_servers(cls):
        cert, key = (os.path.join(cls.tmp.name, n) for n in ("cert.pem", "key.pem"))
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-subj", "/CN=pw-discovery-test", "-days", "2", "-keyout", key,
            "-out", cert)
        # A fresh namespace has every port free: any port works, chosen now.
        cls.v4_port, cls.v6_port, cls.lo_port = random.sample(range(20000, 60000), 3)
        cls.servers.append(start_server(cls.netns, cert, key, str(cls.v4_port), "-4"))
        cls.servers.append(start_server(cls.netns, cert, key, str(cls.v6_port), "-6"))
        cls.servers.append(start_server(cls.netns, cert, key, f"127.0.0.1:{cls.lo_port}"))
        with open(shipped.CONFIG, encoding="utf-8") as source:
            text = source.read()
        ports = f"tls_ports = [443, 8443, {cls.v4_port}, {cls.v6_port}, {cls.lo_port}]"
        text, count = re.subn(r"^tls_ports = .*$", ports, text, flags=re.M)
        assert count == 1, "deploy/portwarden.toml has no tls_ports line"
        # Scans every second, so the agent sees the unprobed listener several times.
        text, count = re.subn(r'^scan_interval = "[^"]*"', 'scan_interval = "1s"', text,
                              flags=re.M)
        assert count == 1, "deploy/portwarden.toml has no scan_interval line"
        cls.config = os.path.join(cls.tmp.name, "portwarden.toml")
        with open(cls.config, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(cls.config, 0o644)

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers:
            server.kill()
            server.wait(timeout=10)
            server.stdout.close()
        subprocess.run(["ip", "link", "delete", cls.veth], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "delete", cls.netns], check=False, capture_output=True)
        cls.tmp.cleanup()

    def agent(self, prefix):
        wrapper = os.path.join(self.tmp.name, "portwarden-as")
        with open(wrapper, "w", encoding="utf-8") as script:
            script.write("#!/bin/sh\nexec " + " ".join(prefix) + f" {BINARY} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        return AgentProcess(wrapper, ["--config.file=" + self.config, "--log.level=info"])

    def series(self, body, name, target):
        """Lines of `name` for `target` in our namespace (other sessions' namespaces may hold
        listeners on the same port numbers at the same time)."""
        pattern = re.compile(r'^%s\{[^}]*target="%s/%s"[^}]*\} \S+$'
                             % (re.escape(name), re.escape(self.netns), re.escape(target)), re.M)
        return pattern.findall(body)

    def wait_for_verdicts(self, agent, targets):
        """The metrics once every target has a verify result (the handshake completed)."""
        deadline = time.monotonic() + 60
        while True:
            body = agent.get("/metrics")[2]
            if all(self.series(body, "portwarden_tls_verify_result_info", t) for t in targets):
                return body
            if time.monotonic() > deadline:
                self.fail(f"no verdict for {targets}:\n{body}\nlog:\n{agent.log()}")
            time.sleep(0.2)

    def value(self, body, series):
        match = re.search("^" + re.escape(series) + r" (\S+)$", body, re.M)
        self.assertIsNotNone(match, series)
        return float(match.group(1))

    def test_unit_credentials_probe_through_the_namespace_address(self):
        v4 = f"{NS_V4}:{self.v4_port}"
        v6 = f"[{NS_V6}]:{self.v6_port}"
        with self.agent(shipped.unit_setpriv()) as agent:
            body = self.wait_for_verdicts(agent, [v4, v6])
            time.sleep(3.5)  # a few more scans: the unprobed listener is still logged once
            log = agent.log()
        for target in (v4, v6):
            (info,) = self.series(body, "portwarden_tls_verify_result_info", target)
            self.assertIn(f'address="{target}"', info)  # connected from the agent's namespace
            self.assertIn('source="discovered"', info)
            self.assertRegex(info, r'result="(self_signed|hostname_mismatch|ok)"')
        self.assertNotRegex(body, r'portwarden_tls_probe_failures_total\{[^}]*reason="netns"'
                                  r'\} [1-9]')
        # The loopback-only listener is not probed (nothing outside the namespace reaches it).
        for name in ("portwarden_tls_probe_success", "portwarden_tls_probes_total"):
            self.assertEqual(self.series(body, name, f"127.0.0.1:{self.lo_port}"), [])
        self.assertGreaterEqual(
            self.value(body, 'portwarden_discovery_targets{state="not_probed_loopback"}'), 1)
        self.assertGreaterEqual(
            self.value(body, 'portwarden_discovery_targets{state="probed_via_address"}'), 2)
        unprobed = [l for l in log.splitlines()
                    if "not probed" in l and f"127.0.0.1:{self.lo_port}" in l]
        self.assertEqual(len(unprobed), 1, log)
        self.assertIn(self.netns, unprobed[0])

    def test_root_probes_from_inside_at_loopback(self):
        targets = [f"127.0.0.1:{self.v4_port}", f"[::1]:{self.v6_port}",
                   f"127.0.0.1:{self.lo_port}"]
        with self.agent([]) as agent:
            body = self.wait_for_verdicts(agent, targets)
        for target in targets:
            (info,) = self.series(body, "portwarden_tls_verify_result_info", target)
            self.assertIn(f'target="{self.netns}/{target}"', info)
            self.assertIn(f'address="{target}"', info)
        self.assertGreaterEqual(
            self.value(body, 'portwarden_discovery_targets{state="probed_inside"}'), 3)
        self.assertEqual(
            self.value(body, 'portwarden_discovery_targets{state="probed_via_address"}'), 0)


if __name__ == "__main__":
    sys.argv = sys.argv[:1]
    if os.geteuid() != 0:
        skip_unprivileged("needs root for network namespaces, veths and setpriv")
    unittest.main()
