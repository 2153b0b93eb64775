"""Integration tests of the real portwarden binary: HTTP endpoints, exposition lint with
Debian's promtool, reload on SIGHUP and POST /-/reload, command-line behaviour, shutdown."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from agent_process import AgentProcess, binary_from_env, sample_value  # noqa: E402

BINARY = binary_from_env()
PROMTOOL = shutil.which("promtool")

GOOD_CONFIG = """
[agent]
scan_interval = "1s"
probe_interval = "2s"
"""

BROKEN_CONFIG = """
[agent]
scan_interval = "soon"
"""


def run(*args, timeout=30):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)


class ExpositionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.agent = AgentProcess(BINARY)
        cls.agent.start()
        cls.agent.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()

    def test_metrics_pass_promtool_lint(self):
        if PROMTOOL is None:
            self.fail("promtool not installed (Debian package prometheus)")
        body = self.agent.metrics()
        lint = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(lint.returncode, 0, "promtool findings:\n%s\n%s" % (lint.stdout, lint.stderr))

    def test_metrics_content(self):
        status, headers, body = self.agent.get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("text/plain; version=0.0.4", headers["Content-Type"])
        self.assertEqual(sample_value(body, "portwarden_config_last_reload_successful"), 1)
        self.assertEqual(sample_value(body, 'portwarden_collector_success{collector="inventory"}'), 1)
        self.assertIn("portwarden_build_info{version=", body)
        self.assertGreater(sample_value(body, "process_resident_memory_bytes"), 1e6)
        self.assertGreater(sample_value(body, "process_open_fds"), 3)
        start = sample_value(body, "process_start_time_seconds")
        self.assertLess(abs(start - time.time()), 120)

    def test_gzip_when_asked(self):
        status, headers, _ = self.agent.get("/metrics", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Content-Encoding"), "gzip")

    def test_landing_page_links_everything(self):
        status, headers, body = self.agent.get("/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["Content-Type"])
        for link in ('href="/metrics"', 'href="/-/healthy"', 'href="/-/ready"', 'href="/api/state"'):
            self.assertIn(link, body)

    def test_health_and_readiness(self):
        self.assertEqual(self.agent.get("/-/healthy")[:1], (200,))
        self.assertEqual(self.agent.get("/-/healthy")[2], "Healthy\n")
        self.assertEqual(self.agent.get("/-/ready")[0], 200)

    def test_reload_needs_post(self):
        status, headers, _ = self.agent.get("/-/reload")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("Allow"), "POST")
        self.assertEqual(self.agent.get("/-/reload", method="POST")[0], 200)

    def test_bare_post_reloads_at_once(self):
        # What Prometheus users type: no body, no Content-Length (issue 12).
        started = time.monotonic()
        result = subprocess.run(["curl", "-s", "-X", "POST", "-w", " %{http_code}", "--max-time",
                                 "5", self.agent.url("/-/reload")], capture_output=True, text=True,
                                timeout=10)
        self.assertEqual(result.stdout, "OK\n 200")
        self.assertLess(time.monotonic() - started, 2.0)

    def test_unknown_path_is_404(self):
        self.assertEqual(self.agent.get("/nope")[0], 404)

    def test_state_api_is_json(self):
        import json
        status, _, body = self.agent.get("/api/state")
        self.assertEqual(status, 200)
        state = json.loads(body)
        self.assertIn("listeners", state)
        self.assertIn("probes", state)
        self.assertEqual({c["name"] for c in state["collectors"]} >= {"inventory", "tls"}, True)


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="portwarden-reload-")
        self.config = os.path.join(self.dir, "portwarden.toml")
        with open(self.config, "w") as f:
            f.write(GOOD_CONFIG)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text):
        with open(self.config, "w") as f:
            f.write(text)

    def reload_gauge(self, agent):
        return sample_value(agent.metrics(), "portwarden_config_last_reload_successful")

    def test_sighup_with_broken_config_keeps_serving(self):
        with AgentProcess(BINARY, ["--config.file=" + self.config]) as agent:
            agent.wait_ready()
            self.assertEqual(self.reload_gauge(agent), 1)
            first_ok = sample_value(agent.metrics(),
                                    "portwarden_config_last_reload_success_timestamp_seconds")
            self.write(BROKEN_CONFIG)
            agent.signal(signal.SIGHUP)
            agent.wait_for(lambda: self.reload_gauge(agent) == 0, what="reload failure gauge")
            # The log line is read by another thread; wait for it rather than race it.
            agent.wait_for(lambda: self.config + ":3:17: agent.scan_interval: invalid duration"
                           in agent.log(), what="the reload error in the log")
            # Still serving, still collecting with the old config.
            before = sample_value(agent.metrics(),
                                  'portwarden_collector_last_run_timestamp_seconds{collector="inventory"}')
            agent.wait_for(lambda: sample_value(
                agent.metrics(),
                'portwarden_collector_last_run_timestamp_seconds{collector="inventory"}') > before,
                what="inventory to keep running on the old 1s schedule")
            self.write(GOOD_CONFIG)
            agent.signal(signal.SIGHUP)
            agent.wait_for(lambda: self.reload_gauge(agent) == 1, what="reload success gauge")
            self.assertGreaterEqual(
                sample_value(agent.metrics(),
                             "portwarden_config_last_reload_success_timestamp_seconds"), first_ok)

    def test_post_reload_reports_the_error(self):
        with AgentProcess(BINARY, ["--config.file=" + self.config]) as agent:
            self.write(BROKEN_CONFIG)
            status, _, body = agent.get("/-/reload", method="POST")
            self.assertEqual(status, 500)
            self.assertIn("failed to reload config: " + self.config + ":3:17: agent.scan_interval",
                          body)
            self.assertEqual(self.reload_gauge(agent), 0)

    def test_sigterm_exits_within_a_second(self):
        agent = AgentProcess(BINARY, ["--config.file=" + self.config])
        agent.start()
        agent.wait_ready()
        started = time.monotonic()
        agent.signal(signal.SIGTERM)
        code = agent.proc.wait(timeout=5)
        elapsed = time.monotonic() - started
        agent.stop()
        # A sanitizer report makes the exit code non-zero (TSan: 66): show what it said.
        self.assertEqual(code, 0, agent.log()[-20000:])
        self.assertLess(elapsed, 1.0)


class CommandLineTest(unittest.TestCase):
    def test_config_check_good(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write(GOOD_CONFIG)
            f.flush()
            result = run("--config.file=" + f.name, "--config.check")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("SUCCESS: %s is valid" % f.name, result.stdout)

    def test_config_check_bad(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write(BROKEN_CONFIG)
            f.flush()
            result = run("--config.file=" + f.name, "--config.check")
            self.assertEqual(result.returncode, 2)
            self.assertEqual(result.stderr.strip(),
                             'FAILED: %s:3:17: agent.scan_interval: invalid duration "soon": '
                             'expected a number like "15s" or "1m30s"' % f.name)

    def test_unknown_flag(self):
        result = run("--web.listen-adress=:1")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown flag --web.listen-adress", result.stderr)

    def test_bad_log_level(self):
        result = run("--log.level=verbose")
        self.assertEqual(result.returncode, 2)
        self.assertIn("invalid log level \"verbose\"", result.stderr)

    def test_version(self):
        result = run("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^portwarden, version \d+\.\d+\.\d+ \(branch: .*, revision: .*\)")
        self.assertIn("openssl:   OpenSSL 3.", result.stdout)
        self.assertIn("compiler:", result.stdout)

    def test_bind_failure_is_reported(self):
        with AgentProcess(BINARY) as first:
            result = run("--web.listen-address=" + first.address)
            self.assertEqual(result.returncode, 1)
            self.assertIn("cannot listen on", result.stderr)

    def test_json_logs(self):
        import json
        with AgentProcess(BINARY, ["--log.format=json"]) as agent:
            first = json.loads(agent.log_lines[0])
            self.assertEqual(first["msg"], "Starting portwarden")
            self.assertEqual(first["level"], "info")
            self.assertIn("version", first)

    def test_ipv6_listen_address(self):
        result = subprocess.run(["ip", "-6", "addr", "show", "lo"], capture_output=True, text=True)
        if "::1" not in result.stdout:
            self.skipTest("no IPv6 loopback on this host")
        agent = AgentProcess(BINARY, ["--web.listen-address=[::1]:0"])
        agent.start()
        try:
            # start() returns at the first "Listening on" line (127.0.0.1); wait for the other.
            v6 = agent.wait_for(
                lambda: [line for line in agent.log().splitlines() if "address=[::1]:" in line],
                timeout=10, what="the [::1] listener's log line")
            self.assertEqual(len(v6), 1, agent.log())
            address = v6[0].split("address=")[1].split()[0]
            import urllib.request
            with urllib.request.urlopen("http://%s/-/healthy" % address, timeout=5) as response:
                self.assertEqual(response.status, 200)
        finally:
            agent.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
