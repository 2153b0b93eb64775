"""Network namespaces, veth links, listeners and real connection attempts for the firewall
verdict tests (firewall_verdicts_test.py, legacy_verdicts_test.py, docker_verdicts_test.py),
the queries of the agent's verdict series, and their common test class and main. Standard
library only (with agent_process and privilege from the test libraries on sys.path); needs
root."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from agent_process import AgentProcess
from privilege import skip_unprivileged

CONNECT = """
import socket, sys, concurrent.futures as cf
def attempt(spec):
    src, dst, port = spec.split(",")
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET)
    s.settimeout(1.5)
    s.bind((src, 0))
    try:
        s.connect((dst, int(port)))
        return spec + " ok"
    except OSError:
        return spec + " fail"
    finally:
        s.close()
with cf.ThreadPoolExecutor(32) as pool:
    for line in pool.map(attempt, sys.argv[1:]):
        print(line)
"""

HOLD = """
import socket, sys, time
socks = []
ipv6 = sys.argv[1] == "6"
for port in sys.argv[2:]:
    s = socket.socket(socket.AF_INET6 if ipv6 else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if ipv6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if ipv6 else "0.0.0.0", int(port)))
    s.listen(64)
    socks.append(s)
print("ready", flush=True)
time.sleep(3600)
"""


def run(*args, check=True, **kwargs):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kwargs)


def ns(name, *args, **kwargs):
    return run("ip", "netns", "exec", name, *args, **kwargs)


def add_namespaces(*names):
    for name in names:
        run("ip", "netns", "add", name)
        ns(name, "ip", "link", "set", "lo", "up")


def delete_namespaces(*names):
    for name in names:
        run("ip", "netns", "del", name, check=False)


def link(a, b, a_if, b_if, a_addrs, b_addrs):
    """A veth pair between namespaces a and b, with the given addresses (IPv6 ones without
    duplicate address detection: usable at once), up."""
    run("ip", "link", "add", a_if, "netns", a, "type", "veth", "peer", "name", b_if, "netns", b)
    for space, interface, addrs in ((a, a_if, a_addrs), (b, b_if, b_addrs)):
        for addr in addrs:
            nodad = ["nodad"] if ":" in addr else []
            ns(space, "ip", "addr", "add", addr, "dev", interface, *nodad)
        ns(space, "ip", "link", "set", interface, "up")


def hold(space, ports, ipv6=False):
    """Wildcard TCP listeners on `ports` in `space` (IPv4, or IPv6-only ones), until the
    returned process is stopped with release()."""
    holder = subprocess.Popen(["ip", "netns", "exec", space, sys.executable, "-c", HOLD,
                               "6" if ipv6 else "4", *map(str, ports)],
                              stdout=subprocess.PIPE, text=True)
    holder.stdout.readline()
    return holder


def release(holder):
    holder.kill()
    holder.wait()
    holder.stdout.close()


def attempts(peer, specs):
    """Real TCP connections from `peer`, each spec "source,destination,port": spec → ok."""
    result = ns(peer, sys.executable, "-c", CONNECT, *specs).stdout.split("\n")
    return {spec: outcome == "ok"
            for spec, outcome in (line.rsplit(" ", 1) for line in result if line)}


def series(metrics, name, netns, port):
    """The label sets of `name` series of the listener on `port` in `netns`."""
    pattern = re.compile(r'^%s\{([^}]*)\} (\S+)$' % name)
    found = []
    for line in metrics.splitlines():
        match = pattern.match(line)
        if match and ('netns="%s"' % netns) in match.group(1) and \
                ('port="%d"' % port) in match.group(1):
            found.append(dict(re.findall(r'(\w+)="([^"]*)"', match.group(1))))
    return found


def verdicts(metrics, netns, port):
    """(from public, from private) of portwarden_listener_firewall_verdict."""
    out = {}
    for labels in series(metrics, "portwarden_listener_firewall_verdict", netns, port):
        out[labels["from"]] = labels["verdict"]
    return out.get("public"), out.get("private")


def outcomes(peer, specs):
    """attempts() as verdicts: "accept" where the connection succeeds, else "drop", in the
    order of `specs`."""
    outcome = attempts(peer, specs)
    return tuple("accept" if outcome[spec] else "drop" for spec in specs)


AGENT_CONFIG = ('[agent]\nscan_interval = "1s"\n[discovery]\nenabled = false\n'
                '[inventory]\nmax_listener_series = 1000000\n')


class VerdictTestCase(unittest.TestCase):
    """A test class whose set_up() (a classmethod of the subclass) makes its namespaces
    (listed in `namespaces`), appends its listeners' holders to cls.holders and calls
    start_agent(); tearDownClass undoes it all, also when set_up fails halfway."""
    namespaces = ()

    @classmethod
    def setUpClass(cls):
        cls.holders = []
        cls.agent = None
        cls.tmp = None
        try:
            cls.set_up()
        except BaseException:
            cls.tearDownClass()  # unittest does not when setUpClass fails
            raise

    @classmethod
    def start_agent(cls, binary, what, extra_config=""):
        """Starts the agent (AGENT_CONFIG + `extra_config`) and waits until cls.ready() returns
        its metrics text, kept in cls.metrics."""
        cls.tmp = tempfile.mkdtemp()
        config = os.path.join(cls.tmp, "portwarden.toml")
        with open(config, "w") as f:
            f.write(AGENT_CONFIG + extra_config)
        cls.agent = AgentProcess(binary, ["--config.file=" + config])
        cls.agent.start()
        cls.metrics = cls.agent.wait_for(cls.ready, timeout=30, what=what)

    @classmethod
    def tearDownClass(cls):
        if cls.agent is not None:
            cls.agent.stop()
        for holder in cls.holders:
            release(holder)
        delete_namespaces(*cls.namespaces)
        if cls.tmp:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def wait_verdicts(self, netns, port, expected):
        """Waits until the verdicts of `port` in `netns` are `expected`; self.metrics then holds
        the metrics text that shows them."""
        def check():
            self.metrics = self.agent.metrics()
            return verdicts(self.metrics, netns, port) == expected or None
        self.agent.wait_for(check, timeout=30,
                            what="verdicts %s on %s:%d" % (expected, netns, port))


def main(tools, reason):
    """Runs the __main__ module's tests as root with every one of `tools` on PATH; else skips
    with `reason` (fails where privileges are required)."""
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in tools):
        skip_unprivileged(reason)
    started = time.monotonic()
    program = unittest.main(argv=[sys.argv[0]], exit=False)
    print("elapsed %.1f s" % (time.monotonic() - started))
    sys.exit(0 if program.result.wasSuccessful() else 1)
