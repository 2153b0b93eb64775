#!/usr/bin/env python3
"""Fleet simulation: N agents, each in its own network namespace, scraped by one real Prometheus.

Run by hand as root (not by ctest):
    tests/bench/fleet_bench.py [--agents 100] [--minutes 10] [--binary build/release/agent/app/portwarden]
                               [--agent-arg=--no-collector.NAME ...]

What it builds (and removes again, also on Ctrl-C or failure):
  * one Linux bridge in the host namespace (10.77.0.1/16) and, per agent i, a network namespace
    with lo up and a veth into the bridge (10.77.x.y/16);
  * in each namespace a small Python holder with 20 TCP/UDP listeners, one of them TCP
    0.0.0.0:8443 which the policy below flags (so each agent has one violation);
  * five `openssl s_server` in the host namespace on the bridge address, shared by every agent
    (each agent has five configured endpoints, distinct SNI names, all verifying);
  * the real agent binary in each namespace (namespaces = "host": it inventories its own
    namespace only, as on a real node), scan_interval 30 s, probe_interval 60 s, every
    collector on, listening on its bridge address;
  * one Prometheus (Debian's) with a temporary storage dir, scrape_interval 15 s, the repo's
    recording rules and alerts, scraping the N agents and itself.
Prometheus is started before the agents to measure its RSS with no agent (its baseline). Once
every target is up == 1 the run lasts --minutes; then it measures Prometheus's ingestion per
agent (samples/s, head series, RSS), bytes per sample of a block cut from the head (admin
snapshot), scrape duration per target (p50/p99 over the run), the agents' own CPU and RSS, and
the latency of every query of dashboards/portwarden-fleet.json (instant, /api/v1/query, and
range over the run, /api/v1/query_range; 5 runs each, median).
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "deploy"))
import promql_tools  # noqa: E402  (the dashboards' queries and their variable substitution)

PREFIX = "pwfl"                    # namespaces pwfl-<i>, bridge pwflbr0, veths pwflh<i>/pwfln<i>
BRIDGE = f"{PREFIX}br0"
HOST_ADDR = "10.77.0.1"
ENDPOINT_PORTS = [18441, 18442, 18443, 18444, 18445]
AGENT_PORT = 19443
PROM_PORT = 19090
SCRAPE_INTERVAL = 15

HOLDER = r"""
import selectors, socket, sys
addr = sys.argv[1]
tcp = [("0.0.0.0", 8443), ("0.0.0.0", 22), (addr, 80), ("127.0.0.1", 3306),
       ("127.0.0.1", 5432), ("127.0.0.1", 6379), ("127.0.0.1", 11211), ("::1", 8080),
       ("::", 3000)] + [("127.0.0.1", p) for p in range(9100, 9106)]
udp = [("0.0.0.0", 53), ("127.0.0.1", 323), ("0.0.0.0", 5353), ("0.0.0.0", 123), (addr, 161)]
sel = selectors.DefaultSelector()
for host, port in tcp:
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if host == "::":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((host, port)); s.listen(16); s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
held = []
for host, port in udp:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((host, port)); held.append(u)
print("ready", flush=True)
while True:                       # accept and close at once: the discovered 8443 probe fails fast
    for key, _ in sel.select():
        try:
            key.fileobj.accept()[0].close()
        except OSError:
            pass
