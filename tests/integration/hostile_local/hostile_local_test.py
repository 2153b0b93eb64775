"""A local user and a remote server controlling the strings the agent reports (issue 11,
"A local-user test"). Two unprivileged processes hold public (0.0.0.0) listeners under names
set with prctl(PR_SET_NAME): one that is not UTF-8, one with a terminal escape sequence and a
newline. A real `openssl s_server` serves a certificate with such bytes in CN, issuer CN and
subjectAltName. Through all of it `/metrics` passes `promtool check metrics`, decodes as
strict UTF-8 and keeps a real Prometheus scrape at up == 1; `/api/state` is strict JSON; the
landing page escapes a hostile --web.telemetry-path; `portwarden scan` (table and JSON) and
`portwarden probe` stay valid with no control character reaching the terminal; and the
listeners are still reported, with U+FFFD where the bytes were not UTF-8. A network namespace
named (by root, in /run/netns) with such bytes holds a third listener.
Usage: hostile_local_test.py PORTWARDEN_BINARY   (root: exits 77 otherwise)"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_cert  # noqa: E402
from hostile_helpers import (Agent, NamedHolder, check_metrics, fetch,  # noqa: E402
                             has_terminal_control, parse_html, privileged_or_skip, wait_for)

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"
FFFD = "\ufffd"

NAME_INVALID = b"bad\xff\xfeutf8"
NAME_INVALID_TEXT = "bad" + FFFD + FFFD + "utf8"
NAME_CONTROL = b"\x1b[31m\r\tred\nevil"  # 15 bytes: all the kernel keeps
NAME_CONTROL_TEXT = "\x1b[31m\r\tred\nevil"  # valid UTF-8: kept, and escaped by each output
NAME_CONTROL_TERMINAL = "\\x1b[31m\\x0d\\x09red\\x0aevil"

# What OpenSSL makes of hostile_cert's names (T61String is read as Latin-1), then sanitized.
CERT_CN = "bad\u00ff\u00fe\x1b[31m\nCN" + FFFD + "xy"
CERT_ISSUER = "issuer \x1b]0;pwned\x07 CA"
CERT_SAN = FFFD + FFFD + "\x1b]0;pwn\x07\n" + FFFD + FFFD + "zzz.example,good.example"

NETNS_NAME = b"pw-\xff\x1b[1m-%d" % os.getpid()
NETNS_TEXT = "pw-" + FFFD + "\x1b[1m-%d" % os.getpid()
NETNS_TERMINAL = "pw-" + FFFD + "\\x1b[1m-%d" % os.getpid()

HOSTILE_PATH = '/m"><script>alert(1)</script>&x=\'y\''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listener_for(samples, port, netns="host"):
    found = [labels for name, labels, _ in samples
             if name == "portwarden_listener_info" and labels.get("port") == str(port)
             and labels.get("netns") == netns]
    return found[0] if len(found) == 1 else None


class HostileLocalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        tmp = cls.tmp.name
        cls.invalid = NamedHolder(NAME_INVALID)
        cls.addClassCleanup(cls.invalid.close)
        cls.control = NamedHolder(NAME_CONTROL)
        cls.addClassCleanup(cls.control.close)
        subprocess.run(["ip", "netns", "add", NETNS_NAME], check=True)
        cls.addClassCleanup(subprocess.run, ["ip", "netns", "del", NETNS_NAME])
        cls.in_netns = NamedHolder(b"in-netns", prefix=["ip", "netns", "exec", NETNS_NAME])
        cls.addClassCleanup(cls.in_netns.close)
        hostile_cert.build(f"{tmp}/cert.pem", f"{tmp}/key.pem")
        cls.tls_port = free_port()
        cls.tls = subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-www", "-accept", f"127.0.0.1:{cls.tls_port}",
             "-cert", f"{tmp}/cert.pem", "-key", f"{tmp}/key.pem"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(lambda: (cls.tls.terminate(), cls.tls.wait(timeout=10)))
        cls.target = f"127.0.0.1:{cls.tls_port}"
        with open(f"{tmp}/portwarden.toml", "w") as out:
            out.write(f'''[agent]
scan_interval = "1s"
probe_interval = "2s"
probe_timeout = "3s"

[[endpoints]]
target = "{cls.target}"
server_name = "localhost"
''')
        cls.agent = Agent(BINARY, [f"--config.file={tmp}/portwarden.toml"])
        cls.addClassCleanup(cls.agent.stop)
        cls.metrics_url = f"http://{cls.agent.address}/metrics"

        def ready():
            samples = check_metrics(fetch(cls.metrics_url))
            cert = [l for n, l, _ in samples
                    if n == "portwarden_tls_cert_info" and l.get("target") == cls.target]
            listeners = (listener_for(samples, cls.invalid.port) and
                         listener_for(samples, cls.control.port) and
                         listener_for(samples, cls.in_netns.port, NETNS_TEXT))
            return samples if listeners and cert else None

        try:
            wait_for("both listeners and the certificate in /metrics", ready, 60)
        except AssertionError as error:
            raise AssertionError("%s\nagent log:\n%s" % (error, cls.agent.log())) from None

    def test_metrics_stay_valid_and_report_the_listeners(self):
        samples = check_metrics(fetch(self.metrics_url))
        invalid = listener_for(samples, self.invalid.port)
        control = listener_for(samples, self.control.port)
        self.assertEqual(invalid["process"], NAME_INVALID_TEXT)
        self.assertEqual(invalid["address"], "0.0.0.0")
        self.assertEqual(control["process"], NAME_CONTROL_TEXT)
        self.assertEqual(listener_for(samples, self.in_netns.port, NETNS_TEXT)["process"],
                         "in-netns")

    def test_certificate_names_stay_valid_in_metrics(self):
        samples = check_metrics(fetch(self.metrics_url))
        leaf = [l for n, l, _ in samples if n == "portwarden_tls_cert_info" and
                l.get("target") == self.target and l.get("chain_pos") == "0"]
        self.assertEqual(len(leaf), 1, leaf)
        self.assertEqual(leaf[0]["subject_cn"], CERT_CN)
        self.assertEqual(leaf[0]["issuer_cn"], CERT_ISSUER)
        self.assertEqual(leaf[0]["san"], CERT_SAN)

    def test_api_state_is_strict_json(self):
        body = fetch(f"http://{self.agent.address}/api/state")
        state = json.loads(body.decode("utf-8"))  # strict: no raw control characters either
        by_port = {l["port"]: l for l in state["listeners"] if l["netns"] == "host"}
        self.assertEqual(by_port[self.invalid.port]["process"]["comm"], NAME_INVALID_TEXT)
        self.assertEqual(by_port[self.control.port]["process"]["comm"], NAME_CONTROL_TEXT)
        probe = [p for p in state["probes"] if p["target"] == self.target]
        self.assertTrue(probe, state["probes"])
        self.assertEqual(probe[0]["chain"][0]["subject_cn"], CERT_CN)
        self.assertEqual(probe[0]["chain"][0]["san"], CERT_SAN)

    def test_a_real_prometheus_scrape_stays_up(self):
        with tempfile.TemporaryDirectory() as tmp:
            prom_port = free_port()
            with open(f"{tmp}/prometheus.yml", "w") as out:
                out.write(f'''global: {{scrape_interval: 1s, scrape_timeout: 1s}}
scrape_configs:
  - job_name: portwarden
    static_configs: [{{targets: ["{self.agent.address}"]}}]
''')
            prom = subprocess.Popen(
                ["prometheus", f"--config.file={tmp}/prometheus.yml",
                 f"--web.listen-address=127.0.0.1:{prom_port}", f"--storage.tsdb.path={tmp}/data"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                api = f"http://127.0.0.1:{prom_port}/api/v1/query?query="

                def query(expr):
                    try:
                        body = json.loads(fetch(api + urllib.parse.quote(expr)))
                    except OSError:
                        return []
                    return body["data"]["result"]

                wait_for("three scrapes", lambda: query('count_over_time(up{job="portwarden"}[1m]) >= 3'),
                         90, 0.5)
                self.assertEqual(query('min_over_time(up{job="portwarden"}[1m])')[0]["value"][1], "1")
                listeners = query(f'portwarden_listener_info{{netns="host",port="{self.invalid.port}"}}')
                self.assertEqual([r["metric"]["process"] for r in listeners], [NAME_INVALID_TEXT])
                listeners = query(f'portwarden_listener_info{{netns="host",port="{self.control.port}"}}')
                self.assertEqual([r["metric"]["process"] for r in listeners], [NAME_CONTROL_TEXT])
                certs = query(f'portwarden_tls_cert_info{{target="{self.target}",chain_pos="0"}}')
                self.assertEqual([r["metric"]["san"] for r in certs], [CERT_SAN])
            finally:
                prom.terminate()
                prom.wait(timeout=20)

    def test_scan_table_shows_names_without_controls(self):
        out = subprocess.run([BINARY, "scan"], capture_output=True, timeout=120, check=True).stdout
        table = out.decode("utf-8")
        self.assertFalse(has_terminal_control(table), repr(table))
        # PROTO RECV-Q SEND-Q ADDRESS:PORT ...
        rows = {line.split()[3]: line for line in table.splitlines()[1:] if line.strip()}
        self.assertIn(NAME_INVALID_TEXT, rows[f"0.0.0.0:{self.invalid.port}"])
        self.assertIn(NAME_CONTROL_TERMINAL, rows[f"0.0.0.0:{self.control.port}"])
        self.assertIn(NETNS_TERMINAL, table)

    def test_scan_json_is_strict_json(self):
        out = subprocess.run([BINARY, "scan", "--output=json"], capture_output=True, timeout=120,
                             check=True).stdout
        listeners = json.loads(out.decode("utf-8"))
        by_port = {l["port"]: l for l in listeners if l["netns"] == "host"}
        self.assertEqual(by_port[self.invalid.port]["process"]["comm"], NAME_INVALID_TEXT)
        self.assertEqual(by_port[self.control.port]["process"]["comm"], NAME_CONTROL_TEXT)
        netns = [l for l in listeners if l["port"] == self.in_netns.port and l["netns"] == NETNS_TEXT]
        self.assertEqual(len(netns), 1, [l["netns"] for l in listeners])

    def test_probe_report_shows_certificate_names_without_controls(self):
        run = subprocess.run([BINARY, "probe", self.target, "--server-name=localhost"],
                             capture_output=True, timeout=60)
        report = run.stdout.decode("utf-8")
        self.assertFalse(has_terminal_control(report), repr(report))
        self.assertIn("\\x1b[31m\\x0aCN", report)
        self.assertIn("\\x1b]0;pwn\\x07\\x0a", report)
        for line in report.splitlines():
            self.assertLess(len(line), 2000)

    def test_landing_page_escapes_the_telemetry_path(self):
        agent = Agent(BINARY, [f"--web.telemetry-path={HOSTILE_PATH}"])
        try:
            page = parse_html(fetch(f"http://{agent.address}/"))
        finally:
            agent.stop()
        self.assertNotIn("script", page.tags)
        self.assertIn(HOSTILE_PATH, page.links)  # the href, unescaped by the parser, is intact

    def test_log_lines_stay_one_line_each(self):
        # Agent.lines decoded every line strictly; a forged line would start with its own ts=.
        for line in self.agent.log_lines():
            self.assertTrue(line.startswith("ts="), repr(line))


if __name__ == "__main__":
    privileged_or_skip()
    unittest.main(argv=sys.argv[:1], verbosity=2)
