"""`portwarden scan` filters and output, `probe` options and `report` formats against real
listeners and real openssl s_server peers (issue 16), each filter cross-checked with `ss`
for the same filter; the report read back with real parsers (html.parser, csv), from a
running agent (--from) and from a fresh collection; the committed golden reports parse too.
Namespaces and a second user need root: exit 77 without it (a failure when
PORTWARDEN_REQUIRE_PRIVILEGED=1). It runs in a network namespace of its own ("host" to scan
and ss alike), and the reports' agent inventories only that one, so other sessions'
listeners and same-named processes cannot enter what it matches. Standard library, ss, ip,
unshare and openssl only."""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
sys.path.insert(0, HERE)
from agent_process import AgentProcess  # noqa: E402
from own_netns import isolate, isolated  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402
from report_parsing import markdown_tables, parse_csv, parse_html  # noqa: E402
from scenario import HOSTILE_CN_SHOWN, HOSTILE_COMM_SHOWN, Scenario  # noqa: E402

ARGS = None
CONFIG = None
SHARED_HOLDER = r'''
import os, socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
if os.fork() == 0:
    os.setgid(65534); os.setuid(65534)
    print(os.getpid(), flush=True)
    sys.stdin.read()
    os._exit(0)
sys.stdin.read()
'''
V6_HOLDER = r'''
import socket, sys
socks = []
for v6only in (0, 1):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind(("::", 0)); s.listen(8); socks.append(s)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); socks.append(u)
print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
sys.stdin.read()
'''


def run(*argv, check=True):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} exited {result.returncode}: {result.stderr}")
    return result


def scan(*args):
    """(rows as dicts by column, summary line) of `portwarden scan ARGS` under the scenario's
    config (its rule makes the hostile listener a violation)."""
    out = run(ARGS.binary, "scan", f"--config.file={CONFIG}", *args).stdout.splitlines()
    header = re.split(r"\s{2,}", out[0])
    rows = [dict(zip(header, re.split(r"\s{2,}", line))) for line in out[1:-1]]
    return rows, out[-1]


def ss_local(*args):
    """The local address:port column of `ss -H ARGS`."""
    return {line.split()[3] for line in run("ss", "-H", *args).stdout.splitlines() if line}


