"""The status page of a running agent, in Debian's headless Chromium (issue 16): a listener
that violates a rule and is held by a process with a hostile name, a healthy TLS endpoint, one
with a hostile self-signed certificate subject, one refusing connections. Asserts the tables'
contents through the DOM, that nothing overflows at 1280 and 390 px, that hostile names show
as escaped text (no element, no script, controls visible), and saves screenshots under
--artifacts. Also: "/" is behind the same basic auth as /metrics. As root (CI) it runs in a
network namespace of its own and its agent inventories only that one, so listeners and
same-named processes of other sessions cannot enter (or crowd out) the page's rows.
Standard library only."""
import argparse
import json
import re
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from agent_process import AgentProcess  # noqa: E402
from own_netns import isolate  # noqa: E402
from scenario import (HOSTILE_CN_SHOWN, HOSTILE_COMM_SHOWN, Scenario)  # noqa: E402
from webdriver import Chromium  # noqa: E402

ARGS = None

TABLES_JS = r'''
const rows = id => Array.from(document.querySelectorAll('#' + id + ' tbody tr'))
    .map(r => Array.from(r.cells).map(c => c.textContent));
return {
  violations: rows('violations'), listeners: rows('listeners'), endpoints: rows('endpoints'),
  rules: rows('rules'), collectors: rows('collectors'),
  summary: document.getElementById('summary').innerText,
  scripts: document.getElementsByTagName('script').length,
  bold: document.querySelectorAll('main b').length,
  links: Array.from(document.querySelectorAll('nav a')).map(a => a.getAttribute('href')),
  scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
};'''


def state(agent):
    return json.loads(agent.get("/api/state")[2])


class StatusPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scenario = Scenario(namespaces="host").__enter__()
        cls.agent = AgentProcess(ARGS.binary, [f"--config.file={cls.scenario.config}"])
        cls.agent.start()
        port = cls.scenario.hostile_listener_port

        def complete():
            s = state(cls.agent)
            probed = {p["target"] for p in s["probes"]}
            held = any(l["port"] == port and l["process"]["pid"] for l in s["listeners"])
            return len(probed) == 3 and held
        cls.agent.wait_for(complete, timeout=30, what="three probes and the hostile listener")
        cls.browser = Chromium().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.browser.__exit__(None, None, None)
        cls.agent.stop()
        cls.scenario.__exit__(None, None, None)

    def page_at(self, width, height, name):
        self.browser.viewport(width, height, mobile=width < 600)
        self.browser.open(self.agent.url("/"))
        dom = self.browser.run(TABLES_JS)
        size = self.browser.screenshot(os.path.join(ARGS.artifacts, f"status_page_{name}.png"))
        self.assertGreater(size, 10000)
        return dom

    def test_tables_at_1280(self):
        dom = self.page_at(1280, 900, "1280")
        s = self.scenario
        self.assertEqual(dom["innerWidth"], 1280)
        self.assertLessEqual(dom["scrollWidth"], dom["innerWidth"])
        # The violation: the hostile listener, shown as text with its controls made visible.
        hostile = [r for r in dom["violations"] if r[2] == f"127.0.0.1:{s.hostile_listener_port}"]
        self.assertEqual(len(hostile), 1, dom["violations"])
        self.assertEqual(hostile[0][4], f"{HOSTILE_COMM_SHOWN} (pid {s.hostile_pid})")
        self.assertEqual(hostile[0][6], "status-test-nowhere")
        self.assertEqual(hostile[0][3], "loopback")
        self.assertEqual(hostile[0][7], "public")
        listener = [r for r in dom["listeners"] if r[3] == str(s.hostile_listener_port)]
        self.assertEqual(listener[0][7], "VIOLATION (status-test-nowhere)")
        self.assertEqual(listener[0][8], "bind")  # what the verdict judged
        # The firewall stage's verdicts (what this machine's ruleset says), or "-" without it;
        # no baseline is configured here, so no Baseline column.
        self.assertRegex(listener[0][9], r"^(-|public (accept|drop|unknown), "
                                         r"private (accept|drop|unknown)(, published)?)$")
        self.assertEqual(len(listener[0]), 10)
        # Endpoints: healthy, hostile self-signed, refused.
        by_target = {r[0]: r for r in dom["endpoints"]}
        healthy = by_target[f"127.0.0.1:{s.healthy_port}"]
        self.assertEqual(healthy[2], "localhost")
        self.assertEqual(healthy[3], "ok")
        self.assertTrue(19 < float(healthy[4]) <= 20, healthy)  # leaf: 20 days, CA: 30
        self.assertEqual(healthy[5], "TLS 1.3")
        self.assertEqual(healthy[6], "-")
        hostile_cert = by_target[f"127.0.0.1:{s.hostile_port}"]
        self.assertEqual(hostile_cert[2], HOSTILE_CN_SHOWN)
        self.assertEqual(hostile_cert[3], "failed: verify")
        self.assertIn("self_signed", hostile_cert[6])
        self.assertTrue(2 < float(hostile_cert[4]) <= 3, hostile_cert)
        refused = by_target[f"127.0.0.1:{s.refused_port}"]
        self.assertEqual(refused[3], "failed: connect_refused")
        self.assertEqual(refused[4], "-")
        # Summary, rules in force (the test's and the built-ins), links, nothing executable.
        # Other namespaces of this machine may hold violations too: at least the test's one.
        violations = re.search(r"VIOLATIONS\s+(\d+)", dom["summary"].upper())
        self.assertGreaterEqual(int(violations.group(1)), 1, dom["summary"])
        self.assertRegex(dom["summary"], r"(?i)failures\s+2")
        self.assertRegex(dom["summary"], r"<\s*7\s*days\s+1")
        origins = {r[0]: r[1] for r in dom["rules"]}
        self.assertEqual(origins["status-test-nowhere"], "config")
        self.assertEqual(origins["https-alt-internal"], "built-in")
        self.assertEqual({r[0] for r in dom["collectors"]} >= {"inventory", "tls"}, True)
        self.assertEqual(dom["scripts"], 0)
        self.assertEqual(dom["bold"], 0)
        self.assertEqual(dom["links"][:2], ["/metrics", "/api/state"])

    def test_nothing_overflows_at_390(self):
        dom = self.page_at(390, 844, "390")
        self.assertEqual(dom["innerWidth"], 390)
        self.assertLessEqual(dom["scrollWidth"], dom["innerWidth"])
        self.assertEqual(len(dom["endpoints"]), 3)
        # Wide tables scroll inside their own container instead of widening the page.
        scrolls = self.browser.run(
            "return Array.from(document.querySelectorAll('.scroll'))"
            ".map(d => [d.scrollWidth > d.clientWidth, d.getBoundingClientRect().right]);")
        self.assertTrue(any(wide for wide, _ in scrolls), scrolls)
        self.assertTrue(all(right <= 390 for _, right in scrolls), scrolls)

    def test_rendered_once_per_snapshot(self):
        # Two requests in a row within one snapshot serve the same bytes (the cached page).
        first = self.agent.get("/")[2]
        second = self.agent.get("/")[2]
        generation = state(self.agent)["agent"]["generation"]
        if state(self.agent)["agent"]["generation"] == generation:
            self.assertEqual(first.split("page rendered")[0], second.split("page rendered")[0])


