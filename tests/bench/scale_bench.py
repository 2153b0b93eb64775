#!/usr/bin/env python3
"""Cost curves (issue 17): what the agent costs as endpoints and listeners grow.

Run as root, by hand (not by ctest), loopback and a throwaway network namespace only:
    tests/bench/scale_bench.py build/release/agent/app/portwarden \
        [--endpoints 100,1000,2000,10000] [--listeners 1000,10000,50000]

Endpoints (in a network namespace of its own, where the agent inventories only that namespace,
so other processes' listeners on the host do not enter the figures): N configured endpoints
against one `openssl s_server` (ECDSA P-256, TLS 1.3; a
distinct SNI name each, all verifying), probed back to back (interval 1 s, 32 in flight). Per
N: the agent's CPU per probe cycle (over its second full cycle, or --cycles of them) and its
minor page faults per probe, RssAnon at its peak during those cycles (sampled every 50 ms; /metrics scraped with gzip once a second meanwhile, as
Prometheus asks) and after it ("after": a reload to a 1 h interval, the probe cycle the reload
wakes over, then one gzip scrape of the reload's snapshot; also shown before that scrape, and
as smaps_rollup's Private_Dirty), private
memory per endpoint beyond the idle agent, then 30 sequential gzip scrapes (probes stopped):
latency p50/max and the agent's CPU per scrape. Peer: blackbox_exporter driven for the same N
endpoints (N /probe requests, 32 at once): its CPU per probe, as the ratio of the two.

Listeners: N listening sockets (three TCP to one UDP, on 4 loopback addresses) held by one
process per 12,000 in a throwaway network namespace; cold `portwarden scan --output=json` (a fresh
process; it reads every namespace of the host, so it sees at least the N) against `ss -Htulnp`
in that namespace alone (the N): median wall time of 5 alternating rounds, and the ratio.
"""
import argparse
import concurrent.futures
import ctypes
import gzip
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_driver import (cpu_seconds, free_port, memory_kb, probes_total,  # noqa: E402
                          start_blackbox, start_server, stop, wait_http)

CONCURRENCY = 32
PER_HOLDER = 12000


def write_agent_config(path, tmp, port, n, interval):
    with open(path, "w") as f:
        f.write(f'[agent]\nscan_interval = "1h"\nprobe_interval = "{interval}"\n'
                f'probe_timeout = "5s"\nprobe_concurrency = {CONCURRENCY}\njitter = 0.0\n'
                '[discovery]\nenabled = false\nnamespaces = "host"\n')
        for i in range(n):
            f.write(f'[[endpoints]]\ntarget = "127.0.0.1:{port}"\n'
                    f'server_name = "h{i}.bench.test"\nca_file = "{tmp}/cert.pem"\n')


def scrape_gzip(url, timeout=10):
    """One scrape as Prometheus makes it (Accept-Encoding: gzip), decompressed; retried until
    the agent answers."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    end = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                gzipped = response.headers.get("Content-Encoding") == "gzip"
            return (gzip.decompress(body) if gzipped else body).decode()
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)


def private_dirty_kb(pid):
    rollup = open(f"/proc/{pid}/smaps_rollup").read()
    return int(re.search(r"Private_Dirty:\s+(\d+)", rollup).group(1))


def probes_done(url):
    return probes_total(scrape_gzip(url))


def collector_value(text, metric, collector):
    found = re.search(r'^%s\{collector="%s"\} (\S+)$' % (metric, collector), text, re.M)
    return float(found.group(1)) if found else None


def wait_cycle_started_after(url, since, timeout=600):
    """Waits until a probe cycle that started after `since` (Unix time) has been published.
    A reload wakes the probe job once more (after the cycle in flight, if any): measured
    before that cycle is over, "after" is a cycle's in-flight memory, not the steady state."""
    end = time.time() + timeout
    while time.time() < end:
        text = scrape_gzip(url)
        finished = collector_value(text, "portwarden_collector_last_run_timestamp_seconds", "tls")
        took = collector_value(text, "portwarden_collector_duration_seconds", "tls")
        if finished is not None and took is not None and finished - took >= since:
            return
        time.sleep(0.2)
    raise RuntimeError("no probe cycle finished after the reload")


