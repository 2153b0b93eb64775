#!/usr/bin/env python3
"""Probe spread (issue 17): the agent's CPU second by second over probe cycles, with and
without agent.probe_spread, and the same for the probed server.

Run by hand (not by ctest), on loopback only:
    tests/bench/spread_bench.py build/release/agent/app/portwarden \
        [--endpoints 200] [--interval 15] [--spread auto] [--cycles 3]

N configured endpoints against one `openssl s_server` (ECDSA P-256, TLS 1.3; a distinct SNI
name each, all verifying), probe_interval INTERVAL, 32 in flight. Two agents in turn, one with
probe_spread = "0s" (one burst per cycle) and one with probe_spread = SPREAD. After the first
cycle (which always bursts) and the posture job's one run after start, the CPU of the agent
and of s_server is read from /proc every second for CYCLES intervals: per run it prints the busiest second, the mean second and their
ratio (max/mean: about interval / burst length for a burst, near 1 for an even load), and the
probes completed (both runs must probe alike; a cycle cut by the window's edges counts in part).
One s_server takes one handshake at a time, so a burst lasts as long as the server needs for N
handshakes: keep N small enough that it is much shorter than the interval.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_driver import cpu_seconds, free_port, probes_total, start_server, wait_http  # noqa: E402


def write_config(path, tmp, port, n, interval, spread):
    with open(path, "w") as f:
        f.write(f'[agent]\nscan_interval = "1h"\nprobe_interval = "{interval}s"\n'
                f'probe_timeout = "2s"\nprobe_concurrency = 32\nprobe_spread = "{spread}"\n'
                'jitter = 0.0\n[discovery]\nenabled = false\n')
        for i in range(n):
            f.write(f'[[endpoints]]\ntarget = "127.0.0.1:{port}"\n'
                    f'server_name = "h{i}.bench.test"\nca_file = "{tmp}/cert.pem"\n')


def probes_done(url):
    return probes_total(wait_http(url, timeout=30))


def per_second(pids, seconds):
    """CPU seconds used by each of `pids` in each wall-clock second, for `seconds` seconds."""
    rows = []
    last = [cpu_seconds(pid) for pid in pids]
    tick = time.monotonic()
    for _ in range(seconds):
        tick += 1
        time.sleep(max(0, tick - time.monotonic()))
        now = [cpu_seconds(pid) for pid in pids]
        rows.append([b - a for a, b in zip(last, now)])
        last = now
    return rows


def run(binary, tmp, port, server_pid, args, spread):
    config = f"{tmp}/spread-{spread}.toml"
    write_config(config, tmp, port, args.endpoints, args.interval, spread)
    web = free_port()
    agent = subprocess.Popen([binary, f"--config.file={config}",
                              f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"])
    url = f"http://127.0.0.1:{web}/metrics"
    try:
        wait_http(f"http://127.0.0.1:{web}/-/ready", timeout=60)  # the first (burst) cycle
        # The posture job's one run after start (several handshakes per endpoint) is not
        # what is measured: wait for it to be over.
        deadline = time.monotonic() + 300
        while 'collector="posture"' not in wait_http(url) and time.monotonic() < deadline:
            time.sleep(0.5)
        before = probes_done(url)
        rows = per_second([agent.pid, server_pid], args.interval * args.cycles)
        probes = probes_done(url) - before
    finally:
        agent.terminate()
        agent.wait()
    result = {"probes": probes}
    for col, who in enumerate(("agent", "server")):
        series = [row[col] for row in rows]
        mean = sum(series) / len(series)
        result[who] = (max(series), mean, max(series) / mean if mean > 0 else float("nan"))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--interval", type=int, default=15, help="probe_interval, seconds")
    parser.add_argument("--spread", default="auto")
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, port = start_server(tmp)
        try:
            results = {spread: run(args.binary, tmp, port, server.pid, args, spread)
                       for spread in ("0s", args.spread)}
        finally:
            server.terminate()
            server.wait()
    print(f"{args.endpoints} endpoints, probe_interval {args.interval}s, "
          f"{args.cycles} cycles sampled per second")
    print(f"{'probe_spread':>12} {'probes':>7} | {'agent max/s':>11} {'mean/s':>7} "
          f"{'max/mean':>8} | {'server max/s':>12} {'mean/s':>7} {'max/mean':>8}")
    for spread, r in results.items():
        a, s = r["agent"], r["server"]
        print(f"{spread:>12} {r['probes']:>7.0f} | {a[0]:>11.2f} {a[1]:>7.3f} {a[2]:>8.2f} | "
              f"{s[0]:>12.2f} {s[1]:>7.3f} {s[2]:>8.2f}")
    burst, spread = results["0s"], results[args.spread]
    print(f"agent max/mean, spread vs burst: {spread['agent'][2] / burst['agent'][2]:.2f}x; "
          f"server: {spread['server'][2] / burst['server'][2]:.2f}x")


if __name__ == "__main__":
    main()