class StatusPageAuthTest(unittest.TestCase):
    def test_same_basic_auth_as_metrics(self):
        hashed = subprocess.run(["htpasswd", "-nbB", "-C", "4", "auditor", "s3cret"],
                                capture_output=True, text=True, check=True).stdout.strip()
        user, _, password_hash = hashed.partition(":")
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as web:
            web.write(f"basic_auth_users:\n  {user}: '{password_hash}'\n")
        try:
            with AgentProcess(ARGS.binary, [f"--web.config.file={web.name}"]) as agent:
                for path in ("/", "/metrics", "/api/state?pretty"):
                    self.assertEqual(agent.get(path)[0], 401, path)
                auth = {"Authorization": "Basic YXVkaXRvcjpzM2NyZXQ="}  # auditor:s3cret
                agent.wait_for(lambda: agent.get("/-/ready", headers=auth)[0] == 200,
                               timeout=30, what="/-/ready")
                status, headers, body = agent.get("/", headers=auth)
                self.assertEqual(status, 200)
                self.assertIn("text/html", headers["Content-Type"])
                self.assertIn('<table id="listeners">', body)
                status, _, pretty = agent.get("/api/state?pretty", headers=auth)
                self.assertEqual(status, 200)
                self.assertTrue(pretty.startswith('{\n  "agent": {\n    "version": '), pretty[:80])
                compact = agent.get("/api/state", headers=auth)[2]
                self.assertNotIn("\n", compact.strip())
                self.assertEqual(json.loads(pretty).keys(), json.loads(compact).keys())
        finally:
            os.unlink(web.name)


if __name__ == "__main__":
    isolate()
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--artifacts", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=sys.argv[:1] + rest, verbosity=2)