def idle_rss(binary, tmp):
    config = f"{tmp}/idle.toml"
    with open(config, "w") as f:
        f.write('[agent]\nscan_interval = "1h"\nprobe_interval = "1h"\n[discovery]\n'
                'enabled = false\nnamespaces = "host"\n')
    web = free_port()
    agent = subprocess.Popen([binary, f"--config.file={config}",
                              f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"])
    try:
        wait_http(f"http://127.0.0.1:{web}/-/ready")
        time.sleep(1)
        return memory_kb(agent.pid)[0]
    finally:
        agent.terminate()
        agent.wait()


def minor_faults(pid):
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[7])


def agent_curve_point(binary, tmp, port, n, idle_kb, cycles=1):
    config = f"{tmp}/agent.toml"
    write_agent_config(config, tmp, port, n, "1s")
    web = free_port()
    agent = subprocess.Popen([binary, f"--config.file={config}",
                              f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"])
    url = f"http://127.0.0.1:{web}/metrics"
    try:
        while probes_done(url) < n:  # the first cycle (cold caches, first allocations)
            time.sleep(0.2)
        c0, p0, peak = cpu_seconds(agent.pid), probes_done(url), 0
        f0 = minor_faults(agent.pid)
        next_check = time.monotonic() + 1
        while True:  # `cycles` more full cycles, sampling the memory; scraped once a second
            peak = max(peak, memory_kb(agent.pid)[0])
            if time.monotonic() >= next_check:
                if probes_done(url) >= p0 + cycles * n:
                    break
                next_check = time.monotonic() + 1
            time.sleep(0.05)
        c1, p1 = cpu_seconds(agent.pid), probes_done(url)
        faults = (minor_faults(agent.pid) - f0) / (p1 - p0)
        cycle_cpu = (c1 - c0) / (p1 - p0) * n
        write_agent_config(config, tmp, port, n, "1h")  # stop probing, then scrape alone
        reload_time = time.time()
        agent.send_signal(signal.SIGHUP)
        wait_cycle_started_after(url, reload_time)
        time.sleep(0.5)
        reloaded = memory_kb(agent.pid)[0]
        # Steady: as Prometheus leaves it, one (gzip) scrape after the reload's snapshot.
        scrape_gzip(url)
        time.sleep(1.5)
        steady, private_dirty = memory_kb(agent.pid)[0], private_dirty_kb(agent.pid)
        latencies, s0 = [], cpu_seconds(agent.pid)
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        for _ in range(30):
            started = time.perf_counter()
            urllib.request.urlopen(request, timeout=30).read()
            latencies.append(time.perf_counter() - started)
        scrape_cpu = (cpu_seconds(agent.pid) - s0) / 30
        series = sum(1 for line in scrape_gzip(url).splitlines() if line and line[0] != "#")
        return {"cycle_cpu": cycle_cpu, "probe_cpu": cycle_cpu / n, "peak": peak,
                "steady": steady, "reloaded": reloaded, "private_dirty": private_dirty, "per_endpoint": (steady - idle_kb) / n, "series": series,
                "scrape_p50": statistics.median(latencies), "scrape_max": max(latencies),
                "scrape_cpu": scrape_cpu, "faults": faults}
    finally:
        agent.terminate()
        agent.wait()


def blackbox_cpu_per_probe(tmp, port, n):
    bb, base = start_blackbox(tmp)
    try:
        url = f"{base}/probe?module=tls&target=127.0.0.1:{port}"
        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(lambda _: wait_http(url), range(CONCURRENCY)))  # warm-up
            c0 = cpu_seconds(bb.pid)
            ok = sum("probe_success 1" in r for r in pool.map(lambda _: wait_http(url), range(n)))
            c1 = cpu_seconds(bb.pid)
        return (c1 - c0) / max(ok, 1)
    finally:
        stop(bb)


HOLDER = r'''
import resource, socket, sys
first, n = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for i in range(first, first + n):
    kind = socket.SOCK_DGRAM if i % 4 == 3 else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.%d" % (1 + i % 4), 10000 + i // 4))
    if kind == socket.SOCK_STREAM:
        s.listen(8)
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
'''


def timed(cmd):
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def listener_curve_point(binary, n):
    ns = f"pwscale{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    holders = []
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        # One holder per PER_HOLDER sockets: the hard RLIMIT_NOFILE may be below n.
        for first in range(0, n, PER_HOLDER):
            count = min(PER_HOLDER, n - first)
            holder = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", HOLDER,
                                       str(first), str(count)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
            holders.append(holder)
            assert holder.stdout.readline().strip() == "ready"
        ss_cmd = ["ip", "netns", "exec", ns, "ss", "-Htulnp"]
        seen = subprocess.run(ss_cmd, capture_output=True, text=True).stdout.count("\n")
        scan_cmd = [binary, "scan", "--output=json"]
        ss_times, scan_times = [], []
        for _ in range(5):
            ss_times.append(timed(ss_cmd))
            scan_times.append(timed(scan_cmd))
        return {"ss": statistics.median(ss_times), "scan": statistics.median(scan_times),
                "ss_seen": seen}
    finally:
        for holder in holders:
            holder.stdin.close()
            holder.wait()
        subprocess.run(["ip", "netns", "del", ns], check=False)


def enter_own_netns():
    """Moves this process (and so the agents, s_server and blackbox it starts) into a new
    network namespace with only loopback: with namespaces = "host", the agent's inventory then
    holds the benchmark's few listeners, not whatever other processes on the host listen on
    (which made the idle baseline and the per-endpoint figures drift between runs)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) (run as root)")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--endpoints", default="100,1000,2000,10000")
    parser.add_argument("--listeners", default="1000,10000,50000")
    parser.add_argument("--cycles", type=int, default=1,
                        help="probe cycles the CPU per probe is measured over (one is noisy: "
                             "10 ms ticks)")
    args = parser.parse_args()
    endpoint_sizes = [int(x) for x in args.endpoints.split(",") if x]
    listener_sizes = [int(x) for x in args.listeners.split(",") if x]
    if endpoint_sizes:
        enter_own_netns()
        with tempfile.TemporaryDirectory(prefix="portwarden-scale-") as tmp:
            server, port = start_server(tmp)
            try:
                idle = idle_rss(args.binary, tmp)
                print(f"idle agent RssAnon {idle} kB")
                print("| endpoints | series | CPU/cycle | CPU/probe | blackbox CPU/probe | ratio "
                      "| RssAnon peak / after | per endpoint | peak/after | scrape p50 / max | "
                      "CPU/scrape | RssAnon before the scrape | Private_Dirty | minor faults/probe |")
                print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
                for n in endpoint_sizes:
                    a = agent_curve_point(args.binary, tmp, port, n, idle, args.cycles)
                    bb = blackbox_cpu_per_probe(tmp, port, n)
                    print(f"| {n:,} | {a['series']:,} | {a['cycle_cpu'] * 1e3:.0f} ms | "
                          f"{a['probe_cpu'] * 1e3:.3f} ms | {bb * 1e3:.3f} ms | "
                          f"{a['probe_cpu'] / bb:.2f}x | {a['peak']:,} / {a['steady']:,} kB | "
                          f"{a['per_endpoint']:.1f} kB | {a['peak'] / a['steady']:.2f}x | "
                          f"{a['scrape_p50'] * 1e3:.1f} / {a['scrape_max'] * 1e3:.1f} ms | "
                          f"{a['scrape_cpu'] * 1e3:.2f} ms | {a['reloaded']:,} kB | "
                          f"{a['private_dirty']:,} kB | {a['faults']:.1f} |", flush=True)
            finally:
                server.terminate()
                server.wait()
    if listener_sizes:
        print("| listeners | ss -Htulnp (that namespace) | portwarden scan (whole host, cold) "
              "| ratio |")
        print("|---|---|---|---|")
        for n in listener_sizes:
            r = listener_curve_point(args.binary, n)
            print(f"| {n:,} (ss saw {r['ss_seen']:,}) | {r['ss'] * 1e3:.0f} ms | "
                  f"{r['scan'] * 1e3:.0f} ms | {r['scan'] / r['ss']:.2f}x |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
