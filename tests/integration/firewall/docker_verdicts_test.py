"""Docker's port publishing judged from Docker's own rules, by hand and against the kernel.

Docker 20.10 (Debian 12's docker.io) writes, for `docker run -p PUB:CTR_PORT` on the default
bridge, the iptables rules below (its iptables-save text, verbatim but for the ports, chosen
at run time). Layout as documented by Docker ("Docker with iptables",
https://docs.docker.com/engine/network/firewall-iptables/): nat PREROUTING jumps on
`-m addrtype --dst-type LOCAL` to DOCKER, which returns for docker0 and DNATs the published
port; filter FORWARD (policy DROP) runs DOCKER-USER, DOCKER-ISOLATION-STAGE-1, then accepts
what leaves by docker0 through the filter DOCKER chain. Docker 25+ moves part of FORWARD into
DOCKER-FORWARD and adds raw PREROUTING rules; those are not loaded here. The documented way to
restrict a published port is a DROP in DOCKER-USER (`-I DOCKER-USER -i ext_if ! -s … -j
DROP`, https://docs.docker.com/engine/network/packet-filtering-firewalls/).

Namespaces made here, once per backend: `hn`/`hl` (the host: rules loaded with
iptables-nft-restore / iptables-legacy-restore, ip_forward on, `eth0` towards the peer and a
veth named `docker0` at 172.17.0.1/16 into the container), `cn`/`cl` (the container at
172.17.0.2 / 172.17.0.3, listening on CTR_PORT), and one `peer` with a "public" (198.20.x)
and a "private" (10.x) source address per host. Every verdict the agent exports must equal
the one written below, and a real TCP connection from peer to the host's PUB succeeds
exactly where it says accept. iptables-nft writes `-m addrtype` and `-j DNAT` as xt compat
expressions, whose options the agent reads from the kernel's rule dump (nft_compat.h). Usage: docker_verdicts_test.py PORTWARDEN_BINARY"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from netns_firewall import (VerdictTestCase, add_namespaces, hold, link, main, ns,  # noqa
                            outcomes, verdicts)

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"
TAG = "pwdk%d" % os.getpid()
PUB, CTR_PORT, HOST_PORT = random.sample(range(20000, 60000), 3)

DOCKER_RULES = """*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s {addr}/32 -d {addr}/32 -p tcp -m tcp --dport {ctr} -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport {pub} -j DNAT --to-destination {addr}:{ctr}
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d {addr}/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport {ctr} -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
"""
RESTRICTION = ["DOCKER-USER", "-i", "eth0", "!", "-s", "10.0.0.0/8", "-j", "DROP"]

# backend: (host, container, restore command, iptables command, peer if, subnet index,
# container address). The containers differ in address: the agent sees both hosts, and a
# DNAT to an address is taken to publish every other namespace's listener on it.
BACKENDS = {
    "nft": (TAG + "hn", TAG + "cn", "iptables-nft-restore", "iptables-nft", "d0", 6,
            "172.17.0.2"),
    "legacy": (TAG + "hl", TAG + "cl", "iptables-legacy-restore", "iptables-legacy", "d1", 7,
               "172.17.0.3"),
}


def sources(backend):
    """(public, private) addresses of peer towards the backend's host, and the host's."""
    n = BACKENDS[backend][5]
    return ("198.20.%d.2" % n, "10.9.%d.2" % n), ("198.20.%d.1" % n, "10.9.%d.1" % n)


class DockerVerdictTest(VerdictTestCase):
    namespaces = tuple(space for host, ctr, *_ in BACKENDS.values()
                       for space in (host, ctr)) + (TAG + "peer",)

    @classmethod
    def set_up(cls):
        add_namespaces(TAG + "peer")
        for backend, (host, ctr, restore, _, peer_if, _, addr) in BACKENDS.items():
            add_namespaces(host, ctr)
            (src_pub, src_priv), (dst_pub, dst_priv) = sources(backend)
            link(host, TAG + "peer", "eth0", peer_if, [dst_priv + "/24", dst_pub + "/24"],
                 [src_priv + "/24", src_pub + "/24"])
            link(host, ctr, "docker0", "eth0", ["172.17.0.1/16"], [addr + "/16"])
            ns(ctr, "ip", "route", "add", "default", "via", "172.17.0.1")
            ns(host, "sysctl", "-qw", "net.ipv4.ip_forward=1")
            ns(host, restore, "-w", input=DOCKER_RULES.format(pub=PUB, ctr=CTR_PORT, addr=addr))
            cls.holders.append(hold(ctr, [CTR_PORT]))
            cls.holders.append(hold(host, [HOST_PORT]))
        cls.start_agent(BINARY, "docker verdicts")

    @classmethod
    def ready(cls):
        text = cls.agent.metrics()
        ready = all(verdicts(text, ctr, CTR_PORT)[0] and verdicts(text, host, HOST_PORT)[0]
                    for host, ctr, *_ in BACKENDS.values())
        return text if ready else None

    def connects(self, backend):
        """(public, private) outcome of a real connection from peer to the host's PUB."""
        src, dst = sources(backend)
        return outcomes(TAG + "peer", ["%s,%s,%d" % (src[i], dst[i], PUB) for i in (0, 1)])

    def test_published_port_as_written_and_by_the_kernel(self):
        for backend, (host, ctr, *_) in BACKENDS.items():
            with self.subTest(backend=backend):
                self.assertEqual(verdicts(self.metrics, ctr, CTR_PORT), ("accept", "accept"),
                                 self.agent.log())
                self.assertIn('netns="%s"' % ctr, self.metrics)
                self.assertEqual(self.connects(backend), ("accept", "accept"))
                # The host's own listener passes the addrtype jump and DOCKER's return.
                self.assertEqual(verdicts(self.metrics, host, HOST_PORT), ("accept", "accept"))

    def test_docker_user_restriction(self):
        # The documented restriction of published ports: public drop, private accept.
        for backend, (host, ctr, _, command, *_) in BACKENDS.items():
            with self.subTest(backend=backend):
                ns(host, command, "-w", "-I", *RESTRICTION)
                try:
                    self.wait_verdicts(ctr, CTR_PORT, ("drop", "accept"))
                    self.assertEqual(self.connects(backend), ("drop", "accept"))
                finally:
                    ns(host, command, "-w", "-D", *RESTRICTION)
                self.wait_verdicts(ctr, CTR_PORT, ("accept", "accept"))
                self.assertEqual(self.connects(backend), ("accept", "accept"))


if __name__ == "__main__":
    main(("iptables-nft-restore", "iptables-legacy-restore", "iptables-nft", "iptables-legacy"),
         "needs root, iptables-nft and iptables-legacy (restore included)")
