"""/metrics rendered once per snapshot, on the real binary: two scrapes of one snapshot carry
byte-identical snapshot parts (everything before process_*), the gzip body inflates (Python's
gzip) to the text body, promtool accepts it, and --no-collector.NAME removes exactly that
collector's families. Probes go to a real `openssl s_server` on loopback; it also measures the
series per endpoint and per listener that docs/metrics.md quotes (run with -v to see them)."""

import gzip
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from agent_process import AgentProcess, binary_from_env  # noqa: E402
from own_netns import isolate  # noqa: E402
from web_servers import Pki, SServer, free_port  # noqa: E402

BINARY = binary_from_env()
PROMTOOL = shutil.which("promtool")
NAMES = ("localhost", "a.test", "b.test")


def config(port, ca, endpoints, http):
    # Long intervals: after the first cycle the snapshot stays put while the test scrapes.
    # One probe at a time with a generous deadline: openssl s_server answers one connection
    # at a time, and under a sanitizer a queued HTTP check could miss a 5 s deadline (its
    # series would then be missing from the count).
    text = ('[agent]\nscan_interval = "120s"\nprobe_interval = "120s"\nprobe_timeout = "30s"\n'
            'probe_concurrency = 1\n')
    text += '[discovery]\nenabled = false\nnamespaces = "host"\n'
    for name in NAMES[:endpoints]:
        text += ('[[endpoints]]\ntarget = "127.0.0.1:%d"\nserver_name = "%s"\nca_file = "%s"\n'
                 'http = %s\n' % (port, name, ca, "true" if http else "false"))
    return text


def split(text):
    """(snapshot part, per-scrape part): process_* families come last."""
    cut = text.find("# HELP process_")
    return (text, "") if cut < 0 else (text[:cut], text[cut:])


def families(text):
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def series(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


class ScrapeCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.pki = Pki(cls.tmp.name, names=NAMES)
        cls.port = free_port()
        cls.server = SServer(cls.tmp.name, cls.pki, cls.port)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__()
        cls.tmp.cleanup()

    def agent(self, endpoints=1, http=False, args=()):
        path = os.path.join(self.tmp.name, "pw-%d-%s.toml" % (endpoints, http))
        with open(path, "w") as out:
            out.write(config(self.port, self.pki.root, endpoints, http))
        return AgentProcess(BINARY, ["--config.file=" + path, *args])

    def scrape(self, agent, gzipped=False):
        status, headers, body = agent.get(
            "/metrics", headers={"Accept-Encoding": "gzip" if gzipped else "identity"})
        self.assertEqual(status, 200)
        if gzipped:
            self.assertEqual(headers.get("Content-Encoding"), "gzip")
            return gzip.decompress(body).decode()
        self.assertNotIn("Content-Encoding", headers)
        return body

    def test_scrapes_share_the_snapshot_part(self):
        with self.agent() as agent:
            agent.wait_ready()
            first, second, zipped = (self.scrape(agent), self.scrape(agent),
                                     self.scrape(agent, gzipped=True))
        self.assertEqual(split(first)[0], split(second)[0])
        self.assertEqual(split(first)[0], split(zipped)[0])
        self.assertIn("portwarden_tls_probe_success{", split(first)[0])
        self.assertIn("process_cpu_seconds_total ", split(zipped)[1])
        self.assertEqual(families(zipped), families(first))
        if PROMTOOL is None:
            self.fail("promtool not installed (Debian package prometheus)")
        for body in (first, zipped):
            lint = subprocess.run([PROMTOOL, "check", "metrics"], input=body,
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)

    def test_no_collector_removes_exactly_its_families(self):
        with self.agent() as full:
            full.wait_ready()
            everything = families(self.scrape(full))
        off = ("--no-collector.tls_chain", "--no-collector.process", "--no-collector.listeners")
        with self.agent(args=off) as agent:
            agent.wait_ready()
            left = families(self.scrape(agent, gzipped=True))
        self.assertEqual(everything - left, {
            "portwarden_tls_cert_not_after_timestamp_seconds",
            "portwarden_tls_cert_not_before_timestamp_seconds", "portwarden_tls_cert_info",
            "process_cpu_seconds_total", "process_max_fds", "process_open_fds",
            "process_resident_memory_bytes", "process_start_time_seconds",
            "process_virtual_memory_bytes", "process_virtual_memory_max_bytes",
            "portwarden_listener_info", "portwarden_listener_sockets",
            "portwarden_listener_first_seen_timestamp_seconds", "portwarden_listener_connections",
            "portwarden_listener_accept_queue", "portwarden_listener_accept_queue_limit"})
        self.assertEqual(left - everything, set())

    def test_unknown_collector_is_a_usage_error(self):
        run = subprocess.run([BINARY, "--no-collector.tsl", "--web.listen-address=127.0.0.1:0"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        self.assertIn('unknown collector \\"tsl\\"', run.stdout + run.stderr)

    def test_series_per_endpoint_and_per_listener(self):
        # The posture job's series (docs/metrics.md, "TLS posture") appear whenever its first
        # run ends, which races the scrape: count the probe's own series without them.
        counts, args = {}, ("--no-collector.posture",)
        texts = {}
        for endpoints, http in ((1, False), (3, False), (3, True)):
            with self.agent(endpoints, http, args) as agent:
                agent.wait_ready()
                texts[(endpoints, http)] = self.scrape(agent)
                counts[(endpoints, http)] = series(texts[(endpoints, http)])
        per_endpoint = (counts[(3, False)] - counts[(1, False)]) / 2
        per_http = (counts[(3, True)] - counts[(3, False)]) / 3
        before = counts[(1, False)]
        sockets = []
        try:
            for _ in range(20):
                listener = socket.socket()
                listener.bind(("127.0.0.1", 0))
                listener.listen()
                sockets.append(listener)
            with self.agent(1, False, args) as agent:
                agent.wait_ready()
                after = series(self.scrape(agent))
        finally:
            for listener in sockets:
                listener.close()
        per_listener = (after - before) / 20
        print("\nseries: base %d (1 endpoint); per endpoint %.1f (+%.1f with http = true); "
              "per listener %.2f" % (counts[(1, False)], per_endpoint, per_http, per_listener),
              file=sys.stderr)
        # Orders of magnitude, not exact figures (the chain and phases vary by build).
        self.assertGreaterEqual(per_endpoint, 20)
        self.assertLessEqual(per_endpoint, 40)
        self.assertGreaterEqual(per_http, 2, "\n".join(
            line for line in texts[(3, True)].splitlines()
            if "http" in line or "probe_success" in line or "failure" in line))
        # info, sockets, first_seen, accept_queue, accept_queue_limit (TCP listeners), and the
        # two firewall verdicts (public, private)
        self.assertAlmostEqual(per_listener, 7, delta=0.5)


if __name__ == "__main__":
    isolate()
    unittest.main(verbosity=2)
