"""Firewall verdicts against legacy iptables rules (x_tables, loaded by iptables-legacy),
checked by hand and against the kernel.

Namespaces made here: `srv` (legacy rules only: input policy drop, a port open to all, one
accepted only from 10.0.0.0/8, a jump to a user chain that returns unless 10/8, multiport, an
unmodelled `-m limit`, and a nat PREROUTING DNAT publishing a port of `ctr`; plus an IPv6
legacy table), `both` (nftables and legacy rules at once: a packet must pass both hooks) and
`ctr` (the container behind the DNAT). `peer` is linked to srv and both by veth pairs and
holds a "public" (198.20.x) and a "private" (10.x) source address. `six` holds IPv6 legacy
rules only (`ip6tables-legacy -P INPUT DROP; -A INPUT -p all -j ACCEPT`: `-p all` is proto 0
with IP6T_F_PROTO, which the kernel matches for every packet) and an IPv6-only listener, linked
to peer over IPv6. Ports are chosen at run time. Every verdict the agent exports must equal the one written below, and a real TCP
connection from peer succeeds exactly where the verdict says accept.
Usage: legacy_verdicts_test.py PORTWARDEN_BINARY"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from netns_firewall import (VerdictTestCase, add_namespaces, attempts, hold, link,  # noqa
                            main, ns, outcomes, verdicts)

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"
TAG = "pwlg%d" % os.getpid()
SRV, BOTH, CTR, PEER, SIX = (TAG + suffix for suffix in ("srv", "both", "ctr", "peer", "six"))

_ports = random.sample(range(20000, 60000), 14)
(OPEN, ADMIN, TRUSTED, MULTI_A, MULTI_B, LIMITED, CLOSED, PUBLISHED, CTR_PORT,
 NFT_DROPS, BOTH_ACCEPT, LEGACY_DROPS, LATER, SIX_ANY) = _ports

SRV_IPTABLES = [
    ["-P", "INPUT", "DROP"],
    ["-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "--dport", str(OPEN), "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "-s", "10.0.0.0/8", "--dport", str(ADMIN), "-j", "ACCEPT"],
    ["-N", "trusted"],
    ["-A", "trusted", "!", "-s", "10.0.0.0/8", "-j", "RETURN"],
    ["-A", "trusted", "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "--dport", str(TRUSTED), "-j", "trusted"],
    ["-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "%d,%d" % (MULTI_A, MULTI_B),
     "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "--dport", str(LIMITED), "-m", "limit", "--limit", "100/s",
     "-j", "ACCEPT"],
    ["-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", str(PUBLISHED), "-j", "DNAT",
     "--to-destination", "10.201.0.2:%d" % CTR_PORT],
]
BOTH_NFT = """
table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport %d drop
  }
}
""" % NFT_DROPS
BOTH_IPTABLES = [
    ["-P", "INPUT", "DROP"],
    ["-A", "INPUT", "-p", "tcp", "--dport", str(NFT_DROPS), "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "--dport", str(BOTH_ACCEPT), "-j", "ACCEPT"],
]
SIX_IP6TABLES = [
    ["-P", "INPUT", "DROP"],
    ["-A", "INPUT", "-p", "all", "-j", "ACCEPT"],
]

# (namespace, port): (from public, from private), written by hand from the rules above.
EXPECTED = {
    (SRV, OPEN): ("accept", "accept"),
    (SRV, ADMIN): ("drop", "accept"),  # -s 10.0.0.0/8
    (SRV, TRUSTED): ("drop", "accept"),  # user chain: returns unless 10/8
    (SRV, MULTI_A): ("accept", "accept"),  # multiport
    (SRV, MULTI_B): ("accept", "accept"),
    (SRV, LIMITED): ("unknown", "unknown"),  # -m limit is not modelled
    (SRV, CLOSED): ("drop", "drop"),  # policy
    (CTR, CTR_PORT): ("accept", "accept"),  # published by srv's DNAT on PUBLISHED
    (BOTH, NFT_DROPS): ("drop", "drop"),  # legacy accepts, nftables drops
    (BOTH, BOTH_ACCEPT): ("accept", "accept"),  # both accept
    (BOTH, LEGACY_DROPS): ("drop", "drop"),  # nftables accepts, legacy policy drops
    (SIX, SIX_ANY): ("accept", "accept"),  # ip6tables -p all: every protocol
}
# Where peer connects for each namespace: (public target, private target) and sources.
TARGETS = {SRV: ("198.20.2.1", "10.9.2.1"), BOTH: ("198.20.3.1", "10.9.3.1"),
           SIX: ("2001:db8:4::1", "fd00:9:4::1")}
SOURCES = {SRV: ("198.20.2.2", "10.9.2.2"), BOTH: ("198.20.3.2", "10.9.3.2"),
           SIX: ("2001:db8:4::2", "fd00:9:4::2")}


def iptables(space, rules, command="iptables-legacy"):
    for rule in rules:
        ns(space, command, "-w", *rule)


class LegacyVerdictTest(VerdictTestCase):
    namespaces = (SRV, BOTH, CTR, PEER, SIX)

    @classmethod
    def set_up(cls):
        add_namespaces(SRV, BOTH, CTR, PEER, SIX)
        link(SRV, PEER, "lg0", "q0", ["10.9.2.1/24", "198.20.2.1/24"],
             ["10.9.2.2/24", "198.20.2.2/24"])
        link(BOTH, PEER, "lg1", "q1", ["10.9.3.1/24", "198.20.3.1/24"],
             ["10.9.3.2/24", "198.20.3.2/24"])
        link(SIX, PEER, "lg2", "q2", ["fd00:9:4::1/64", "2001:db8:4::1/64"],
             ["fd00:9:4::2/64", "2001:db8:4::2/64"])
        link(SRV, CTR, "c0", "eth0", ["10.201.0.1/24"], ["10.201.0.2/24"])
        ns(CTR, "ip", "route", "add", "default", "via", "10.201.0.1")
        ns(SRV, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        iptables(SRV, SRV_IPTABLES)
        iptables(SRV, [["-P", "INPUT", "DROP"]], "ip6tables-legacy")  # read, no IPv4 effect
        ns(BOTH, "nft", "-f", "-", input=BOTH_NFT)
        iptables(BOTH, BOTH_IPTABLES)
        iptables(SIX, SIX_IP6TABLES, "ip6tables-legacy")
        for space, ports in ((SRV, [OPEN, ADMIN, TRUSTED, MULTI_A, MULTI_B, LIMITED, CLOSED]),
                             (BOTH, [NFT_DROPS, BOTH_ACCEPT, LEGACY_DROPS]), (CTR, [CTR_PORT])):
            cls.holders.append(hold(space, ports))
        cls.holders.append(hold(SIX, [SIX_ANY], ipv6=True))
        cls.start_agent(BINARY, "legacy verdicts")

    @classmethod
    def ready(cls):
        text = cls.agent.metrics()
        return text if all(verdicts(text, netns, port)[0] for netns, port in EXPECTED) else None

    @staticmethod
    def spec(netns, port, i):
        space = SRV if netns == CTR else netns
        return "%s,%s,%d" % (SOURCES[space][i], TARGETS[space][i],
                             PUBLISHED if netns == CTR else port)

    def test_verdicts_as_written(self):
        for (netns, port), expected in EXPECTED.items():
            with self.subTest(netns=netns, port=port):
                self.assertEqual(verdicts(self.metrics, netns, port), expected)

    def test_kernel_agrees(self):
        outcome = attempts(PEER, [self.spec(n, p, i) for n, p in EXPECTED for i in (0, 1)])
        for (netns, port), expected in EXPECTED.items():
            for i in (0, 1):
                if expected[i] == "unknown":
                    continue  # the agent makes no claim
                spec = self.spec(netns, port, i)
                with self.subTest(spec=spec, verdict=expected[i]):
                    self.assertEqual(outcome[spec], expected[i] == "accept")

    def test_unmodelled_match_is_named_and_rulesets_readable(self):
        self.assertIn("xt match limit", self.agent.log())
        self.assertNotIn("legacy iptables tables present", self.agent.log())
        for netns in (SRV, BOTH, SIX):
            with self.subTest(netns=netns):
                self.assertIn('portwarden_firewall_ruleset_readable{netns="%s"} 1' % netns,
                              self.metrics)

    def test_changed_legacy_rules_are_seen_at_the_next_cycle(self):
        # Legacy tables have no generation id: the agent digests their entries each cycle.
        # A rule inserted with iptables-legacy turns CLOSED from drop to accept, its removal
        # back, each checked against a real connection.
        rule = ["INPUT", "-p", "tcp", "--dport", str(CLOSED), "-j", "ACCEPT"]
        ns(SRV, "iptables-legacy", "-w", "-I", *rule)
        try:
            self.wait_verdicts(SRV, CLOSED, ("accept", "accept"))
            self.assertEqual(self.connects(CLOSED), ("accept", "accept"))
        finally:
            ns(SRV, "iptables-legacy", "-w", "-D", *rule)
        self.wait_verdicts(SRV, CLOSED, ("drop", "drop"))
        self.assertEqual(self.connects(CLOSED), ("drop", "drop"))

    def connects(self, port):
        return outcomes(PEER, [self.spec(SRV, port, i) for i in (0, 1)])


if __name__ == "__main__":
    main(("nft", "iptables-legacy", "ip6tables-legacy"),
         "needs root, nft, iptables-legacy and ip6tables-legacy")
