#!/usr/bin/env python3
"""TLS probe CPU and memory: portwarden against blackbox_exporter and `openssl s_time -new`.

Run by hand (not by ctest), on loopback only:
    tests/bench/probe_bench.py build/release/agent/app/portwarden [--seconds 10]
        [--endpoints 100] [--names 0.5]

With --names F (needs root), that share of the endpoints is addressed by a host name
(n<i>.bench.test) instead of the IP literal, for both portwarden and blackbox_exporter. The names
are served by a private /etc/hosts: both run in a mount namespace of their own (unshare -m) in
which a file written by the bench is bind-mounted over /etc/hosts, so every probe goes through
the system resolver (glibc's NSS "files" for the agent, Go's resolver for blackbox) and the host's
own /etc/hosts is never touched. With --paced blackbox_exporter gets one round of requests a
second (the agent's probe interval) instead of round after round. The agent's window starts
after the posture job's first run, and it inventories its own network namespace only.

One ECDSA P-256 / TLS 1.3 `openssl s_server` per endpoint slot is not needed: all 100 endpoints
point at one s_server (portwarden varies the SNI name per endpoint, h<i>.bench.test, all
covered by the certificate's *.bench.test, so the endpoints are distinct and all verify;
blackbox_exporter gets 100 concurrent /probe requests for the same target). In one run it
measures:
  * CPU seconds per handshake of `openssl s_time -new` (the floor),
  * portwarden's CPU per probe (daemon, 100 endpoints, 1 s probe interval),
  * blackbox_exporter's CPU per probe (100 concurrent /probe?module=tls per round),
  * RssAnon (private) and VmRSS (total resident) of both while probing the 100 endpoints,
and prints the ratios.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_driver import (cpu_seconds, free_port, memory_kb, probes_total,  # noqa: E402
                          start_blackbox, start_server, stop, wait_http)

ENDPOINTS = 100  # --endpoints


def host_of(i, names):
    """The host of endpoint i: a name for a `names` share of them, spread among the literals."""
    return f"n{i}.bench.test" if int((i + 1) * names) > int(i * names) else "127.0.0.1"


def named(i, names):
    return host_of(i, names) != "127.0.0.1"


def hosts_wrapper(tmp, names):
    """The command prefix that runs a program with the bench's /etc/hosts (empty without names)."""
    if not names:
        return []
    with open(f"{tmp}/hosts", "w") as f:
        f.write("127.0.0.1 localhost\n::1 localhost\n")
        for i in range(ENDPOINTS):
            if named(i, names):
                f.write(f"127.0.0.1 n{i}.bench.test\n")
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            f'mount --bind "{tmp}/hosts" /etc/hosts && exec "$0" "$@"']


def bench_s_time(port, seconds):
    before = os.times()
    out = subprocess.run(["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new",
                          "-time", str(seconds)], capture_output=True, text=True).stdout
    after = os.times()
    count = int(re.search(r"(\d+) connections in [\d.]+s", out).group(1))
    cpu = (after.children_user - before.children_user) + (after.children_system -
                                                           before.children_system)
    return cpu / count, count


