"""Shared helpers for the inventory integration tests: real listeners in holder processes,
network namespaces made by the test, and runs of the real `portwarden scan` binary."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from privilege import skip_unprivileged  # noqa: E402

# A holder process: binds the sockets described in argv[1] (JSON), prints what it bound,
# and keeps them open until its stdin closes.
HOLDER = r'''
import json, socket, sys
specs = json.loads(sys.argv[1])
keep, out = [], []
for spec in specs:
    fam = socket.AF_INET6 if ":" in spec["addr"] else socket.AF_INET
    typ = socket.SOCK_STREAM if spec["proto"] == "tcp" else socket.SOCK_DGRAM
    port = spec.get("port", 0)
    for i in range(spec.get("count", 1)):
        s = socket.socket(fam, typ)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if spec.get("count", 1) > 1:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if spec.get("v6only", True) else 0)
        s.bind((spec["addr"], port))
        if typ == socket.SOCK_STREAM:
            s.listen(8)
        port = s.getsockname()[1]
        keep.append(s)
    out.append(dict(spec, port=port))
print(json.dumps(out), flush=True)
sys.stdin.read()
'''


class Holder:
    """Runs HOLDER (optionally prefixed, e.g. by `ip netns exec NAME`) and owns the process."""

    def __init__(self, specs, prefix=(), python=sys.executable):
        self.proc = subprocess.Popen([*prefix, python, "-c", HOLDER, json.dumps(specs)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.sockets = json.loads(self.proc.stdout.readline())
        self.pid = self.proc.pid

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()


def scan(binary, config=None, expect_walk=None):
    """`portwarden scan --output=json`, parsed. `expect_walk` ("bpf" or "procfs") asserts how
    processes were attributed, from the scan's debug log."""
    args = [binary, "scan", "--output=json", "--log.level=debug"]
    if config:
        args.append("--config.file=" + config)
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"scan failed ({result.returncode}): {result.stderr}")
    used_bpf = "process attribution uses the BPF fd walk" in result.stderr
    if expect_walk is not None and used_bpf != (expect_walk == "bpf"):
        raise AssertionError(f"expected the {expect_walk} walk; log: {result.stderr}")
    return json.loads(result.stdout)


def isolate(argv):
    """Re-executes this test inside a fresh network namespace (so other tests' listeners on
    the shared host cannot race the exact-set assertions) with loopback up and two extra
    addresses: a public one (198.20.0.1) and an IPv6 ULA (fd00:77::1)."""
    if os.environ.get("PW_ISOLATED") == "1":
        return
    if os.geteuid() != 0:
        skip_unprivileged("needs root for network namespaces")
    env = dict(os.environ, PW_ISOLATED="1")
    script = ("ip link set lo up && ip addr add 198.20.0.1/32 dev lo && "
              "ip -6 addr add fd00:77::1/128 dev lo nodad && exec \"$@\"")
    os.execvpe("unshare", ["unshare", "-n", "--", "sh", "-c", script, "sh",
                           sys.executable, *argv], env)


def ss_listeners():
    """(proto, address, port) -> set of pids, from `ss -Htulnp` in the current namespace."""
    out = subprocess.run(["ss", "-Htulnp"], capture_output=True, text=True, check=True).stdout
    result = {}
    for line in out.splitlines():
        fields = line.split()
        proto, local = fields[0], fields[4]
        address, port = local.rsplit(":", 1)
        address = address.split("%")[0].strip("[]")
        pids = {int(p) for p in re.findall(r"pid=(\d+)", line)}
        result[(proto, address, int(port))] = pids
    return result


def ss_key(listener):
    """How `ss` prints a listener's address: a dual-stack IPv6 wildcard is `*`."""
    address = listener["address"]
    if address == "::" and listener["v6only"] is False:
        address = "*"
    return (listener["proto"], address, listener["port"])
