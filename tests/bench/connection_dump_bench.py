#!/usr/bin/env python3
"""The filtered connection dump (observed activity) against the inventory's warm cycle.

In a throwaway network namespace: LISTENERS listening TCP sockets (one holder process) and
CONNECTIONS established loopback connections to port 8443 (split over holders of at most
PER_HOLDER connections, both ends in the same process under its RLIMIT_NOFILE hard limit, each
holder with its own 127.0.0.x:8443 listener; the namespace's ephemeral port range widened), so
the kernel's established hash holds 2 x CONNECTIONS sockets, half of them on local port 8443. Then, in one
process (connection_cycles), best of ROUNDS:
  - the inventory's warm cycle (Inventory::Scan() again, no watched ports),
  - the filtered dump the scan adds (one TCPDIAG request, bytecode on local port 8443),
  - an unfiltered dump of every established socket (what a user-space filter would read),
  - the filtered dump on a port no socket uses (the kernel walks and rejects them all),
  - the scan's connection phase (InventoryStats::connections_seconds) with the in-kernel
    tracker (BpfConnectionTracker: a map read, the counts kept by a tracepoint program) and
    with the dump (inventory.connection_tracking_max = 0), after a first scan that seeds,
  - CHURN loopback connect/accept/close cycles to a watched port without and with the
    tracker's tracepoint program attached (CONNECTION_BENCH_CHURN, default 50000; 0 skips),
and `ss -Htn state established '( sport = :8443 )'` (median of ROUNDS) as the outside peer.
Prints the ratios. Run as root, by hand (not by ctest):
  tests/bench/connection_dump_bench.py build/release [--connections 50000]
CONNECTION_BENCH_PERF=FILE records the in-process part with `perf record -g` into FILE.
"""
import argparse
import json
import resource
import os
import statistics
import subprocess
import sys
import time

ROUNDS = int(os.environ.get("CONNECTION_BENCH_ROUNDS", "7"))
CHURN = int(os.environ.get("CONNECTION_BENCH_CHURN", "50000"))
PORT = 8443

LISTENER_HOLDER = r'''
import resource, socket, sys
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, max(n + 64, resource.getrlimit(resource.RLIMIT_NOFILE)[1])))
keep = []
for i in range(n):
    s = socket.socket(socket.AF_INET6 if i % 3 == 0 else socket.AF_INET)
    s.bind(("::1" if i % 3 == 0 else "127.0.0.1", 0))
    s.listen(4)
    keep.append(s)
print(len(keep), flush=True)
sys.stdin.read()
'''

CONNECTION_HOLDER = r'''
import resource, socket, sys, threading
n, port, address = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
server = socket.socket()
server.bind((address, port))
server.listen(4096)
accepted = []
def accept():
    while len(accepted) < n:
        accepted.append(server.accept()[0])
t = threading.Thread(target=accept)
t.start()
clients = []
for i in range(n):
    c = socket.socket()
    c.connect((address, port))
    clients.append(c)
t.join()
print(len(accepted), flush=True)
sys.stdin.read()
'''


def isolate():
    if os.environ.get("PW_BENCH_ISOLATED") == "1":
        return
    env = dict(os.environ, PW_BENCH_ISOLATED="1")
    script = ('ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="10000 65535" && '
              'exec "$@"')
    os.execvpe("unshare", ["unshare", "-n", "--", "sh", "-c", script, "sh", sys.executable,
                           *sys.argv], env)


