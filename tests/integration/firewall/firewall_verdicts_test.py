"""Firewall verdicts against real rulesets, checked by hand and against the kernel.

Namespaces made here: `srv` (nftables ruleset loaded with `nft -f`: input policy drop, 443 open,
8443 only from 10.0.0.0/8, a named set of ports, a jump to a user chain, an unmodelled match, a
DNAT publishing a port of `ctr`), `srv2` (rules written with iptables-nft) and `ctr` (the
container behind the DNAT). `peer` is linked to srv and srv2 by veth pairs and holds a "public"
(198.20.x, globally routable, never leaves the test's namespaces) and a "private" (10.x) source
address. Every verdict the agent exports must equal the one written below, and a real TCP
connection from peer succeeds exactly where the verdict says accept.
Usage: firewall_verdicts_test.py PORTWARDEN_BINARY"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from netns_firewall import (VerdictTestCase, add_namespaces, attempts, hold, link,  # noqa
                            main, ns, outcomes, series, verdicts)

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"
TAG = "pwfw%d" % os.getpid()
SRV, SRV2, CTR, PEER = (TAG + suffix for suffix in ("srv", "srv2", "ctr", "peer"))

SRV_RULES = """
table inet filter {
  set admin_ports { type inet_service; elements = { 9001, 9002 } }
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iif "lo" accept
    tcp dport 443 accept
    ip saddr 10.0.0.0/8 tcp dport 8443 accept
    tcp dport @admin_ports accept
    tcp dport 2222 jump trusted
    tcp dport 6000 meta mark 0 accept
  }
  chain trusted {
    ip saddr != 10.0.0.0/8 return
    accept
  }
}
table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    tcp dport 8080 dnat to 10.200.0.2:80
  }
}
"""

SRV2_IPTABLES = [
    ["-P", "INPUT", "DROP"],
    ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "--dport", "443", "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "-s", "10.0.0.0/8", "--dport", "8443", "-j", "ACCEPT"],
]

# (namespace, port): (from public, from private), written by hand from the rules above.
EXPECTED = {
    (SRV, 443): ("accept", "accept"),
    (SRV, 8443): ("drop", "accept"),
    (SRV, 9001): ("accept", "accept"),  # named set
    (SRV, 2222): ("drop", "accept"),  # user chain: returns unless 10/8
    (SRV, 6000): ("unknown", "unknown"),  # meta mark is not modelled
    (SRV, 1234): ("drop", "drop"),  # policy
    (SRV2, 443): ("accept", "accept"),
    (SRV2, 8443): ("drop", "accept"),
    (SRV2, 1234): ("drop", "drop"),
    (CTR, 80): ("accept", "accept"),  # published by srv's DNAT on 8080
}
# Where peer connects for each listener: (public target, private target), host:port.
TARGETS = {SRV: ("198.20.0.1", "10.9.0.1"), SRV2: ("198.20.1.1", "10.9.1.1")}
SOURCES = {SRV: ("198.20.0.2", "10.9.0.2"), SRV2: ("198.20.1.2", "10.9.1.2")}


class FirewallVerdictTest(VerdictTestCase):
    namespaces = (SRV, SRV2, CTR, PEER)

    @classmethod
    def set_up(cls):
        add_namespaces(SRV, SRV2, CTR, PEER)
        link(SRV, PEER, "fw0", "p0", ["10.9.0.1/24", "198.20.0.1/24"],
             ["10.9.0.2/24", "198.20.0.2/24"])
        link(SRV2, PEER, "fw1", "p1", ["10.9.1.1/24", "198.20.1.1/24"],
             ["10.9.1.2/24", "198.20.1.2/24"])
        link(SRV, CTR, "c0", "eth0", ["10.200.0.1/24"], ["10.200.0.2/24"])
        ns(CTR, "ip", "route", "add", "default", "via", "10.200.0.1")
        ns(SRV, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        ns(SRV, "nft", "-f", "-", input=SRV_RULES)
        for rule in SRV2_IPTABLES:
            ns(SRV2, "iptables-nft", *rule)
        for space, ports in ((SRV, [443, 8443, 9001, 2222, 6000, 1234]),
                             (SRV2, [443, 8443, 1234]), (CTR, [80])):
            cls.holders.append(hold(space, ports))
        cls.start_agent(BINARY, "firewall verdicts", '[exposure]\njudge = "effective"\n')
        if os.environ.get("FW_DUMP"):
            open(os.environ["FW_DUMP"], "w").write(cls.metrics + "\n" + cls.agent.log())

    @classmethod
    def ready(cls):
        text = cls.agent.metrics()
        return text if ('netns="%s"' % CTR) in text and "firewall_verdict" in text else None

    def series(self, name, netns, port):
        return series(self.metrics, name, netns, port)

    def verdicts(self, netns, port):
        return verdicts(self.metrics, netns, port)

    def test_verdicts_as_written(self):
        for (netns, port), expected in EXPECTED.items():
            with self.subTest(netns=netns, port=port):
                self.assertEqual(self.verdicts(netns, port), expected)

    def test_kernel_agrees(self):
        specs = []
        for (netns, port), _ in EXPECTED.items():
            space = SRV if netns == CTR else netns
            dst_port = 8080 if netns == CTR else port
            for i in (0, 1):
                specs.append("%s,%s,%d" % (SOURCES[space][i], TARGETS[space][i], dst_port))
        outcome = attempts(PEER, specs)
        for (netns, port), expected in EXPECTED.items():
            space = SRV if netns == CTR else netns
            dst_port = 8080 if netns == CTR else port
            for i in (0, 1):
                if expected[i] == "unknown":
                    continue  # the agent makes no claim
                spec = "%s,%s,%d" % (SOURCES[space][i], TARGETS[space][i], dst_port)
                with self.subTest(spec=spec, verdict=expected[i]):
                    self.assertEqual(outcome[spec], expected[i] == "accept")

    def connects(self, port):
        return outcomes(PEER, ["%s,%s,%d" % (SOURCES[SRV][i], TARGETS[SRV][i], port)
                               for i in (0, 1)])

    def test_changed_ruleset_is_seen_at_the_next_cycle(self):
        # The agent reads a namespace's ruleset again only when its nftables generation
        # changes: a rule added with `nft` must turn srv's 1234 from drop to accept, and its
        # removal back, each checked against a real connection. The ruleset is as before after.
        self.assertEqual(self.verdicts(SRV, 1234), ("drop", "drop"))
        echo = ns(SRV, "nft", "--echo", "--handle", "insert", "rule", "inet", "filter", "input",
                  "tcp", "dport", "1234", "accept").stdout
        handle = re.search(r"# handle (\d+)", echo).group(1)
        try:
            self.wait_verdicts(SRV, 1234, ("accept", "accept"))
            self.assertEqual(self.connects(1234), ("accept", "accept"))
        finally:
            ns(SRV, "nft", "delete", "rule", "inet", "filter", "input", "handle", handle)
        self.wait_verdicts(SRV, 1234, ("drop", "drop"))
        self.assertEqual(self.connects(1234), ("drop", "drop"))
        self.assertEqual(self.verdicts(SRV, 443), ("accept", "accept"))

    def test_bound_public_not_reachable(self):
        # A wildcard 8443 in srv is bound public (198.20.0.1) but dropped from public sources:
        # judged on its effective reach it is no violation, and a distinct finding instead.
        for netns in (SRV, SRV2):
            with self.subTest(netns=netns):
                self.assertEqual(self.series("portwarden_exposure_violation", netns, 8443), [])
                found = self.series("portwarden_exposure_bound_unreachable", netns, 8443)
                self.assertEqual([l["rule"] for l in found], ["https-alt-internal"])


if __name__ == "__main__":
    main(("nft", "iptables-nft"), "needs root, nft and iptables-nft")