"""


def run(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


def ns_name(i):
    return f"{PREFIX}-{i}"


def ns_addr(i):
    return f"10.77.{1 + i // 250}.{1 + i % 250}"


class Fleet:
    """Everything the run made, torn down in reverse by close()."""

    def __init__(self, agents, tmp):
        self.agents, self.tmp = agents, tmp
        self.procs, self.namespaces, self.bridge = [], [], False

    def spawn(self, cmd, **kw):
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, **kw)
        self.procs.append(proc)
        return proc

    def network(self):
        if run("ip", "link", "show", BRIDGE, check=False).returncode == 0:
            raise SystemExit(f"{BRIDGE} exists: another run (or a crashed one) owns it")
        run("ip", "link", "add", BRIDGE, "type", "bridge")
        self.bridge = True
        run("ip", "addr", "add", f"{HOST_ADDR}/16", "dev", BRIDGE)
        run("ip", "link", "set", BRIDGE, "up")
        batch = []
        for i in range(self.agents):
            ns, host_if, ns_if = ns_name(i), f"{PREFIX}h{i}", f"{PREFIX}n{i}"
            run("ip", "netns", "add", ns)
            self.namespaces.append(ns)
            batch += [f"link add {host_if} type veth peer name {ns_if} netns {ns}",
                      f"link set {host_if} master {BRIDGE} up",
                      f"-n {ns} link set lo up", f"-n {ns} link set {ns_if} name eth0",
                      f"-n {ns} addr add {ns_addr(i)}/16 dev eth0", f"-n {ns} link set eth0 up"]
        # One `ip -batch` instead of 600 processes. Lines with -n need it as a global option.
        plain = [l for l in batch if not l.startswith("-n ")]
        subprocess.run(["ip", "-batch", "-"], input="\n".join(plain) + "\n", check=True,
                       text=True, capture_output=True)
        for i in range(self.agents):
            ns = ns_name(i)
            cmds = [l[len(f"-n {ns} "):] for l in batch if l.startswith(f"-n {ns} ")]
            subprocess.run(["ip", "-n", ns, "-batch", "-"], input="\n".join(cmds) + "\n",
                           check=True, text=True, capture_output=True)

    def endpoints(self):
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", f"{self.tmp}/key.pem", "-out", f"{self.tmp}/cert.pem", "-days",
            "30", "-subj", "/CN=fleet.test", "-addext", "subjectAltName=DNS:*.fleet.test")
        for port in ENDPOINT_PORTS:
            self.spawn(["openssl", "s_server", "-accept", f"{HOST_ADDR}:{port}", "-tls1_3",
                        "-cert", f"{self.tmp}/cert.pem", "-key", f"{self.tmp}/key.pem", "-www",
                        "-quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def holders(self):
        with open(f"{self.tmp}/holder.py", "w") as f:
            f.write(HOLDER)
        holders = [self.spawn(["ip", "netns", "exec", ns_name(i), sys.executable,
                               f"{self.tmp}/holder.py", ns_addr(i)], stdout=subprocess.PIPE,
                              text=True) for i in range(self.agents)]
        for h in holders:
            if h.stdout.readline().strip() != "ready":
                raise RuntimeError("a holder failed to open its listeners")

    def agent_config(self):
        path = f"{self.tmp}/agent.toml"
        with open(path, "w") as f:
            f.write('[agent]\nscan_interval = "30s"\nprobe_interval = "60s"\n'
                    '[discovery]\nnamespaces = "host"\n')
            for k, port in enumerate(ENDPOINT_PORTS):
                f.write(f'[[endpoints]]\ntarget = "{HOST_ADDR}:{port}"\n'
                        f'server_name = "ep{k}.fleet.test"\nca_file = "{self.tmp}/cert.pem"\n')
            f.write('[[exposure.rules]]\nname = "admin-https-loopback-only"\nports = [8443]\n'
                    'allow = ["loopback"]\n')
        return path

    def start_agents(self, binary, extra):
        config = self.agent_config()
        return [self.spawn(["ip", "netns", "exec", ns_name(i), binary,
                            f"--config.file={config}",
                            f"--web.listen-address={ns_addr(i)}:{AGENT_PORT}",
                            "--log.level=error", *extra], stdout=subprocess.DEVNULL)
                for i in range(self.agents)]

    def start_prometheus(self):
        rules = [str(ROOT / "deploy/prometheus/portwarden-records.yml"),
                 str(ROOT / "deploy/prometheus/portwarden-alerts.yml")]
        targets = [f"'{ns_addr(i)}:{AGENT_PORT}'" for i in range(self.agents)]
        config = (f"global:\n  scrape_interval: {SCRAPE_INTERVAL}s\n"
                  f"  evaluation_interval: {SCRAPE_INTERVAL}s\n"
                  f"rule_files: [{', '.join(rules)}]\nscrape_configs:\n"
                  f"  - job_name: prometheus\n    static_configs:\n"
                  f"      - targets: ['127.0.0.1:{PROM_PORT}']\n"
                  f"  - job_name: portwarden\n    scrape_timeout: 10s\n    static_configs:\n"
                  f"      - targets: [{', '.join(targets)}]\n")
        with open(f"{self.tmp}/prometheus.yml", "w") as f:
            f.write(config)
        log = open(f"{self.tmp}/prometheus.log", "w")
        return self.spawn(["prometheus", f"--config.file={self.tmp}/prometheus.yml",
                           f"--storage.tsdb.path={self.tmp}/data",
                           f"--web.listen-address=127.0.0.1:{PROM_PORT}",
                           "--web.enable-admin-api"], stdout=log, stderr=log)

    def close(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        deadline = time.time() + 20
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for ns in self.namespaces:                  # deleting a namespace deletes its veth end
            run("ip", "netns", "del", ns, check=False)
        if self.bridge:
            run("ip", "link", "del", BRIDGE, check=False)


def api(path, **params):
    url = f"http://127.0.0.1:{PROM_PORT}{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=120) as r:
        body = json.load(r)
    if body["status"] != "success":
        raise RuntimeError(f"{path} {params}: {body}")
    return body["data"]


def scalar(expr):
    result = api("/api/v1/query", query=expr)["result"]
    return float(result[0]["value"][1]) if result else float("nan")


def wait_for(what, predicate, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(2)
    raise RuntimeError(f"timed out waiting for {what}")


def proc_cpu_rss(pid):
    """(CPU seconds, RSS bytes) of one process from /proc."""
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))
    return (int(stat[11]) + int(stat[12])) / tick, rss * 1024


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def scrape_durations(minutes):
    """Per target, every scrape_duration_seconds sample of the run."""
    data = api("/api/v1/query", query=f'scrape_duration_seconds{{job="portwarden"}}[{minutes}m]')
    return {s["metric"]["instance"]: [float(v) for _, v in s["values"]] for s in data["result"]}


def time_queries(start, end):
    """Median of 5 runs of each fleet-dashboard query, instant and over the run's range."""
    step = max(SCRAPE_INTERVAL, int((end - start) / 250))
    timings = []
    for uid, panel, title, raw in promql_tools.dashboard_queries():
        if uid != "portwarden-fleet":
            continue
        expr = promql_tools.substitute(raw)
        runs = {"instant": [], "range": []}
        for _ in range(5):
            t0 = time.monotonic()
            api("/api/v1/query", query=expr, time=end)
            runs["instant"].append(time.monotonic() - t0)
            t0 = time.monotonic()
            series = len(api("/api/v1/query_range", query=expr, start=start, end=end,
                             step=step)["result"])
            runs["range"].append(time.monotonic() - t0)
        timings.append((statistics.median(runs["instant"]), statistics.median(runs["range"]),
                        series, title, expr))
    return sorted(timings, reverse=True), step


