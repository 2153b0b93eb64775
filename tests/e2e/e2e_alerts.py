#!/usr/bin/env python3
"""End to end: real TLS servers -> portwarden -> Debian's Prometheus (deploy/prometheus rules)
-> Debian's Alertmanager (deploy/alertmanager routes and inhibitions) -> a webhook receiver.

Runs in a network namespace of its own (unshare -n, as root): loopback plus a veth pair whose end
pw0 that the agent's config zones as "public", so the admin listener bound to 0.0.0.0 is a
public exposure without anything being reachable from outside. Every port is chosen at run time.

Asserts:
- the critical expiry alert (3 days left on a 90-day certificate) reaches the pager receiver
  with the exact labels and rendered annotations, and its warning twin is inhibited;
- an endpoint whose intermediate expires in 2 days while its leaf has 5 months left pages the
  same way (chain_pos="1"), its warning inhibited, and nothing is raised about its leaf; for
  both, that page is the only notification delivered about the endpoint;
- the exposure alert for the wildcard admin listener reaches the pager receiver, labels and
  annotations exact; the configured failing-verification endpoint pages;
- a discovered self-signed listener (found by the agent on a tls_port) reaches Alertmanager only
  as a warning (ops-chat, never the pager); a second discovered listener that Prometheus
  relabels with page="true" pages;
- the healthy endpoint raises nothing, not even a pending alert;
- every rule and dashboard expression is accepted by this Prometheus, reads only metrics the
  agent exports (or recording rules), and every dashboard query returns data.

Exit 77 (ctest SKIP) only when not run as root (no network namespace of its own).
Usage: e2e_alerts.py --agent PATH [--timeout SECONDS]
"""
import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "deploy"))
sys.path.insert(0, str(HERE.parent / "lib"))
import certs  # noqa: E402
import promql_tools  # noqa: E402
import scenario  # noqa: E402
import stack as st  # noqa: E402
import checks  # noqa: E402
import report_check  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402

SKIP = 77


def enter_own_netns():
    if os.environ.get("PORTWARDEN_E2E_NETNS") == "1":
        for cmd in (["ip", "link", "set", "lo", "up"],
                    ["ip", "link", "add", "pw0", "type", "veth", "peer", "name", "pw1"],
                    ["ip", "addr", "add", "198.51.100.1/24", "dev", "pw0"],
                    ["ip", "link", "set", "pw1", "up"],
                    ["ip", "link", "set", "pw0", "up"]):
            subprocess.run(cmd, check=True)
        return
    if os.geteuid() != 0:
        skip_unprivileged("needs root for its own network namespace (unshare -n)")
    os.environ["PORTWARDEN_E2E_NETNS"] = "1"
    os.execvp("unshare", ["unshare", "--net", "--", sys.executable, *sys.argv])


CONFIGURED = ("expiring", "healthy", "failing", "chain")
DISCOVERED = ("selfsigned", "paged")  # found by the agent on discovery.tls_ports


def make_servers(s, tmp):
    now = dt.datetime.now(dt.timezone.utc)
    day = dt.timedelta(days=1)
    ca, rogue = certs.make_ca("portwarden e2e CA"), certs.make_ca("untrusted e2e CA")
    ca_file = certs.write_ca(tmp, "ca", ca[0])
    # A 5-year intermediate of the trusted CA with 2 days left, under a leaf with 150 left.
    intermediate = certs.make_intermediate(ca, "portwarden e2e intermediate", now - 1824 * day,
                                           now + 2 * day)
    servers = {  # name: (issuer or None for self-signed, not_before, not_after, bind address)
        "expiring": (ca, now - 87 * day, now + 3 * day, "127.0.0.1"),
        # 91 days: within the CA/Browser Forum maximum, so no posture finding either.
        "healthy": (ca, now - day, now + 90 * day, "127.0.0.1"),
        "admin": (ca, now - day, now + 365 * day, "0.0.0.0"),
        "failing": (rogue, now - day, now + 365 * day, "127.0.0.1"),
        "chain": (intermediate, now - 50 * day, now + 150 * day, "127.0.0.1"),
        "selfsigned": (None, now - day, now + 365 * day, "127.0.0.1"),
        "paged": (rogue, now - day, now + 365 * day, "127.0.0.1"),
    }
    ports, not_after = {}, {}
    for name, (issuer, begin, end, host) in servers.items():
        leaf = certs.make_leaf(issuer, "localhost", begin, end)
        chain, key = certs.write_server_files(tmp, name, leaf, *([issuer[0]] if issuer else []))
        proc = s.start(f"tls-{name}", [sys.executable, str(HERE / "tls_server.py"), "tls", host,
                                        str(chain), str(key)])
        ports[name] = int(proc.wait_line(lambda line: line.isdigit() and line, 10))
        not_after[name] = end.timestamp()
    not_after["chain_intermediate"] = (now + 2 * day).timestamp()
    redirect = s.start("http-redirect", [sys.executable, str(HERE / "tls_server.py"), "redirect",
                                         "127.0.0.1", str(ports["healthy"])])
    ports["redirect"] = int(redirect.wait_line(lambda line: line.isdigit() and line, 10))
    return ca_file, ports, not_after


