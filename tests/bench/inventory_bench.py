#!/usr/bin/env python3
"""Listener inventory against `ss -Htulnp`, cold and warm, on >= 10,000 listening sockets.

Sets up its own listeners inside a throwaway network namespace (so only they are in `ss`'s
view): HOLDERS processes in that namespace plus NS_HOLDERS processes each in a further
namespace of its own, mixed TCP/UDP and IPv4/IPv6. Measures, median of REPS rounds (the
two commands alternate round by round, so a change in the machine's load hits both):
  - `ss -Htulnp` (wall and CPU of the child) in the main namespace only (9,600 sockets), and
    `ss -Htulnp` run in each of the 5 namespaces in turn (nsenter; all 10,496 sockets),
  - `portwarden scan --output=json` (cold: a fresh process every run), as root and under the
    shipped systemd unit's credentials (its capabilities and a non-root uid, parsed from
    deploy/systemd/portwarden.service: no setns, so the other namespaces are read through
    /proc/<pid>/net, and no BPF, so attribution walks /proc/*/fd),
  - with INVENTORY_BENCH_BASELINE=<older portwarden binary>: that binary too, root and unit,
    in the same rounds (before/after figures under the same load),
  - the daemon's warm cycle (inventory_cycles: Inventory::Scan() again in one process),
  - the bare netlink dump of the namespace, for reference.
With INVENTORY_BENCH_SOCKETS=N the layout is N sockets in the main namespace alone (holders
of at most 12,000 sockets each, under the fd limit), for the one-namespace points of the cost
curve (1,000, 10,000, 12,500, 50,000). Cleans up every process and namespace it created. Run
as root, by hand (not by ctest):
  tests/bench/inventory_bench.py build/release
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration",
                                "inventory"))
import shipped_credentials  # noqa: E402

HOLDERS, PER_HOLDER = 4, 2400
NS_HOLDERS, PER_NS_HOLDER = 4, 225  # 10,500 sockets across 5 namespaces
MAX_PER_HOLDER = 12000  # per-process RLIMIT_NOFILE is about 20,000 here
if os.environ.get("INVENTORY_BENCH_SOCKETS"):  # N sockets in the main namespace only
    _n = int(os.environ["INVENTORY_BENCH_SOCKETS"])
    HOLDERS = -(-_n // MAX_PER_HOLDER)
    PER_HOLDER = -(-_n // HOLDERS)
    NS_HOLDERS = 0
REPS = int(os.environ.get("INVENTORY_BENCH_ROUNDS", "7"))

HOLDER = r'''
import resource, socket, sys
n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
mix = [(socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1", 40), (socket.AF_INET6, socket.SOCK_STREAM, "::1", 25),
       (socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1", 20), (socket.AF_INET6, socket.SOCK_DGRAM, "::1", 15)]
keep = []
for fam, typ, addr, share in mix:
    for _ in range(n * share // 100):
        s = socket.socket(fam, typ)
        s.bind((addr, 0))
        if typ == socket.SOCK_STREAM:
            s.listen(4)
        keep.append(s)
print(len(keep), flush=True)
sys.stdin.read()
'''


def isolate():
    if os.environ.get("PW_BENCH_ISOLATED") == "1":
        return
    env = dict(os.environ, PW_BENCH_ISOLATED="1")
    os.execvpe("unshare", ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"',
                           "sh", sys.executable, *sys.argv], env)


def start_holders():
    holders = []
    for i in range(HOLDERS + NS_HOLDERS):
        own_ns = i >= HOLDERS
        n = PER_NS_HOLDER if own_ns else PER_HOLDER
        cmd = [sys.executable, "-c", HOLDER, str(n)]
        if own_ns:
            cmd = ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *cmd]
        holders.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True))
    total = sum(int(h.stdout.readline()) for h in holders)
    return holders, total


def run_child(cmd):
    """Wall and CPU of running `cmd`, or of each command of a tuple of commands in turn."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for one in cmd if isinstance(cmd, tuple) else (cmd,):
        subprocess.run(one, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_runs(*cmds):
    """Per command, median wall and CPU over REPS rounds of running each command once."""
    runs = [[] for _ in cmds]
    for _ in range(REPS):
        for i, cmd in enumerate(cmds):
            runs[i].append(run_child(cmd))
    return [(statistics.median(r[0] for r in cmd_runs), statistics.median(r[1] for r in cmd_runs))
            for cmd_runs in runs]


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    portwarden = os.path.join(build, "agent/app/portwarden")
    cycles = os.path.join(build, "tests/bench/inventory_cycles")
    isolate()
    holders, total = start_holders()
    try:
        ss_lines = subprocess.run(["ss", "-Htuln"], capture_output=True, text=True).stdout
        scan = json.loads(subprocess.run([portwarden, "scan", "--output=json"],
                                         capture_output=True, text=True).stdout)
        print(f"sockets created: {total} ({HOLDERS} holders here, {NS_HOLDERS} in own netns)")
        print(f"ss sees {len(ss_lines.splitlines())} in this netns; portwarden lists "
              f"{len(scan)} listeners in {len({l['netns'] for l in scan})} namespaces")
        if os.environ.get("INVENTORY_BENCH_EXEC"):  # e.g. a perf record of one cold scan
            subprocess.run(["sh", "-c", os.environ["INVENTORY_BENCH_EXEC"], "sh", portwarden])
        unit_scan = [*shipped_credentials.unit_setpriv(), portwarden, "scan", "--output=json"]
        unit_listeners = json.loads(subprocess.run(unit_scan, capture_output=True,
                                                   text=True).stdout)
        print(f"under the unit's credentials: {len(unit_listeners)} listeners in "
              f"{len({l['netns'] for l in unit_listeners})} namespaces")
        # The same 10,500 sockets as `ss` sees them: run inside each of the 5 namespaces (as
        # root, entered with nsenter), one after the other.
        ss_each = (["ss", "-Htulnp"],
                   *(["nsenter", f"--net=/proc/{h.pid}/ns/net", "ss", "-Htulnp"]
                     for h in holders[HOLDERS:]))
        cmds = {"ss": ["ss", "-Htulnp"], "ss_each": ss_each,
                "root": [portwarden, "scan", "--output=json"], "unit": unit_scan}
        baseline = os.environ.get("INVENTORY_BENCH_BASELINE")  # an older portwarden binary
        if baseline:
            cmds["base_root"] = [baseline, "scan", "--output=json"]
            cmds["base_unit"] = [*shipped_credentials.unit_setpriv(), baseline, "scan",
                                 "--output=json"]
        measured = dict(zip(cmds, median_runs(*cmds.values())))
        warm = json.loads(subprocess.run([cycles, str(REPS)], capture_output=True,
                                         text=True, check=True).stdout)
    finally:
        for h in holders:
            h.stdin.close()
            h.wait(timeout=30)
            h.stdout.close()
    ss_wall, ss_cpu = measured["ss"]
    print(f"{'':38}{'wall ms':>10}{'cpu ms':>10}{'wall/ss':>10}{'cpu/ss':>10}")
    names = {"ss": f"ss -Htulnp (this netns: {HOLDERS * PER_HOLDER:,})",
             "ss_each": f"ss -Htulnp in each of the {1 + NS_HOLDERS}",
             "root": "portwarden scan --output=json", "unit": "  the same, unit's credentials",
             "base_root": "baseline scan, root", "base_unit": "  baseline, unit's credentials"}
    rows = [(names[key], *value) for key, value in measured.items()]
    rows += [("daemon cycle 1 (in-process)", warm["cold_wall"], warm["cold_cpu"]),
             ("daemon warm cycle", warm["warm_wall"], warm["warm_cpu"]),
             ("  of which discovery + dumps", warm["warm_dump_phase"], 0),
             ("  of which attribution", warm["warm_attribution_phase"], 0),
             ("bare netlink dump, one netns", warm["host_dump_wall"], warm["host_dump_cpu"])]
    for name, wall, cpu in rows:
        print(f"{name:38}{wall * 1e3:10.1f}{cpu * 1e3:10.1f}{wall / ss_wall:10.3f}"
              f"{cpu / ss_cpu if ss_cpu else 0:10.3f}")
    each_wall, each_cpu = measured["ss_each"]
    ratios = " ".join(f"{key}={measured[key][0] / ss_wall:.3f}/{measured[key][1] / ss_cpu:.3f}"
                      for key in measured if key not in ("ss", "ss_each"))
    ratios_each = " ".join(
        f"{key}={measured[key][0] / each_wall:.3f}/{measured[key][1] / each_cpu:.3f}"
        for key in measured if key not in ("ss", "ss_each"))
    print(f"RATIO wall/cpu against ss in this netns: {ratios} "
          f"warm={warm['warm_wall'] / ss_wall:.3f}")
    print(f"RATIO wall/cpu against ss in each of the 5 namespaces: {ratios_each} "
          f"(target for unit: <= 0.5)")

if __name__ == "__main__":
    main()
