"""Network namespaces, veth links, listeners and real connection attempts for the firewall
verdict tests (firewall_verdicts_test.py, legacy_verdicts_test.py), and the queries of the
agent's verdict series. Standard library only; needs root."""
import re
import subprocess
import sys

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