def bench_agent(binary, tmp, port, seconds, names):
    web = free_port()
    with open(f"{tmp}/agent.toml", "w") as f:
        f.write('[agent]\nscan_interval = "1h"\nprobe_interval = "1s"\nprobe_timeout = "5s"\n'
                'probe_concurrency = 32\njitter = 0.0\n[discovery]\nenabled = false\n'
                # Inventory this namespace only: listeners other programs hold in other
                # namespaces (a shared machine) are no part of the probe cost.
                'namespaces = "host"\n')
        for i in range(ENDPOINTS):
            f.write(f'[[endpoints]]\ntarget = "{host_of(i, names)}:{port}"\n'
                    f'server_name = "h{i}.bench.test"\nca_file = "{tmp}/cert.pem"\n')
    agent = subprocess.Popen([*hosts_wrapper(tmp, names), binary,
                              f"--config.file={tmp}/agent.toml",
                              f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"],
                             stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{web}/metrics"
        def probes():
            return probes_total(wait_http(url))
        while probes() < ENDPOINTS:
            time.sleep(0.2)
        # The posture job's first run (about six handshakes and a group detection per
        # endpoint, docs/configuration.md) starts after the first inventory scan: measuring
        # while it runs would charge its hundreds of handshakes to the probes.
        end = time.time() + 300
        posture = r'^portwarden_collector_last_run_timestamp_seconds\{collector="posture"'
        while not re.search(posture, wait_http(url), re.M):
            if time.time() > end:
                raise RuntimeError("the posture job's first run never finished")
            time.sleep(0.2)
        p0, c0 = probes(), cpu_seconds(agent.pid)
        if os.environ.get("PROBE_BENCH_PERF"):
            options = os.environ.get("PROBE_BENCH_PERF_ARGS", "-g").split()
            subprocess.Popen(["perf", "record", *options, "-o", os.environ["PROBE_BENCH_PERF"],
                              "-p", str(agent.pid), "--", "sleep", str(seconds)],
                             stderr=subprocess.DEVNULL)
        peak, end = (0, 0), time.time() + seconds
        while time.time() < end:  # the peak while probing, sampled as blackbox's is
            peak = max(peak, memory_kb(agent.pid))
            time.sleep(0.1)
        c1, p1 = cpu_seconds(agent.pid), probes()
        return (c1 - c0) / (p1 - p0), int(p1 - p0), peak
    finally:
        stop(agent)


def bench_blackbox(tmp, port, seconds, names, paced):
    bb, base = start_blackbox(tmp, hosts_wrapper(tmp, names))
    try:
        urls = [f"{base}/probe?module=tls&target={host_of(i, names)}:{port}"
                for i in range(ENDPOINTS)]
        with concurrent.futures.ThreadPoolExecutor(ENDPOINTS) as pool:
            list(pool.map(wait_http, urls))  # warm-up round
            c0, done, peak = cpu_seconds(bb.pid), 0, (0, 0)
            end = time.time() + seconds
            while time.time() < end:
                start = time.time()
                results = list(pool.map(wait_http, urls))
                done += sum("probe_success 1" in r for r in results)
                peak = max(peak, memory_kb(bb.pid))
                while paced and time.time() < min(start + 1, end):  # one round a second
                    peak = max(peak, memory_kb(bb.pid))
                    time.sleep(0.1)
            c1 = cpu_seconds(bb.pid)
        return (c1 - c0) / done, done, peak
    finally:
        stop(bb)


def main():
    global ENDPOINTS
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--endpoints", type=int, default=ENDPOINTS)
    parser.add_argument("--names", type=float, default=0.0,
                        help="share of the endpoints addressed by a host name (0..1; root)")
    parser.add_argument("--paced", action="store_true",
                        help="drive blackbox_exporter one round a second (the agent's interval)"
                             " instead of round after round")
    args = parser.parse_args()
    ENDPOINTS = args.endpoints
    with tempfile.TemporaryDirectory(prefix="portwarden-bench-") as tmp:
        server, port = start_server(tmp)
        try:
            floor, floor_n = bench_s_time(port, args.seconds)
            agent, agent_n, agent_mem = bench_agent(args.binary, tmp, port, args.seconds,
                                                 args.names)
            bb, bb_n, bb_mem = bench_blackbox(tmp, port, args.seconds, args.names,
                                           args.paced)
        finally:
            server.terminate()
            server.wait()
    print(f"openssl s_time -new : {floor * 1e3:7.3f} ms CPU/handshake ({floor_n} handshakes)")
    print(f"portwarden          : {agent * 1e3:7.3f} ms CPU/probe ({agent_n} probes)")
    print(f"blackbox_exporter   : {bb * 1e3:7.3f} ms CPU/probe ({bb_n} probes)")
    print(f"ratio CPU portwarden/blackbox = {agent / bb:.2f}x   portwarden/openssl = "
          f"{agent / floor:.2f}x")
    print(f"memory ({ENDPOINTS} endpoints, {sum(named(i, args.names) for i in range(ENDPOINTS))}"
          f" by name) portwarden RssAnon {agent_mem[0]} kB VmRSS {agent_mem[1]} kB;"
          f" blackbox RssAnon {bb_mem[0]} kB VmRSS {bb_mem[1]} kB")
    print(f"ratio memory portwarden/blackbox: private {agent_mem[0] / bb_mem[0]:.2f}x, "
          f"total {agent_mem[1] / bb_mem[1]:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