def block_stats(tmp):
    """Cuts a block from the head (admin snapshot): (chunk bytes, index bytes, samples, series)."""
    name = api_post("/api/v1/admin/tsdb/snapshot")["name"]
    snap = pathlib.Path(tmp) / "data" / "snapshots" / name
    chunks = index = samples = series = 0
    for meta in snap.glob("*/meta.json"):
        stats = json.loads(meta.read_text())["stats"]
        samples += stats["numSamples"]
        series += stats["numSeries"]
        chunks += sum(p.stat().st_size for p in (meta.parent / "chunks").iterdir())
        index += (meta.parent / "index").stat().st_size
    return chunks, index, samples, series


def api_post(path):
    request = urllib.request.Request(f"http://127.0.0.1:{PROM_PORT}{path}", method="POST")
    with urllib.request.urlopen(request, timeout=300) as r:
        return json.load(r)["data"]


def measure(fleet, agents, prometheus, baseline_rss, minutes, started, cpu0):
    """Prints the figures of the run (the table in docs/benchmarks.md)."""
    n = fleet.agents
    up = scalar('count(up{job="portwarden"} == 1)')
    up_min = scalar(f'min(min_over_time(up{{job="portwarden"}}[{minutes}m]))')
    print(f"\ntargets up == 1 at the end: {up:.0f} of {n}; lowest up over the run: {up_min:.0f}")
    samples_s = scalar("rate(prometheus_tsdb_head_samples_appended_total[1m])")
    agent_samples = scalar('sum(scrape_samples_post_metric_relabeling{job="portwarden"})')
    self_samples = scalar('sum(scrape_samples_post_metric_relabeling{job="prometheus"})')
    head = scalar("prometheus_tsdb_head_series")
    violations = scalar('sum(portwarden_exposure_violation{job="portwarden"})')
    listeners = scalar('sum(portwarden_listeners{job="portwarden"})')
    probes_ok = scalar('sum(portwarden_tls_probe_success{job="portwarden",source="config"})')
    rules_p50 = scalar(f'sum(quantile_over_time(0.5, prometheus_rule_group_last_duration_seconds'
                       f'{{rule_group=~".*records.*"}}[{minutes}m]))')
    alerts_p50 = scalar(f'sum(quantile_over_time(0.5, prometheus_rule_group_last_duration_seconds'
                        f'{{rule_group=~".*alerts.*"}}[{minutes}m]))')
    rules_max = scalar(f'max(max_over_time(prometheus_rule_group_last_duration_seconds[{minutes}m]))')
    rss = proc_cpu_rss(prometheus.pid)[1]
    prom_cpu = proc_cpu_rss(prometheus.pid)[0] - cpu0[prometheus.pid]
    durations = scrape_durations(minutes)
    pooled = [v for vs in durations.values() for v in vs]
    p50s = [percentile(vs, 0.5) for vs in durations.values()]
    p99s = [percentile(vs, 0.99) for vs in durations.values()]
    agent_stats = []
    for a in agents:
        if a.poll() is None:
            cpu, rss_agent = proc_cpu_rss(a.pid)
            agent_stats.append((cpu - cpu0[a.pid], rss_agent))
    elapsed = time.time() - started
    wal = sum(p.stat().st_size for p in (pathlib.Path(fleet.tmp) / "data" / "wal").rglob("*")
              if p.is_file())
    appended = scalar("prometheus_tsdb_head_samples_appended_total")
    chunk_bytes, index_bytes, block_samples, block_series = block_stats(fleet.tmp)

    rows = [
        ("agents (targets)", f"{n}"),
        ("listeners per agent (portwarden_listeners)", f"{listeners / n:.1f}"),
        ("violations per agent", f"{violations / n:.2f}"),
        ("configured endpoints verifying per agent", f"{probes_ok / n:.2f} of 5"),
        ("series per scrape per agent", f"{agent_samples / n:.0f}"),
        ("samples/s appended, total (rate[1m])", f"{samples_s:.0f}"),
        ("samples/s per agent", f"{samples_s / n:.1f}"),
        ("  of which the scrape itself (series/15 s)", f"{agent_samples / n / SCRAPE_INTERVAL:.1f}"),
        ("head series, total", f"{head:.0f}"),
        ("head series per agent", f"{head / n:.0f}"),
        ("  Prometheus's own series (self-scrape)", f"{self_samples:.0f}"),
        ("Prometheus RSS, total", f"{rss / 2**20:.0f} MiB"),
        ("Prometheus RSS with no agent (baseline)", f"{baseline_rss / 2**20:.0f} MiB"),
        ("Prometheus RSS per agent, (total - baseline) / N", f"{(rss - baseline_rss) / n / 1024:.0f} KiB"),
        ("Prometheus RSS per head series, (total - baseline)", f"{(rss - baseline_rss) / head / 1024:.2f} KiB"),
        ("Prometheus CPU over the run", f"{prom_cpu / elapsed * 100:.1f} % of a core"),
        ("scrape duration p50 (median of per-target p50)", f"{statistics.median(p50s) * 1e3:.1f} ms"),
        ("scrape duration p99 (median of per-target p99)", f"{statistics.median(p99s) * 1e3:.1f} ms"),
        ("scrape duration p99 (worst target)", f"{max(p99s) * 1e3:.1f} ms"),
        ("scrape duration p99 (all scrapes pooled)", f"{percentile(pooled, 0.99) * 1e3:.1f} ms"),
        ("scrapes measured", f"{len(pooled)}"),
        ("recording rules, one evaluation (median)", f"{rules_p50 * 1e3:.0f} ms"),
        ("alert rules, one evaluation of every group (median)", f"{alerts_p50 * 1e3:.0f} ms"),
        ("slowest rule group evaluation", f"{rules_max * 1e3:.0f} ms"),
        ("WAL bytes per appended sample", f"{wal / appended:.2f}"),
        ("block from the head: chunk bytes per sample", f"{chunk_bytes / max(block_samples, 1):.2f}"),
        ("block from the head: index bytes per series", f"{index_bytes / max(block_series, 1):.0f}"),
        ("block from the head: samples, series", f"{block_samples}, {block_series}"),
        ("agent RSS, median (max)", f"{statistics.median(r for _, r in agent_stats) / 2**20:.1f} "
         f"({max(r for _, r in agent_stats) / 2**20:.1f}) MiB"),
        ("agent CPU, median", f"{statistics.median(c for c, _ in agent_stats) / elapsed * 100:.2f} % of a core"),
        ("agents alive at the end", f"{len(agent_stats)} of {n}"),
    ]
    print(f"\nFleet simulation: {n} agents, {minutes} min after all were up, scrape_interval "
          f"{SCRAPE_INTERVAL}s\n")
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")

    end = time.time()
    timings, step = time_queries(started, end)
    print(f"\nFleet dashboard queries ({len(timings)}), median of 5 runs: instant (/api/v1/query) "
          f"and range over the run (/api/v1/query_range, step {step}s); slowest first\n")
    print("| instant ms | range ms | series | panel | expr |")
    for inst, rng, series, title, expr in timings:
        print(f"| {inst * 1e3:.1f} | {rng * 1e3:.1f} | {series} | {title} | `{expr[:90]}` |")
    print(f"\nall queries: instant median {statistics.median(t[0] for t in timings) * 1e3:.1f} ms,"
          f" max {timings[0][0] * 1e3:.1f} ms; range median "
          f"{statistics.median(t[1] for t in timings) * 1e3:.1f} ms, max "
          f"{max(t[1] for t in timings) * 1e3:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--binary", default=str(ROOT / "build/release/agent/app/portwarden"))
    parser.add_argument("--agent-arg", action="append", default=[],
                        help="extra agent flag, repeatable (e.g. --agent-arg=--no-collector.tls_histogram)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces, a bridge)")
    if not 1 <= args.agents <= 2000:
        raise SystemExit("--agents must be 1-2000")
    binary = os.path.abspath(args.binary)

    # Ctrl-C and SIGTERM unwind through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    tmp = tempfile.mkdtemp(prefix="fleet_bench.")
    fleet = Fleet(args.agents, tmp)
    try:
        t0 = time.time()
        fleet.network()
        fleet.endpoints()
        fleet.holders()
        print(f"{args.agents} namespaces, holders and 5 s_servers ready in {time.time() - t0:.0f} s",
              flush=True)
        prometheus = fleet.start_prometheus()
        wait_for("Prometheus", lambda: scalar("up{job='prometheus'}") == 1, 120)
        time.sleep(20)
        baseline_rss = proc_cpu_rss(prometheus.pid)[1]
        print(f"Prometheus up; RSS with no agent: {baseline_rss / 2**20:.0f} MiB", flush=True)
        agents = fleet.start_agents(binary, args.agent_arg)
        wait_for("every target up == 1",
                 lambda: scalar('count(up{job="portwarden"} == 1)') == args.agents, 300)
        started = time.time()
        cpu0 = {a.pid: proc_cpu_rss(a.pid)[0] for a in agents + [prometheus]}
        print(f"all {args.agents} targets up == 1 after {started - t0:.0f} s; "
              f"measuring for {args.minutes} min", flush=True)
        time.sleep(args.minutes * 60)
        dead = [i for i, a in enumerate(agents) if a.poll() is not None]
        if dead:
            raise RuntimeError(f"agents exited during the run: {dead[:10]}")
        measure(fleet, agents, prometheus, baseline_rss, args.minutes, started, cpu0)
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        fleet.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
