#!/usr/bin/env python3
"""/metrics under 50 concurrent scrapers at ~36,000 series: main's binary against this build,
in the same run, beside node_exporter's CPU per series.

Run by hand (not by ctest), on loopback only:
    tests/bench/scrape_bench.py OLD_BINARY NEW_BINARY [--endpoints 1200] [--seconds 15]

Each binary runs as the real daemon with --endpoints configured endpoints, all pointing at one
`openssl s_server` (distinct SNI names h<i>.bench.test, covered by *.bench.test, so every
probe verifies), probed once (probe_interval 1h) so probing does not load the CPU while
scraping; the inventory rescans every 10 s, so a new snapshot is published every 10 s during
the load (what a real agent does; each new snapshot costs the cached build one rendering).
Then, per binary:
  * 50 sequential gzip scrapes: latency each, the agent's CPU per scrape;
  * `wrk -c 50` for --seconds with Accept-Encoding: gzip, closed loop (each scraper asks again
    as soon as it has its answer: latency = 50 / throughput, bound by the 2 CPUs); the same
    paced (each scraper waits --pace-ms between scrapes, wrk's Lua delay()); and closed loop
    without gzip (text): p50, p99 and max latency (wrk's Lua done() hook) and the agent's CPU
    (all threads' /proc schedstat) per scrape;
and for prometheus-node-exporter (Debian) the same gzip run: CPU per scrape and per series.
Ratios are printed at the end. Needs wrk, openssl, prometheus-node-exporter.
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_driver import free_port, start_server  # noqa: E402  (the same s_server peer)

NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")

WRK_LUA = """
pace = tonumber(os.getenv("SCRAPE_PACE_MS") or "0")
delay = function()
  return pace
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d p50=%d p99=%d max=%d\\n",
    summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def cpu_seconds(pid):
    """CPU time of every live thread (schedstat: nanoseconds, not clock ticks)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
        except OSError:
            pass  # the thread just exited
    return total / 1e9


def get(url, gzipped=True, timeout=60, decode=True):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip" if gzipped
                                                   else "identity"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
        if not decode:
            return body
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode()


def wait_http(url, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        try:
            return get(url, timeout=5)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


def series(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


def sequential(url, pid, count=50):
    latencies, c0 = [], cpu_seconds(pid)
    for _ in range(count):
        t0 = time.monotonic()
        get(url, decode=False)
        latencies.append(time.monotonic() - t0)
    latencies.sort()
    return {"p50": latencies[count // 2], "max": latencies[-1],
            "cpu": (cpu_seconds(pid) - c0) / count}


def wrk(url, pid, seconds, tmp, gzipped, pace_ms=0):
    script = f"{tmp}/report.lua"
    with open(script, "w") as f:
        f.write(WRK_LUA)
    args = ["wrk", "-t", "2", "-c", "50", "-d", f"{seconds}s", "--timeout", "30s", "-s", script]
    if gzipped:
        args += ["-H", "Accept-Encoding: gzip"]
    env = dict(os.environ, SCRAPE_PACE_MS=str(pace_ms))
    c0 = cpu_seconds(pid)
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True,
                         env=env).stdout
    cpu = cpu_seconds(pid) - c0
    fields = dict(kv.split("=") for kv in re.search(r"RESULT (.*)", out).group(1).split())
    n = int(fields["requests"])
    return {"requests": n, "non2xx": int(fields["non2xx"]), "errors": int(fields["errors"]),
            "p50": int(fields["p50"]) / 1e6, "p99": int(fields["p99"]) / 1e6,
            "max": int(fields["max"]) / 1e6, "cpu": cpu / max(n, 1)}


def bench_agent(binary, tmp, port, endpoints, seconds, pace_ms):
    web = free_port()
    config = f"{tmp}/agent-{web}.toml"
    with open(config, "w") as f:
        f.write('[agent]\nscan_interval = "10s"\nprobe_interval = "1h"\nprobe_timeout = "30s"\n'
                'probe_concurrency = 32\njitter = 0.0\n[discovery]\nenabled = false\n')
        for i in range(endpoints):
            f.write(f'[[endpoints]]\ntarget = "127.0.0.1:{port}"\n'
                    f'server_name = "h{i}.bench.test"\nca_file = "{tmp}/cert.pem"\n')
    agent = subprocess.Popen([binary, f"--config.file={config}",
                              f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"],
                             stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{web}/metrics"
        base = f"http://127.0.0.1:{web}"
        end = time.time() + 300
        while time.time() < end:
            try:
                if urllib.request.urlopen(base + "/-/ready", timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        text = wait_http(url)
        result = {"series": series(text), "bytes": len(text),
                  "gzip_bytes": len(gzip.compress(text.encode()))}
        result["seq"] = sequential(url, agent.pid)
        result["gzip"] = wrk(url, agent.pid, seconds, tmp, True)
        result["paced"] = wrk(url, agent.pid, seconds, tmp, True, pace_ms)
        result["text"] = wrk(url, agent.pid, seconds, tmp, False)
        return result
    finally:
        agent.terminate()
        agent.wait()


def bench_node_exporter(tmp, seconds):
    port = free_port()
    # --web.max-requests=0: no cap on parallel scrapes (its default 40 would answer 503s).
    proc = subprocess.Popen([NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{port}",
                             "--web.max-requests=0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        text = wait_http(url)
        result = {"series": series(text)}
        result["gzip"] = wrk(url, proc.pid, seconds, tmp, True)
        return result
    finally:
        proc.terminate()
        proc.wait()


def ms(seconds):
    return f"{seconds * 1e3:8.2f}"


def report(name, r):
    print(f"{name}: {r['series']} series, {r['bytes'] / 1e6:.2f} MB text, "
          f"{r['gzip_bytes'] / 1e6:.2f} MB gzip")
    s = r["seq"]
    print(f"  sequential gzip   p50 {ms(s['p50'])} ms  max {ms(s['max'])} ms  "
          f"CPU/scrape {ms(s['cpu'])} ms")
    for mode in ("gzip", "paced", "text"):
        w = r[mode]
        print(f"  50 x {mode:5}        p50 {ms(w['p50'])} ms  p99 {ms(w['p99'])} ms  "
              f"max {ms(w['max'])} ms  CPU/scrape {ms(w['cpu'])} ms  "
              f"({w['requests']} scrapes, {w['non2xx']} non-2xx, {w['errors']} errors)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old_binary")
    parser.add_argument("new_binary")
    parser.add_argument("--endpoints", type=int, default=1200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--pace-ms", type=int, default=100,
                        help="paced run: each of the 50 scrapers waits this long between scrapes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, port = start_server(tmp)
        try:
            old = bench_agent(args.old_binary, tmp, port, args.endpoints, args.seconds,
                              args.pace_ms)
            new = bench_agent(args.new_binary, tmp, port, args.endpoints, args.seconds,
                              args.pace_ms)
            node = bench_node_exporter(tmp, args.seconds) if NODE_EXPORTER else None
        finally:
            server.terminate()
            server.wait()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"{args.endpoints} endpoints")
    report("before (old binary)", old)
    report("after (new binary)", new)
    for mode in ("gzip", "paced", "text"):
        o, n = old[mode], new[mode]
        print(f"ratio after/before, 50 x {mode}: p50 {n['p50'] / o['p50']:.3f}  "
              f"p99 {n['p99'] / o['p99']:.3f}  max {n['max'] / o['max']:.3f}  "
              f"CPU/scrape {n['cpu'] / o['cpu']:.3f}")
    if node:
        w = node["gzip"]
        per_series = w["cpu"] / node["series"]
        print(f"node_exporter: {node['series']} series; 50 x gzip p50 {ms(w['p50'])} ms  "
              f"p99 {ms(w['p99'])} ms  CPU/scrape {ms(w['cpu'])} ms  "
              f"CPU/series {per_series * 1e6:.2f} us ({w['requests']} scrapes, "
              f"{w['non2xx']} non-2xx)")
        for name, r in (("before", old), ("after", new)):
            mine = r["gzip"]["cpu"] / r["series"]
            print(f"ratio {name}/node_exporter, CPU per series (50 x gzip): "
                  f"{mine / per_series:.4g}")
    else:
        print("node_exporter not installed (Debian prometheus-node-exporter): no peer ratio")


if __name__ == "__main__":
    sys.exit(main())