class Holder:
    def __init__(self, code, *argv):
        self.proc = subprocess.Popen([sys.executable, "-c", code, *argv], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def line(self):
        return self.proc.stdout.readline().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class ScanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        global CONFIG
        cls.s = Scenario().__enter__()
        CONFIG = cls.s.config
        cls.v6 = Holder(V6_HOLDER)
        cls.dual_port, cls.v6only_port, cls.udp_port = map(int, cls.v6.line().split())
        cls.shared = Holder(SHARED_HOLDER)
        cls.shared_port = int(cls.shared.line())
        cls.shared_child = int(cls.shared.line())
        cls.netns = f"pwscan{os.getpid()}"
        run("ip", "netns", "add", cls.netns)
        run("ip", "netns", "exec", cls.netns, "ip", "link", "set", "lo", "up")
        cls.ns_holder = subprocess.Popen(
            ["ip", "netns", "exec", cls.netns, sys.executable, "-c",
             "import socket,sys\nss=[]\nfor a in ('127.0.0.1','0.0.0.0'):\n s=socket.socket()"
             "\n s.bind((a,0)); s.listen(); ss.append(s)\nprint('ok',flush=True)\nsys.stdin.read()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        cls.ns_holder.stdout.readline()

    @classmethod
    def tearDownClass(cls):
        cls.ns_holder.stdin.close()
        cls.ns_holder.wait(timeout=10)
        cls.ns_holder.stdout.close()
        run("ip", "netns", "delete", cls.netns, check=False)
        cls.shared.close()
        cls.v6.close()
        cls.s.__exit__(None, None, None)

    def test_port_argument_forms_match_ss(self):
        port = self.s.hostile_listener_port
        expected = ss_local("-tln", f"sport = :{port}")
        for args in ([f":{port}"], [str(port)], [f"127.0.0.1:{port}"], [f"--port={port}"]):
            rows, summary = scan(*args, "--netns=host")
            self.assertEqual({r["ADDRESS:PORT"] for r in rows}, expected, args)
            self.assertRegex(summary, r"^1 of \d+ listeners \(tcp 1, udp 0\): public 0, private 0, "
                                      r"link_local 0, loopback 1; 1 violation$")
        self.assertEqual(scan(f"127.0.0.2:{port}")[0], [])  # another bind address

    def test_port_list_and_range_match_ss(self):
        a, b = sorted((self.s.healthy_port, self.s.hostile_port))
        rows, _ = scan(f"--port={a},{b}", "--netns=host")
        self.assertEqual({r["ADDRESS:PORT"] for r in rows},
                         ss_local("-tln", f"( sport = :{a} or sport = :{b} )"))
        rows, _ = scan(f"--port={a}-{b}", "--netns=host", "--proto=tcp")
        self.assertEqual({r["ADDRESS:PORT"] for r in rows},
                         ss_local("-tln", f"( sport >= :{a} and sport <= :{b} )"))

    def test_proto_matches_ss(self):
        rows, _ = scan("--proto=udp", f"--port={self.udp_port}", "--netns=host")
        self.assertEqual({r["ADDRESS:PORT"] for r in rows},
                         ss_local("-uln", f"sport = :{self.udp_port}"))
        self.assertEqual({r["PROTO"] for r in rows}, {"udp"})
        self.assertEqual(scan("--proto=tcp", f"--port={self.udp_port}", "--netns=host")[0], [])

    def test_v6only_shown_as_ss_shows_it(self):
        rows, _ = scan(f"--port={self.dual_port},{self.v6only_port}", "--netns=host")
        shown = {r["ADDRESS:PORT"] for r in rows}
        self.assertEqual(shown, {f"*:{self.dual_port}", f"[::]:{self.v6only_port}"})
        self.assertEqual(shown, ss_local("-tln", f"( sport = :{self.dual_port} or sport = "
                                                 f":{self.v6only_port} )"))

    def test_netns_matches_ss_inside_it(self):
        rows, _ = scan(f"--netns={self.netns}", "--proto=tcp")
        inside = run("ip", "netns", "exec", self.netns, "ss", "-Htln").stdout.splitlines()
        self.assertEqual({r["ADDRESS:PORT"] for r in rows}, {l.split()[3] for l in inside})
        self.assertEqual(len(rows), 2)
        self.assertEqual({r["NAMESPACE"] for r in rows}, {self.netns})
        glob_rows, _ = scan("--netns=pwscan*", "--proto=tcp")
        self.assertTrue({r["ADDRESS:PORT"] for r in rows} <= {r["ADDRESS:PORT"] for r in glob_rows})

    def test_process_glob_matches_ss_owner(self):
        rows, _ = scan("--process=<b>x*", "--netns=host")
        self.assertEqual({int(r["PID"]) for r in rows}, {self.s.hostile_pid})
        users = run("ss", "-Htlnp", f"sport = :{self.s.hostile_listener_port}").stdout
        self.assertIn(f"pid={self.s.hostile_pid},", users)
        self.assertEqual(rows[0]["PROCESS"], HOSTILE_COMM_SHOWN)  # terminal-safe

    def test_violations_only(self):
        ports = f"--port={self.s.hostile_listener_port},{self.s.healthy_port}"
        self.assertEqual(len(scan(ports, "--netns=host")[0]), 2)
        rows, summary = scan(ports, "--netns=host", "--violations")
        self.assertEqual([r["ADDRESS:PORT"] for r in rows],
                         [f"127.0.0.1:{self.s.hostile_listener_port}"])
        self.assertEqual(rows[0]["VERDICT"], "VIOLATION status-test-nowhere")
        self.assertTrue(summary.endswith("; 1 violation"), summary)
        failing = run(ARGS.binary, "scan", f"--config.file={CONFIG}", ports, "--violations",
                      "--fail-on-violation", check=False)
        self.assertEqual(failing.returncode, 3)

    def test_every_holder_with_its_user(self):
        rows, _ = scan(f":{self.shared_port}", "--netns=host")
        self.assertEqual(len(rows), 1)
        parent = self.shared.proc.pid
        self.assertEqual(rows[0]["USER"], "root")
        self.assertEqual(rows[0]["HOLDERS"],
                         f"python3({parent} root) python3({self.shared_child} nobody)")
        owners = run("ss", "-Htlnp", f"sport = :{self.shared_port}").stdout
        self.assertIn(f"pid={parent},", owners)
        self.assertIn(f"pid={self.shared_child},", owners)

    def test_json_output_filtered_too(self):
        out = run(ARGS.binary, "scan", f"--config.file={CONFIG}", "--output=json",
                  f":{self.s.hostile_listener_port}",
                  "--netns=host").stdout
        listeners = json.loads(out)
        self.assertEqual([(l["port"], l["violation"]) for l in listeners],
                         [(self.s.hostile_listener_port, True)])

    def test_bad_filters_are_usage_errors(self):
        for args in (["--port=0"], ["--port=9-8"], ["--proto=sctp"], ["nonsense"]):
            result = run(ARGS.binary, "scan", *args, check=False)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn("error:", result.stderr)


class ProbeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Scenario().__enter__()
        cls.mtls_port = cls.s._free_mtls_port = None
        port = socket.socket()
        port.bind(("127.0.0.1", 0))
        cls.mtls_port = port.getsockname()[1]
        port.close()
        cls.mtls = subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-accept", f"127.0.0.1:{cls.mtls_port}", "-cert",
             cls.s.path("leaf.pem"), "-key", cls.s.path("leaf.key"), "-Verify", "1", "-CAfile",
             cls.s.path("ca.pem"), "-verify_return_error", "-alpn", "h2", "-naccept", "100"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", cls.mtls_port)) != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("s_server did not start")
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.mtls.terminate()
        cls.mtls.wait(timeout=10)
        cls.s.__exit__(None, None, None)

    def probe(self, port, *args):
        return run(ARGS.binary, "probe", f"127.0.0.1:{port}", "--server-name=localhost", *args,
                   check=False)

    def test_healthy_with_pem_matching_openssl(self):
        result = self.probe(self.s.healthy_port, f"--ca-file={self.s.path('ca.pem')}",
                            "--show-certs")
        self.assertEqual(result.returncode, 0, result.stdout)
        lines = result.stdout.splitlines()
        self.assertIn("  verify: ok", lines)
        self.assertTrue(any(l.startswith("  tls: TLS 1.3, ") and l.endswith(", ALPN none")
                            for l in lines), lines)
        pem = result.stdout[result.stdout.index("-----BEGIN CERTIFICATE-----"):]
        fingerprint = run("openssl", "x509", "-noout", "-fingerprint", "-sha256",
                          input_text(pem)).stdout if False else subprocess.run(
            ["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem,
            capture_output=True, text=True, check=True).stdout
        hex_fp = fingerprint.split("=", 1)[1].strip().replace(":", "").lower()
        self.assertIn(f"        sha256 {hex_fp}", lines)
        with open(self.s.path("leaf.pem")) as leaf:
            self.assertEqual(pem.split("-----END CERTIFICATE-----")[0],
                             leaf.read().split("-----END CERTIFICATE-----")[0])
        as_json = json.loads(self.probe(self.s.healthy_port, f"--ca-file={self.s.path('ca.pem')}",
                                        "--show-certs", "--output=json").stdout)
        self.assertTrue(as_json[0]["chain"][0]["pem"].startswith("-----BEGIN CERTIFICATE-----"))

    def test_failure_wording(self):
        hostile = self.probe(self.s.hostile_port).stdout.splitlines()
        self.assertIn("  failure: verify: self_signed: self-signed certificate", hostile)
        self.assertIn("  verify: self_signed at chain_pos 0 (self-signed certificate)", hostile)
        self.assertIn(f"    [0] {HOSTILE_CN_SHOWN}  (issuer {HOSTILE_CN_SHOWN})", hostile)
        refused = self.probe(self.s.refused_port)
        self.assertEqual(refused.returncode, 4)
        self.assertRegex(refused.stdout, r"\n  failure: connect_refused during connect: .*refused")
        self.assertNotIn(" in verify:", "\n".join(hostile))
        self.assertNotIn("(ok)", self.probe(self.s.healthy_port,
                                            f"--ca-file={self.s.path('ca.pem')}").stdout)

    def test_mtls_failure_names_the_client_cas_and_alpn(self):
        result = self.probe(self.mtls_port, f"--ca-file={self.s.path('ca.pem')}")
        self.assertEqual(result.returncode, 4)
        lines = result.stdout.splitlines()
        self.assertTrue(any(l.endswith(", ALPN h2") for l in lines), lines)
        at = lines.index("  client certificate asked for, from these CAs:")
        self.assertEqual(lines[at + 1], "    CN=status test CA")
        as_json = json.loads(self.probe(self.mtls_port, f"--ca-file={self.s.path('ca.pem')}",
                                        "--output=json").stdout)
        self.assertEqual(as_json[0]["client_ca_names"], ["CN=status test CA"])
        self.assertEqual(as_json[0]["alpn"], "h2")


def input_text(text):
    return text


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Scenario(namespaces="host").__enter__()
        cls.agent = AgentProcess(ARGS.binary, [f"--config.file={cls.s.config}"])
        cls.agent.start()
        port = cls.s.hostile_listener_port

        def complete():  # the probe and the inventory job publish on their own
            state = json.loads(cls.agent.get("/api/state")[2])
            return len(state["probes"]) == 3 and any(
                l["port"] == port and l["process"]["pid"] for l in state["listeners"])
        cls.agent.wait_for(complete, 30, "three probes and the hostile listener")
        cls.dir = tempfile.mkdtemp(prefix="portwarden-report-")

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.s.__exit__(None, None, None)
        subprocess.run(["rm", "-rf", cls.dir], check=False)

    def report(self, fmt, *args):
        path = os.path.join(self.dir, f"report.{fmt}")
        run(ARGS.binary, "report", f"--format={fmt}", "-o", path, *args)
        with open(path, encoding="utf-8") as f:
            return f.read()

    def from_agent(self, fmt):
        return self.report(fmt, f"--from=http://{self.agent.address}")

    def test_html_from_running_agent(self):
        page = parse_html(self.from_agent("html"))
        self.assertNotIn("script", page.tags)
        self.assertNotIn("b", page.tags)
        identity = dict(page.tables["identity"])
        self.assertEqual(identity["Host"], socket.gethostname())
        if os.access("/etc/machine-id", os.R_OK):
            with open("/etc/machine-id") as f:
                self.assertEqual(identity["Machine ID"], f.read().strip())
        self.assertIn(os.uname().release, identity["Kernel"])
        self.assertEqual(identity["Data"], f"read from http://{self.agent.address}/api/state")
        self.assertRegex(identity["Report generated"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ by ")
        listeners = page.tables["listeners"]
        hostile = [r for r in listeners if r[2] == f"127.0.0.1:{self.s.hostile_listener_port}"]
        self.assertEqual(hostile[0][4], f"{HOSTILE_COMM_SHOWN} (pid {self.s.hostile_pid})")
        self.assertEqual(hostile[0][8], "VIOLATION (status-test-nowhere)")
        endpoints = {r[0]: r for r in page.tables["endpoints"][1:]}
        self.assertEqual(endpoints[f"127.0.0.1:{self.s.healthy_port}"][3], "ok")
        self.assertEqual(endpoints[f"127.0.0.1:{self.s.hostile_port}"][2], HOSTILE_CN_SHOWN)
        self.assertEqual(endpoints[f"127.0.0.1:{self.s.refused_port}"][3],
                         "failed: connect_refused")
        chains = [t for name, t in page.tables.items() if name.startswith("chain-")]
        self.assertEqual(len(chains), 2)  # the two endpoints that presented a certificate

    def test_markdown_from_running_agent(self):
        text = self.from_agent("markdown")
        self.assertTrue(text.startswith(f"# Port audit of {socket.gethostname()}, "))
        tables = markdown_tables(text)
        listeners = next(t for t in tables if t[0][:3] == ["Namespace", "Proto", "Address"]
                         and "User" in t[0])
        hostile = [r for r in listeners if r[2] == f"127.0.0.1:{self.s.hostile_listener_port}"]
        self.assertEqual(hostile[0][4], f"{HOSTILE_COMM_SHOWN} (pid {self.s.hostile_pid})")
        self.assertNotIn("<", text.replace("&lt;", ""))  # no raw markup anywhere

    def test_csv_from_running_agent_and_fresh(self):
        for rows in (parse_csv(self.from_agent("csv")),
                     parse_csv(self.report("csv", f"--config.file={self.s.config}",
                                           f"--port={self.s.hostile_listener_port}"))):
            listener = [r for r in rows if r["record"] == "listener"
                        and r["port"] == str(self.s.hostile_listener_port)]
            self.assertEqual(len(listener), 1, listener)
            self.assertEqual(listener[0]["verdict"], "violation")
            self.assertEqual(listener[0]["process"], HOSTILE_COMM_SHOWN)
            self.assertEqual(listener[0]["host"], socket.gethostname())
            endpoints = {r["target"]: r for r in rows if r["record"] == "endpoint"}
            self.assertEqual(len(endpoints), 3)
            self.assertEqual(endpoints[f"127.0.0.1:{self.s.healthy_port}"]["probe_verdict"], "ok")
            certs = [r for r in rows if r["record"] == "certificate"]
            self.assertEqual({r["subject"] for r in certs}, {"localhost", HOSTILE_CN_SHOWN})

    def test_bad_sources_fail_clearly(self):
        metrics = run(ARGS.binary, "report", f"--from=http://{self.agent.address}/metrics",
                      check=False)
        self.assertEqual(metrics.returncode, 1)
        self.assertIn("not JSON", metrics.stderr)
        closed = run(ARGS.binary, "report", f"--from=http://127.0.0.1:{self.s.refused_port}",
                     check=False)
        self.assertEqual(closed.returncode, 1)
        self.assertIn("/api/state", closed.stderr)
        self.assertEqual(run(ARGS.binary, "report", "--from=ftp://x", check=False).returncode, 2)

    def test_golden_files_parse(self):
        fixtures = os.path.join(ROOT, "tests", "fixtures", "report")
        with open(os.path.join(fixtures, "report.html"), encoding="utf-8") as f:
            page = parse_html(f.read())
        self.assertEqual(len(page.tables["listeners"]), 4)
        self.assertEqual(page.tables["endpoints"][2][2],
                         "<script>alert(1)</script>\\u{202e}|*x*")
        with open(os.path.join(fixtures, "report.csv"), encoding="utf-8", newline="") as f:
            rows = parse_csv(f.read())
        self.assertEqual([r["record"] for r in rows].count("certificate"), 3)
        self.assertEqual(rows[1]["process"], "<b>x\\u{202e}\\x1b[1m|=1")
        with open(os.path.join(fixtures, "report.md"), encoding="utf-8") as f:
            tables = markdown_tables(f.read())
        self.assertEqual(tables[0][1][4], "<b>x\\u{202e}\\x1b[1m|=1 (pid 4242)")



HOSTILE_ENTRY = """
[[listener]]
netns = "=HYPERLINK(\\"http://x\\")"
proto = "udp"
address = "::1"
port = 9
process = "a|b`c\\nd<i>e</i>"
unit = "@gone.service"
"""


def edited_baseline(text, drop_port, wrong_reach_port):
    """A saved baseline with the entry of `drop_port` removed (so that listener is added),
    the reach of `wrong_reach_port` rewritten (changed) and a hostile entry no listener
    matches (removed)."""
    head, *entries = text.split("\n[[listener]]\n")
    kept = []
    for entry in entries:
        if f"\nport = {drop_port}\n" in entry:
            continue
        if f"\nport = {wrong_reach_port}\n" in entry:
            entry = re.sub(r'reach = "\w+"', 'reach = "public"', entry)
        kept.append(entry)
    return "\n[[listener]]\n".join([head, *kept]) + HOSTILE_ENTRY


class BaselineReportTest(unittest.TestCase):
    """report: changes since the baseline, from the agent's inventory.baseline (--from) and
    from --baseline on a fresh collection, parsed back with real parsers."""

    @classmethod
    def setUpClass(cls):
        cls.s = Scenario(namespaces="host").__enter__()
        cls.other = Holder(V6_HOLDER)  # a loopback udp listener whose reach we rewrite
        cls.udp_port = int(cls.other.line().split()[2])
        cls.baseline = cls.s.path("baseline.toml")
        run(ARGS.binary, "baseline", "save", cls.baseline, f"--config.file={cls.s.config}")
        with open(cls.baseline, encoding="utf-8") as f:
            text = edited_baseline(f.read(), cls.s.hostile_listener_port, cls.udp_port)
        with open(cls.baseline, "w", encoding="utf-8") as f:
            f.write(text)
        cls.config = cls.s.path("with_baseline.toml")
        with open(cls.s.config, encoding="utf-8") as f, open(cls.config, "w") as out:
            out.write(f.read() + f'\n[inventory]\nbaseline = "{cls.baseline}"\n')
        cls.agent = AgentProcess(ARGS.binary, [f"--config.file={cls.config}"])
        cls.agent.start()
        cls.agent.wait_for(
            lambda: any(l.get("unapproved") for l in json.loads(cls.agent.get("/api/state")[2])
                        ["listeners"]), 30, "an unapproved listener")

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.other.close()
        cls.s.__exit__(None, None, None)

    def report(self, fmt, *args):
        return run(ARGS.binary, "report", f"--format={fmt}", *args).stdout

    def check_csv(self, rows):
        port = str(self.s.hostile_listener_port)
        added = [r for r in rows if r["change"] == "added"]
        self.assertIn(port, {r["port"] for r in added}, added)
        self.assertTrue(all(r["record"] == "listener" for r in added))
        # (other tests' listeners may come and go meanwhile: only the hostile entry is ours)
        removed = [r for r in rows if r["change"] == "removed" and r["port"] == "9"]
        self.assertEqual(len(removed), 1, removed)
        self.assertEqual(removed[0]["record"], "baseline")
        self.assertEqual(removed[0]["netns"], "'=HYPERLINK(\"http://x\")")  # not a formula
        self.assertEqual(removed[0]["process"], "a|b`c\\x0ad<i>e</i>")  # newline visible
        self.assertEqual(removed[0]["unit"], "'@gone.service")
        changed = [r for r in rows if r["change"] == "changed"]
        self.assertIn(str(self.udp_port), {r["port"] for r in changed}, changed)
        udp = next(r for r in changed if r["port"] == str(self.udp_port))
        self.assertEqual(udp["change_detail"], "reach: public -> loopback")

    def test_csv_from_the_agents_baseline_and_from_a_flag(self):
        self.check_csv(parse_csv(self.report("csv", f"--from=http://{self.agent.address}")))
        self.check_csv(parse_csv(self.report("csv", f"--config.file={self.s.config}",
                                             f"--baseline={self.baseline}")))

    def test_html_and_markdown(self):
        page = parse_html(self.report("html", f"--from=http://{self.agent.address}"))
        self.assertNotIn("i", page.tags)
        changes = page.tables["changes"]
        self.assertEqual(changes[0][:5], ["Change", "Namespace", "Proto", "Address", "Port"])
        removed = [r for r in changes if r[0] == "removed" and r[4] == "9"]
        self.assertEqual(removed[0][1], '=HYPERLINK("http://x")')
        self.assertEqual(removed[0][5], "a|b`c\\x0ad<i>e</i>")
        text = self.report("markdown", f"--config.file={self.s.config}",
                           f"--baseline={self.baseline}")
        table = next(t for t in markdown_tables(text) if t[0][0] == "Change")
        self.assertEqual({r[0] for r in table[1:]}, {"added", "changed", "removed"})
        removed = next(r for r in table if r[0] == "removed" and r[4] == "9")
        self.assertEqual(len(removed), 10, removed)  # the pipe stayed inside its cell
        self.assertEqual(removed[5], "a|b`c\\x0ad<i>e</i>")  # as parsed back
        self.assertNotIn("<i>", text)  # no raw markup

    def test_filter_applies_to_removed_entries_and_a_bad_file_fails(self):
        rows = parse_csv(self.report("csv", f"--config.file={self.s.config}",
                                     f"--baseline={self.baseline}", "--proto=tcp"))
        self.assertEqual([r for r in rows if r["change"] == "removed" and r["proto"] == "udp"], [])
        bad = run(ARGS.binary, "report", f"--baseline={self.s.path('missing.toml')}",
                  f"--config.file={self.s.config}", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("baseline", bad.stderr)

    def test_status_page_marks_unapproved(self):
        page = parse_html(self.agent.get("/")[2])
        header = page.tables["listeners"][0]
        self.assertEqual(header[-3:], ["Basis", "Firewall", "Baseline"])
        row = next(r for r in page.tables["listeners"][1:]
                   if r[3] == str(self.s.hostile_listener_port))
        self.assertEqual(row[-1], "UNAPPROVED")
        self.assertEqual(row[-3], "bind")
        self.assertRegex(row[-2], r"^(-|public (accept|drop|unknown), "
                                  r"private (accept|drop|unknown)(, published)?)$")

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    ARGS, rest = parser.parse_known_args()
    if os.geteuid() != 0:
        skip_unprivileged("needs root (network namespaces, a second user)")
    isolate()
    assert isolated(), "isolate() returned as root"
    unittest.main(argv=sys.argv[:1] + rest, verbosity=2)
