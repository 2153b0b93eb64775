"""The inventory under the shipped deployments' own credentials, against listeners in three
namespaces the test makes: an `ip netns` one, an `unshare -n` one with no /run/netns name, and
one whose only member process runs as another non-root user.

- Under the systemd unit's credentials (its capabilities and a DynamicUser-range uid, parsed
  from deploy/systemd/portwarden.service; setns() impossible), `portwarden scan` and the agent
  see the same (netns, proto, address, port, scope, process) set as a root scan and as
  `ss -Htulnp` run inside each namespace.
- As `nobody` with no capabilities, what degrades is what docs/metrics.md says: every listener
  is still listed, owners of other users' sockets are missing, a namespace no process of ours
  names is labelled procnet:[N], an IPv6 wildcard's v6only is unknown (scope assumes
  dual-stack), and the named namespace with no readable member is counted unreadable; the scan
  hints on stderr and exits 5 with --fail-on-partial; the agent's metrics and its first-scan log
  line say the same.
- A discovered TLS listener bound to loopback in a namespace the unit cannot enter is not probed
  (counted in portwarden_discovery_targets; inventory_credentials_discovery_test.py covers the
  listeners that are probed there, through the namespace's own address).
- The credentials and config used are those the unit and the DaemonSet ship.
Usage: inventory_credentials_test.py PORTWARDEN_BINARY"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import shipped_credentials as shipped  # noqa: E402
from agent_process import AgentProcess  # noqa: E402
from inventory_helpers import Holder, ss_key  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402  (path set by inventory_helpers)

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "portwarden"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
OTHER_UID = 61999  # the member process of namespace C: neither the agent's uid nor nobody

# 198.20.0.1 is public, fd00:77::1 private (ULA), 10.77.0.1 private.
SPECS = {
    "named": [
        {"proto": "tcp", "addr": "0.0.0.0", "scope": "public"},
        {"proto": "tcp", "addr": "127.0.0.1", "scope": "loopback"},
        {"proto": "tcp", "addr": "::", "v6only": True, "scope": "private"},
        {"proto": "tcp", "addr": "::", "v6only": False, "scope": "public"},
        {"proto": "udp", "addr": "::1", "scope": "loopback"},
        {"proto": "tcp", "addr": "127.0.0.1", "count": 3, "scope": "loopback"},
    ],
    "unnamed": [
        {"proto": "tcp", "addr": "0.0.0.0", "scope": "private"},
        {"proto": "tcp", "addr": "127.0.0.1", "port": 8443, "scope": "loopback"},  # discovered
        {"proto": "udp", "addr": "10.77.0.1", "scope": "private"},
        {"proto": "tcp", "addr": "::", "v6only": True, "scope": "loopback"},  # no v6 address
    ],
    "other_user": [
        {"proto": "tcp", "addr": "0.0.0.0", "scope": "private"},
        {"proto": "udp", "addr": "::", "v6only": True, "scope": "private"},
    ],
}
ADDRESSES = {
    "named": "ip addr add 198.20.0.1/32 dev lo && ip -6 addr add fd00:77::1/128 dev lo nodad",
    "unnamed": "ip addr add 10.77.0.1/32 dev lo",
    "other_user": "ip addr add 10.77.0.2/32 dev lo && ip -6 addr add fd00:77::2/128 dev lo nodad",
}


def privileged_or_skip():
    if os.geteuid() != 0:
        skip_unprivileged("needs root for network namespaces and setpriv")


def netns_inode(pid):
    return os.stat(f"/proc/{pid}/ns/net").st_ino


def run_scan(prefix, *flags):
    args = [*prefix, BINARY, "scan", "--output=json", "--config.file=" + shipped.CONFIG, *flags]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def ss_inside(pid):
    out = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", "ss", "-Htulnp"],
                         capture_output=True, text=True, check=True).stdout
    result = {}
    for line in out.splitlines():
        fields = line.split()
        address, port = fields[4].rsplit(":", 1)
        address = address.split("%")[0].strip("[]")
        result[(fields[0], address, int(port))] = {int(p) for p in re.findall(r"pid=(\d+)", line)}
    return result


class CredentialsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.netns_name = f"pw-cred-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", cls.netns_name], check=True)
        cls.holders = {}
        try:
            cls.holders["named"] = cls.holder("named", ["ip", "netns", "exec", cls.netns_name])
            cls.holders["unnamed"] = cls.holder("unnamed", ["unshare", "-n"])
            cls.holders["other_user"] = cls.holder(
                "other_user", ["unshare", "-n"], shipped.setpriv(OTHER_UID, []))
        except Exception:
            cls.tearDownClass()
            raise
        cls.inodes = {name: netns_inode(h.pid) for name, h in cls.holders.items()}

    @classmethod
    def holder(cls, name, enter, drop=()):
        """A holder process alone in its namespace (set up by a shell that then execs it)."""
        script = f"ip link set lo up && {ADDRESSES[name]} && exec \"$@\""
        return Holder(SPECS[name], prefix=[*enter, "sh", "-c", script, "sh", *drop],
                      python=PYTHON)

    @classmethod
    def tearDownClass(cls):
        for holder in cls.holders.values():
            holder.close()
        subprocess.run(["ip", "netns", "delete", cls.netns_name], check=False)

    def ours(self, listeners):
        """(namespace name, proto, address, port, v6only of a wildcard) -> listener, ours
        only (the /proc path reports v6only for wildcards only: elsewhere it changes nothing)."""
        by_inode = {inode: name for name, inode in self.inodes.items()}
        out = {}
        for l in listeners:
            name = by_inode.get(l["netns_inode"])
            if name is not None:
                v6only = l["v6only"] if l["address"] == "::" else None
                out[(name, l["proto"], l["address"], l["port"], v6only)] = l
        return out

    def expected_keys(self):
        keys = set()
        for name, holder in self.holders.items():
            for spec in holder.sockets:
                keys.add((name, spec["proto"], spec["addr"], spec["port"], spec.get("v6only", True)
                          if spec["addr"] == "::" else None))
        return keys

    def tuples(self, listeners):
        """The compared set: (netns, proto, address, port, scope, pid, comm)."""
        return {(l["netns"], l["proto"], l["address"], l["port"], l["scope"],
                 l["process"]["pid"], l["process"]["comm"]) for l in listeners.values()}

    def scan_ok(self, prefix):
        result = run_scan(prefix)
        self.assertEqual(result.returncode, 0, result.stderr)
        return self.ours(json.loads(result.stdout)), result.stderr

    def test_setns_is_impossible_under_the_unit_credentials(self):
        result = subprocess.run([*shipped.unit_setpriv(), "nsenter",
                                 f"--net=/run/netns/{self.netns_name}", "true"],
                                capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Operation not permitted", result.stderr)

    def test_unit_credentials_see_what_root_and_ss_see(self):
        root, _ = self.scan_ok([])
        unit, _ = self.scan_ok(shipped.unit_setpriv())
        self.assertEqual(set(root), self.expected_keys())
        self.assertEqual(self.tuples(unit), self.tuples(root))
        for key, listener in root.items():
            name = key[0]
            spec = next(s for s in self.holders[name].sockets
                        if (s["proto"], s["addr"], s["port"]) == key[1:4])
            self.assertEqual(listener["scope"], spec["scope"], key)
            self.assertEqual(listener["process"]["pid"], self.holders[name].pid, key)
            if listener["address"] == "::":
                self.assertEqual(unit[key]["v6only"], listener["v6only"], key)
            self.assertEqual(unit[key]["socket_count"], listener["socket_count"], key)
        self.assertEqual(root[next(k for k in root if k[0] == "named")]["netns"],
                         self.netns_name)
        for name, holder in self.holders.items():
            seen = ss_inside(holder.pid)
            mine = {ss_key(l): l["process"]["pid"] for k, l in unit.items() if k[0] == name}
            self.assertEqual(set(mine), set(seen), name)
            for key, pid in mine.items():
                self.assertIn(pid, seen[key], (name, key))

    def test_nobody_degrades_as_documented(self):
        result = run_scan(shipped.nobody_setpriv(), "--fail-on-partial")
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertRegex(result.stderr, r"portwarden: partial view: .*network namespaces "
                                        r"unreadable.*sockets without a readable owner")
        hints = [l for l in result.stderr.splitlines() if l.startswith("portwarden:")]
        self.assertEqual(len(hints), 1, result.stderr)
        listeners = json.loads(result.stdout)
        # No ptrace access: namespaces are found through /proc/<pid>/net/tcp, labelled by it.
        labels = {name: f"procnet:[{os.stat(f'/proc/{h.pid}/net/tcp').st_ino}]"
                  for name, h in self.holders.items()}
        seen = {(l["netns"], l["proto"], l["address"], l["port"]) for l in listeners}
        for name, holder in self.holders.items():
            for spec in holder.sockets:
                self.assertIn((labels[name], spec["proto"], spec["addr"], spec["port"]), seen)
        for l in listeners:
            if l["netns"] in labels.values():
                self.assertEqual(l["process"]["pid"], 0, l)  # other users' fds are unreadable
                self.assertIsNone(l["v6only"], l)
                if l["address"] == "::":  # v6only unknown: dual-stack assumed, the wider scope
                    self.assertEqual(l["scope"], "public" if l["netns"] == labels["named"]
                                     else "private", l)

    def agent(self, prefix, config):
        wrapper = os.path.join(self.tmp.name, "portwarden-as")
        with open(wrapper, "w", encoding="utf-8") as script:
            script.write("#!/bin/sh\nexec " + " ".join(prefix) + f" {BINARY} \"$@\"\n")
        os.chmod(wrapper, 0o755)
        return AgentProcess(wrapper, ["--config.file=" + config, "--log.level=info"])

    def metrics_after_first_scan(self, agent):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "First inventory scan" in agent.log():
                break
            time.sleep(0.1)
        status, _, body = agent.get("/metrics")
        self.assertEqual(status, 200)
        return body

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        os.chmod(self.tmp.name, 0o755)

    def tearDown(self):
        self.tmp.cleanup()

    def value(self, body, series):
        match = re.search("^" + re.escape(series) + r" (\S+)$", body, re.M)
        self.assertIsNotNone(match, series)
        return float(match.group(1))

    def test_agent_under_unit_credentials_exports_every_namespace(self):
        with self.agent(shipped.unit_setpriv(), shipped.CONFIG) as agent:
            body = self.metrics_after_first_scan(agent)
            line = [l for l in agent.log().splitlines() if "First inventory scan" in l]
            # The discovered TLS listener on 127.0.0.1:8443 is in a namespace the agent cannot
            # enter, and nothing outside it reaches loopback: not probed (no failing probe with
            # reason netns), counted, and logged once.
            target = "net:[%d]/127.0.0.1:8443" % self.inodes["unnamed"]
            unprobed = 'portwarden_discovery_targets{state="not_probed_loopback"}'
            deadline = time.monotonic() + 30
            while unprobed not in body and time.monotonic() < deadline:
                time.sleep(0.2)
                body = agent.get("/metrics")[2]
            self.assertGreaterEqual(self.value(body, unprobed), 1)
            self.assertNotIn('target="%s"' % target, body)
            self.assertNotRegex(body, r'portwarden_tls_probe_failures_total\{[^}]*reason="netns"')
            logged = [l for l in agent.log().splitlines() if "not probed" in l and target in l]
            self.assertEqual(len(logged), 1, agent.log())
        self.assertEqual(len(line), 1, agent.log())
        self.assertRegex(line[0], r"listeners=\d+ namespaces=\"[^\"]*via /proc")
        self.assertGreaterEqual(
            self.value(body, 'portwarden_inventory_namespaces{state="via_proc"}'), 3)
        self.assertEqual(self.value(body, "portwarden_inventory_v6only_unknown_listeners"), 0)
        for name, holder in self.holders.items():
            for spec in holder.sockets:
                self.assertRegex(body, r'portwarden_listener_info\{netns="[^"]+",proto="%s",'
                                 r'family="\w+",address="%s",port="%d",scope="%s",'
                                 r'process="python3"' % (spec["proto"], re.escape(spec["addr"]),
                                                         spec["port"], spec["scope"]))

    def test_agent_as_nobody_says_what_it_misses(self):
        with self.agent(shipped.nobody_setpriv(), shipped.CONFIG) as agent:
            body = self.metrics_after_first_scan(agent)
            line = [l for l in agent.log().splitlines() if "First inventory scan" in l]
        self.assertEqual(len(line), 1, agent.log())
        self.assertIn("level=warn", line[0])
        self.assertRegex(line[0], r'partial_view="[^"]*unreadable[^"]*without a readable owner')
        self.assertIn("attribution_partial=true", line[0])
        self.assertEqual(self.value(body, "portwarden_inventory_view_partial"), 1)
        self.assertEqual(self.value(body, "portwarden_inventory_attribution_partial"), 1)
        self.assertGreaterEqual(
            self.value(body, 'portwarden_inventory_namespaces{state="unreadable"}'), 1)
        self.assertGreaterEqual(
            self.value(body, 'portwarden_inventory_namespaces{state="via_proc"}'), 3)
        self.assertGreaterEqual(
            self.value(body, "portwarden_inventory_v6only_unknown_listeners"), 3)


class ShippedCredentialsTest(unittest.TestCase):
    """The tests above ran with what the deploy/ files ship (no root needed)."""

    def test_unit_and_daemonset_grant_the_same_capabilities(self):
        self.assertEqual(shipped.unit_capabilities(), shipped.daemonset_capabilities())
        self.assertNotIn("CAP_SYS_ADMIN", shipped.unit_capabilities())

    def test_unit_allows_the_one_extra_syscall_the_proc_path_uses(self):
        filters = " ".join(shipped.unit_directives()["SystemCallFilter"])
        self.assertIn("pidfd_getfd", filters)

    def test_shipped_configs_inventory_every_namespace(self):
        with open(shipped.CONFIG, encoding="utf-8") as config:
            texts = [config.read(), shipped.configmap_toml()]
        for text in texts:
            self.assertEqual(tomllib.loads(text)["discovery"]["namespaces"], "all")


if __name__ == "__main__":
    sys.argv = sys.argv[:1]
    privileged_or_skip()
    unittest.main()