def start_agent(s, tmp, agent, ca_file, ports, targets):
    endpoints = [(targets[n], ca_file) for n in CONFIGURED]
    config = tmp / "portwarden.toml"
    config.write_text(scenario.agent_toml(endpoints, ports["admin"], ports["redirect"],
                                          targets["healthy"], [ports[n] for n in DISCOVERED]))
    proc = s.start("portwarden", [agent, f"--config.file={config}",
                                  "--web.listen-address=127.0.0.1:0", "--log.level=info"])
    pattern = re.compile(r'msg="?Listening on"?.*address="?127\.0\.0\.1:(\d+)')
    port = int(proc.wait_line(lambda line: (m := pattern.search(line)) and m.group(1), 20))
    st.wait_until("agent ready", lambda: st.http_get(f"http://127.0.0.1:{port}/-/ready"), 20)
    return port


def start_monitoring(s, tmp, agent_port, paged_target):
    prom_port, am_port = st.free_port(), st.free_port()
    s.webhook = st.Webhook()
    (tmp / "am.yml").write_text(scenario.alertmanager_yml(s.webhook.port))
    s.start("alertmanager", ["prometheus-alertmanager", f"--config.file={tmp / 'am.yml'}",
                             f"--web.listen-address=127.0.0.1:{am_port}",
                             "--cluster.listen-address=", f"--storage.path={tmp / 'am'}"])
    rules = tmp / "rules"
    rules.mkdir()
    (tmp / "prom.yml").write_text(
        scenario.prometheus_yml(scenario.test_rule_files(rules), agent_port, am_port,
                                paged_target))
    s.start("prometheus", ["prometheus", f"--config.file={tmp / 'prom.yml'}",
                           f"--web.listen-address=127.0.0.1:{prom_port}",
                           f"--storage.tsdb.path={tmp / 'prom'}"])
    prom, am = f"http://127.0.0.1:{prom_port}", f"http://127.0.0.1:{am_port}"
    st.wait_until("alertmanager ready", lambda: st.http_get(f"{am}/-/ready"), 30)
    st.wait_until("prometheus ready", lambda: st.http_get(f"{prom}/-/ready"), 30)
    return prom, am


def run(args, tmp, s):
    started = time.monotonic()
    ca_file, ports, not_after = make_servers(s, tmp)
    targets = {n: f"127.0.0.1:{ports[n]}" for n in CONFIGURED + DISCOVERED}
    agent_port = start_agent(s, tmp, args.agent, ca_file, ports, targets)
    exported = checks.wait_for_modules(agent_port, targets)
    prom, am = start_monitoring(s, tmp, agent_port, targets["paged"])
    ctx = checks.Context(prom=prom, am=am, agent_port=agent_port, targets=targets, ports=ports,
                         not_after=not_after, webhook=s.webhook, started=started)
    checks.exposure_alert(ctx)
    checks.expiry_alert(ctx)
    checks.chain_expiry_alert(ctx)
    checks.verification_alert(ctx)
    checks.discovered_verification_alerts(ctx)
    report_check.audit_report(ctx, args.agent, str(tmp))
    checks.expiry_warning_inhibited(ctx, "expiring", "0")
    checks.expiry_warning_inhibited(ctx, "chain", "1")
    checks.healthy_endpoint_quiet(ctx)
    checks.queries_accepted_and_known(ctx, exported, promql_tools)
    checks.panels_have_data(ctx, promql_tools)
    checks.discovered_never_paged(ctx)
    checks.one_notification_per_broken_certificate(ctx)
    agent = next(p for p in s.procs if p.name == "portwarden")
    print("e2e: agent memory after the run (6 endpoints, 1 s scans, 2 s probes): " +
          checks.memory_summary(agent.popen.pid))
    print(f"e2e: all checks passed in {time.monotonic() - started:.1f} s")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agent", required=True)
    args = parser.parse_args()
    args.agent = os.path.abspath(args.agent)
    enter_own_netns()
    s = st.Stack()
    pids = []
    with tempfile.TemporaryDirectory(prefix="portwarden-e2e-") as tmpdir:
        try:
            code = run(args, pathlib.Path(tmpdir), s)
        except (AssertionError, RuntimeError) as e:
            print(f"FAIL: {e}")
            s.dump_logs()
            code = 1
        finally:
            pids = [p.popen.pid for p in s.procs]
            s.close()
    leftovers = [pid for pid in pids if st.pid_alive(pid)]
    if leftovers:
        print(f"FAIL: processes still running after cleanup: {leftovers}")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