def start(code, *args):
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def ss_median():
    walls, count = [], 0
    for _ in range(ROUNDS):
        start_time = time.perf_counter()
        out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{PORT} )"],
                             capture_output=True, text=True, check=True).stdout
        walls.append(time.perf_counter() - start_time)
        count = len(out.splitlines())
    return statistics.median(walls), count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", nargs="?", default="build/release")
    parser.add_argument("--connections", type=int, default=50000)
    parser.add_argument("--listeners", type=int, default=12500)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (network namespace, RLIMIT_NOFILE)")
    isolate()
    cycles = os.path.join(args.build, "tests/bench/connection_cycles")
    holders = []
    try:
        t0 = time.monotonic()
        proc, listeners = start(LISTENER_HOLDER, args.listeners)
        holders.append(proc)
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        per_holder = max(1, min(25000, (hard - 256) // 2))
        connections, left, i = 0, args.connections, 0
        while left > 0:
            n = min(per_holder, left)
            proc, made = start(CONNECTION_HOLDER, n, PORT, f"127.0.0.{i + 1}")
            holders.append(proc)
            connections += made
            left -= n
            i += 1
        print(f"{listeners} listeners, {connections} established connections to :{PORT} in "
              f"{len(holders) - 1} holders "
              f"({2 * connections} established sockets) made in {time.monotonic() - t0:.1f} s")
        ss_wall, ss_count = ss_median()
        command = [cycles, str(PORT), str(ROUNDS), str(CHURN)]
        if os.environ.get("CONNECTION_BENCH_PERF"):  # optional: a perf profile of the cycles
            command = ["perf", "record", "-g", "-o", os.environ["CONNECTION_BENCH_PERF"], "--",
                       *command]
        # The last line: the agent's log lines (which counting it uses) come first.
        out = json.loads(subprocess.run(command, capture_output=True, text=True,
                                        check=True).stdout.strip().splitlines()[-1])
    finally:
        for proc in holders:
            proc.stdin.close()
            proc.wait(timeout=60)
    warm = out["warm_wall"]
    print(f"inventory warm cycle ({out['listeners']} listeners): {warm * 1e3:.1f} ms wall, "
          f"{out['warm_cpu'] * 1e3:.1f} ms CPU")
    print(f"filtered connection dump: {out['filtered_wall'] * 1e3:.1f} ms wall, "
          f"{out['filtered_cpu'] * 1e3:.1f} ms CPU, {out['filtered_sockets']} sockets "
          f"= {out['filtered_wall'] / warm:.2f}x the warm cycle")
    print(f"filtered dump counted as the agent does (ConnectionCounter, by listener and peer "
          f"scope): {out['counted_wall'] * 1e3:.1f} ms wall, {out['counted_cpu'] * 1e3:.1f} ms "
          f"CPU, {out['counted_sockets']} counted = {out['counted_wall'] / warm:.2f}x the warm "
          f"cycle")
    print(f"unfiltered dump of every established socket: {out['all_wall'] * 1e3:.1f} ms wall, "
          f"{out['all_sockets']} sockets = {out['all_wall'] / warm:.2f}x the warm cycle; "
          f"the filter costs {out['filtered_wall'] / out['all_wall']:.2f}x of it")
    print(f"filtered dump where no socket is on the watched port (the kernel walks and rejects "
          f"all {out['all_sockets']}): {out['none_wall'] * 1e3:.1f} ms wall, "
          f"{out['none_cpu'] * 1e3:.1f} ms CPU = {out['none_wall'] / warm:.2f}x the warm cycle")
    print(f"RATIO filtered dump / warm cycle: wall {out['filtered_wall'] / warm:.2f}, CPU "
          f"{out['filtered_cpu'] / max(out['warm_cpu'], 1e-9):.2f} (all {connections} on the "
          f"watched port); wall {out['none_wall'] / warm:.2f} (none on it)")
    print(f"RATIO counted dump / warm cycle: wall {out['counted_wall'] / warm:.2f}, CPU "
          f"{out['counted_cpu'] / max(out['warm_cpu'], 1e-9):.2f}")
    print(f"ss -Htn state established '( sport = :{PORT} )': {ss_wall * 1e3:.1f} ms wall "
          f"({ss_count} lines); filtered dump = {out['filtered_wall'] / ss_wall:.2f}x ss")
    print(f"scan's connection phase, in-kernel tracker (mode {out['bpf_mode']}): "
          f"{out['bpf_wall'] * 1e3:.2f} ms wall, {out['bpf_counted']} counted "
          f"= {out['bpf_wall'] / warm:.3f}x the warm cycle (first scan, seeding: "
          f"{out['bpf_first'] * 1e3:.1f} ms = {out['bpf_first'] / warm:.2f}x)")
    print(f"scan's connection phase, dump (mode {out['dump_mode']}): "
          f"{out['dump_wall'] * 1e3:.1f} ms wall, {out['dump_counted']} counted "
          f"= {out['dump_wall'] / warm:.2f}x the warm cycle")
    print(f"RATIO connection phase / warm cycle: tracker {out['bpf_wall'] / warm:.3f}, "
          f"dump {out['dump_wall'] / warm:.2f}")
    if out["churn"] > 0:
        per_without = out["churn_without"] / out["churn"] * 1e6
        per_with = out["churn_with"] / out["churn"] * 1e6
        print(f"{out['churn']} loopback connect/accept/close cycles to a watched port: "
              f"{per_without:.1f} us each without the tracker, {per_with:.1f} us with it "
              f"attached (+{per_with - per_without:.2f} us, "
              f"{out['churn_with'] / out['churn_without']:.3f}x)")
    if out["bpf_mode"] != "bpf":
        sys.exit(f"the tracker did not load (mode {out['bpf_mode']!r})")
    if out["filtered_sockets"] != connections or ss_count != connections or \
            out["counted_sockets"] != connections or out["bpf_counted"] != connections or \
            out["dump_counted"] != connections:
        sys.exit(f"count mismatch: dump {out['filtered_sockets']}, ss {ss_count}, "
                 f"counted {out['counted_sockets']}, tracker {out['bpf_counted']}, "
                 f"dump phase {out['dump_counted']}, "
                 f"made {connections}")


if __name__ == "__main__":
    main()
