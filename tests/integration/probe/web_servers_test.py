"""The HTTP and TLS checks against real Debian web servers (issue 12), each compared with an
independent tool on the same server: nginx and Apache httpd started by the test (HSTS, a
plain-HTTP redirect companion, root -> intermediate -> leaf chain made at test time, one site
with optional client certificates), plus `openssl s_server`. What the real agent exports on
/metrics (exact series) and what `portwarden probe` prints are compared with `curl -sI`,
`openssl s_client` and `openssl x509 -enddate`.

One test per defect of the issue:
- the plain-HTTP redirect check against nginx `return 301 https://$host$request_uri;` (and
  302/303/307/308, Apache `Redirect` and `RewriteRule`), relative and scheme-relative
  Locations, a 200 whose body names https;
- companion series distinct per network namespace, with the endpoint's labels, IPv6 bracketed;
- no `phase="http"` duration when no HTTP request was made;
- the handshake histogram keyed by server name; failure log lines name server_name.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from agent_process import AgentProcess, binary_from_env, sample_value  # noqa: E402
from privilege import privileges_required  # noqa: E402
from web_servers import (Apache, Netns, Nginx, Pki, Site, SServer, curl_head,  # noqa: E402
                         free_port, s_client)

BINARY = binary_from_env()
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
STANDARD = "return %d https://$host$request_uri;"

# (name, server, redirect directive, extra directives) for plain-HTTP companions.
NGINX_COMPANIONS = [
    ("nginx-301", STANDARD % 301, ""),
    ("nginx-302", STANDARD % 302, ""),
    ("nginx-303", STANDARD % 303, ""),
    ("nginx-307", STANDARD % 307, ""),
    ("nginx-308", STANDARD % 308, ""),
    ("nginx-http", "return 301 http://$host:8080$request_uri;", ""),
    ("nginx-relative", "return 301 /elsewhere;", "    absolute_redirect off;\n"),
    ("nginx-scheme-relative", "return 301 //localhost/;", "    absolute_redirect off;\n"),
    ("nginx-200", 'location / { return 200 "see https://localhost/\\n"; }', ""),
]
APACHE_COMPANIONS = [
    ("apache-redirect", "Redirect permanent / https://localhost/", ""),
    ("apache-rewrite", "RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]",
     "  RewriteEngine on"),
    ("apache-302", "Redirect 302 / https://localhost/", ""),
    ("apache-308", "Redirect 308 / https://localhost/", ""),
]


def series(name, **labels):
    return name + "{" + ",".join('%s="%s"' % item for item in labels.items()) + "}"


def endpoint_labels(target, address, server_name="localhost", source="config"):
    return dict(target=target, address=address, server_name=server_name, source=source)


def expected_verdict(request_url, status, headers):
    """The verdict computed independently from what curl saw (urllib's RFC 3986 join)."""
    location = headers.get("location")
    if status not in REDIRECT_STATUSES or location is None:
        return False
    return urllib.parse.urljoin(request_url, location).lower().startswith("https://")


def probe(target, *args):
    result = subprocess.run([BINARY, "probe", target, "--timeout=10s", *args],
                            capture_output=True, text=True, timeout=60)
    return result


def endpoint_toml(target, pki, server_name="localhost", http=True, companion=None, ca=True):
    lines = ["[[endpoints]]", 'target = "%s"' % target, 'server_name = "%s"' % server_name]
    if ca:
        lines.append('ca_file = "%s"' % pki.root)
    if http:
        lines.append("http = true")
    if companion:
        lines.append("plain_http_companion = %d" % companion)
    return "\n".join(lines) + "\n"


class WebServerFixture(unittest.TestCase):
    """nginx, Apache and s_server with their sites, and one agent probing every endpoint:
    started once for the module (setUpModule), shared by every test class below."""

    started = False

    @classmethod
    def setUpClass(cls):
        if not WebServerFixture.started:
            WebServerFixture.start()

    @staticmethod
    def start():
        cls = WebServerFixture
        cls.dir = tempfile.mkdtemp(prefix="pw-web-")
        cls.pki = Pki(cls.dir)
        cls.companions = {}  # name -> (https port, http port)
        nginx_sites, apache_sites = [], []
        for name, directive, extra in NGINX_COMPANIONS:
            site = Site(free_port(), free_port(), directive, extra=extra)
            cls.companions[name] = site
            nginx_sites.append(site)
        for name, directive, extra in APACHE_COMPANIONS:
            site = Site(free_port(), free_port(), directive, extra=extra)
            cls.companions[name] = site
            apache_sites.append(site)
        # Optional client certificates, and a TLS 1.2-only site (cipher names differ there).
        cls.nginx_mtls = Site(free_port(), client_ca=cls.pki.client_ca)
        cls.apache_mtls = Site(free_port(), client_ca=cls.pki.client_ca)
        cls.apache_tls12 = Site(free_port(), protocols="TLSv1.2")
        nginx_sites.append(cls.nginx_mtls)
        apache_sites += [cls.apache_mtls, cls.apache_tls12]
        cls.s_server_port = free_port()
        cls.servers = [Nginx(cls.dir, cls.pki, nginx_sites),
                       Apache(cls.dir, cls.pki, apache_sites),
                       SServer(cls.dir, cls.pki, cls.s_server_port, ["-verify", "1",
                                                                     "-CAfile", cls.pki.client_ca])]
        started = []
        try:
            for server in cls.servers:
                started.append(server.__enter__())
            cls.config = os.path.join(cls.dir, "agent.toml")
            with open(cls.config, "w") as out:
                out.write("[discovery]\nenabled = false\n")
                out.write(cls.endpoints_toml())
            cls.agent = AgentProcess(BINARY, ["--config.file=" + cls.config])
            cls.agent.start()
            cls.agent.wait_ready(timeout=60)
            cls.metrics = cls.agent.metrics()
            cls.started = True
        except Exception:
            for server in started:
                server.__exit__()
            raise

    @classmethod
    def endpoints_toml(cls):
        text = ""
        for site in cls.companions.values():
            text += endpoint_toml("127.0.0.1:%d" % site.https_port, cls.pki,
                                  companion=site.http_port)
        for port in cls.tls_ports():
            text += endpoint_toml("127.0.0.1:%d" % port, cls.pki)
        # IPv6: the URL host is a literal, the companion is written [::1]:port.
        v6 = cls.companions["nginx-301"]
        text += endpoint_toml("[::1]:%d" % v6.https_port, cls.pki, server_name="::1",
                              companion=v6.http_port)
        # No trust anchor for this chain: libcurl refuses it, so no HTTP request is made.
        text += endpoint_toml("localhost:%d" % v6.https_port, cls.pki, ca=False)
        # One listener, three server names (virtual hosts): a.test, b.test in the SAN.
        for name in ("a.test", "b.test", "c.test"):
            text += endpoint_toml("127.0.0.1:%d" % cls.nginx_mtls.https_port, cls.pki,
                                  server_name=name, http=False)
        return text

    @classmethod
    def tls_ports(cls):
        return [cls.nginx_mtls.https_port, cls.apache_mtls.https_port,
                cls.apache_tls12.https_port, cls.s_server_port]

    @staticmethod
    def stop():
        cls = WebServerFixture
        if cls.started:
            cls.agent.stop()
            for server in cls.servers:
                server.__exit__()
            shutil.rmtree(cls.dir, ignore_errors=True)
            cls.started = False

    def value(self, name, **labels):
        return sample_value(self.metrics, series(name, **labels))


class RedirectCheckTest(WebServerFixture):
    """Defect: against nginx's standard `return 301 https://$host$request_uri;` (and 302,
    308) the check said 0 / "redirects to https: no": libcurl computes its redirect URL only
    for a transfer that completes, and the check stopped every transfer at the body."""

    def test_companion_verdicts_match_curl(self):
        for name, site in self.companions.items():
            with self.subTest(companion=name):
                url = "http://localhost:%d/" % site.http_port
                status, headers = curl_head(url)
                verdict = expected_verdict(url, status, headers)
                if name in ("nginx-301", "nginx-302", "nginx-303", "nginx-307", "nginx-308",
                            "apache-redirect", "apache-rewrite", "apache-302", "apache-308"):
                    self.assertTrue(verdict, (status, headers))  # the fixture is what it says
                else:
                    self.assertFalse(verdict, (status, headers))
                target = "127.0.0.1:%d" % site.https_port
                labels = endpoint_labels(target, target)
                self.assertEqual(
                    self.value("portwarden_http_redirects_to_https", **labels,
                               companion="127.0.0.1:%d" % site.http_port),
                    1.0 if verdict else 0.0, self.metrics)
                result = probe(target, "--server-name=localhost", "--ca-file=" + self.pki.root,
                               "--plain-http-companion=%d" % site.http_port, "--output=json")
                self.assertEqual(result.returncode, 0, result.stderr)
                answer = json.loads(result.stdout)[0]
                self.assertEqual(answer["companion_status"], status)
                self.assertEqual(answer["companion_location"],
                                 urllib.parse.urljoin(url, headers["location"])
                                 if "location" in headers else "")
                self.assertEqual(answer["companion_redirects_to_https"], verdict)

    def test_probe_prints_the_verdict(self):
        site = self.companions["nginx-301"]
        result = probe("127.0.0.1:%d" % site.https_port, "--server-name=localhost",
                       "--ca-file=" + self.pki.root, "--plain-http-companion=%d" % site.http_port)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("plain http 127.0.0.1:%d: status 301, location https://localhost/; "
                      "redirects to https: yes\n" % site.http_port, result.stdout)
        site = self.companions["nginx-relative"]
        result = probe("127.0.0.1:%d" % site.https_port, "--server-name=localhost",
                       "--ca-file=" + self.pki.root, "--plain-http-companion=%d" % site.http_port)
        self.assertIn("plain http 127.0.0.1:%d: status 301, location "
                      "http://localhost:%d/elsewhere; redirects to https: no\n"
                      % (site.http_port, site.http_port), result.stdout)

    def test_ipv6_companion_is_bracketed(self):
        site = self.companions["nginx-301"]
        target = "[::1]:%d" % site.https_port
        labels = endpoint_labels(target, target, server_name="::1")
        url = "http://[::1]:%d/" % site.http_port
        status, headers = curl_head(url)
        self.assertEqual((status, headers["location"]), (301, "https://[::1]/"))
        self.assertEqual(self.value("portwarden_http_redirects_to_https", **labels,
                                    companion="[::1]:%d" % site.http_port), 1.0, self.metrics)
        self.assertEqual(self.value("portwarden_http_status_code", **labels), 200.0)
        result = probe(target, "--ca-file=" + self.pki.root,
                       "--plain-http-companion=%d" % site.http_port)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("plain http [::1]:%d: status 301, location https://[::1]/; "
                      "redirects to https: yes" % site.http_port, result.stdout)
        self.assertNotIn("::1:%d" % site.http_port, self.metrics.replace(
            "[::1]:%d" % site.http_port, ""))


class HttpsCheckTest(WebServerFixture):
    """Status and HSTS against curl -sI; TLS parameters, chain and expiry against s_client."""

    def test_status_and_hsts_match_curl(self):
        for name in ("nginx-301", "apache-redirect"):
            site = self.companions[name]
            with self.subTest(server=name):
                status, headers = curl_head("https://localhost:%d/" % site.https_port,
                                            cacert=self.pki.root)
                target = "127.0.0.1:%d" % site.https_port
                labels = endpoint_labels(target, target)
                self.assertEqual(self.value("portwarden_http_status_code", **labels), status)
                self.assertIn("strict-transport-security", headers)
                max_age = int(re.search(r"max-age=(\d+)",
                                        headers["strict-transport-security"]).group(1))
                self.assertEqual(self.value("portwarden_http_hsts_present", **labels), 1.0)
                self.assertEqual(self.value("portwarden_http_hsts_max_age_seconds", **labels),
                                 max_age)

    def test_tls_parameters_match_s_client(self):
        for port in self.tls_ports():
            with self.subTest(port=port):
                peer = s_client(port, "localhost", self.pki.root)
                self.assertEqual(peer["verify"], 0)
                target = "127.0.0.1:%d" % port
                labels = endpoint_labels(target, target)
                self.assertEqual(self.value("portwarden_tls_probe_success", **labels), 1.0,
                                 self.metrics)
                self.assertEqual(self.value("portwarden_tls_version_info", **labels,
                                            version=peer["version"]), 1.0, self.metrics)
                self.assertEqual(self.value("portwarden_tls_cipher_info", **labels,
                                            cipher=peer["cipher"]), 1.0, self.metrics)
                self.assertEqual(
                    self.value("portwarden_tls_cert_not_after_timestamp_seconds", **labels,
                               chain_pos="0"), peer["leaf_not_after"])
                self.assertEqual(peer["leaf_not_after"], self.pki.not_after(self.pki.leaf))
                positions = re.findall(
                    re.escape(series("portwarden_tls_cert_not_after_timestamp_seconds",
                                     **labels))[:-2] + r',chain_pos="(\d+)"\}', self.metrics)
                self.assertEqual(len(positions), len(peer["chain"]))
                self.assertEqual(len(positions), 2)  # leaf + intermediate, root not sent

    def test_tls12_cipher_is_the_iana_name(self):
        peer = s_client(self.apache_tls12.https_port, "localhost", self.pki.root)
        self.assertEqual(peer["version"], "TLS 1.2")
        self.assertTrue(peer["cipher"].startswith("TLS_ECDHE_ECDSA_WITH_"), peer)

    def test_optional_client_certificate_servers(self):
        for site in (self.nginx_mtls, self.apache_mtls):
            with self.subTest(port=site.https_port):
                target = "127.0.0.1:%d" % site.https_port
                # Without a client certificate (what the agent does by default) ...
                self.assertEqual(self.value("portwarden_tls_cert_verified",
                                            **endpoint_labels(target, target)), 1.0)
                # ... and with one: both complete, as s_client does with and without.
                peer = s_client(site.https_port, "localhost", self.pki.root,
                                extra=["-cert", self.pki.client_cert, "-key",
                                       self.pki.client_key])
                result = probe(target, "--server-name=localhost", "--ca-file=" + self.pki.root,
                               "--cert-file=" + self.pki.client_cert,
                               "--key-file=" + self.pki.client_key, "--output=json")
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                answer = json.loads(result.stdout)[0]
                self.assertTrue(answer["success"], answer)
                self.assertEqual(answer["tls_version"], peer["version"])
                self.assertEqual(answer["cipher"], peer["cipher"])


class ExpositionTest(WebServerFixture):
    def test_new_label_sets_pass_promtool(self):
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool (Debian prometheus) is a test dependency")
        lint = subprocess.run([promtool, "check", "metrics"], input=self.metrics,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)


class PhaseTest(WebServerFixture):
    """Defect: a phase="http" duration of 0 was exported when no HTTP request was made."""

    def test_http_phase_only_when_a_request_was_made(self):
        site = self.companions["nginx-301"]
        untrusted = endpoint_labels("localhost:%d" % site.https_port,
                                    "127.0.0.1:%d" % site.https_port)
        self.assertEqual(self.value("portwarden_tls_cert_verified", **untrusted), 0.0,
                         self.metrics)
        self.assertEqual(self.value("portwarden_tls_probe_failures_total", **untrusted,
                                    reason="verify"), 1.0)
        self.assertIsNone(self.value("portwarden_tls_probe_duration_seconds", **untrusted,
                                     phase="http"), self.metrics)
        self.assertIsNotNone(self.value("portwarden_tls_probe_duration_seconds", **untrusted,
                                        phase="handshake"))
        # `portwarden probe` prints the phases that ran: no "http" when no GET was sent.
        result = probe("127.0.0.1:%d" % site.https_port, "--server-name=localhost", "--http")
        self.assertIn("  failure: verify: ", result.stdout)
        phases = [line for line in result.stdout.splitlines() if line.startswith("  phases:")]
        self.assertEqual(len(phases), 1, result.stdout)
        self.assertIn(" handshake ", phases[0])
        self.assertNotIn(" http ", phases[0])
        result = probe("127.0.0.1:%d" % site.https_port, "--server-name=localhost", "--http",
                       "--ca-file=" + self.pki.root)
        self.assertRegex(result.stdout, r"  phases:.* http \d+\.\d ms")
        trusted = "127.0.0.1:%d" % site.https_port
        seconds = self.value("portwarden_tls_probe_duration_seconds",
                             **endpoint_labels(trusted, trusted), phase="http")
        self.assertIsNotNone(seconds)
        self.assertGreater(seconds, 0.0)
        self.assertLess(seconds, 10.0)


class HandshakeHistogramTest(WebServerFixture):
    """Defect: portwarden_tls_handshake_seconds was keyed by target only, merging endpoints
    that differ by server_name; failure log lines lacked server_name."""

    def test_histogram_per_server_name(self):
        target = "127.0.0.1:%d" % self.nginx_mtls.https_port
        for name in ("a.test", "b.test", "c.test"):
            with self.subTest(server_name=name):
                self.assertEqual(
                    self.value("portwarden_tls_handshake_seconds_count", target=target,
                               server_name=name, source="config"), 1.0, self.metrics)
                self.assertEqual(
                    self.value("portwarden_tls_handshake_seconds_bucket", target=target,
                               server_name=name, source="config", le="+Inf"), 1.0)
        self.assertEqual(self.value("portwarden_tls_verify_result_info",
                                    **endpoint_labels(target, target, server_name="c.test"),
                                    result="hostname_mismatch"), 1.0)
        self.assertNotIn('portwarden_tls_handshake_seconds_count{target="%s"}' % target,
                         self.metrics)

    def test_failure_log_names_server_name(self):
        target = "127.0.0.1:%d" % self.nginx_mtls.https_port
        lines = [line for line in self.agent.log().splitlines()
                 if 'msg="TLS probe failed"' in line and "target=%s " % target in line]
        self.assertEqual(len(lines), 1, self.agent.log())
        self.assertIn("server_name=c.test ", lines[0])
        self.assertIn("reason=verify", lines[0])
        result = probe(target, "--server-name=c.test", "--ca-file=" + self.pki.root)
        self.assertNotEqual(result.returncode, 0)
        self.assertRegex(result.stderr, r'msg="TLS probe failed" target=%s .*server_name=c\.test '
                         % re.escape(target))


def privileged_or_skip(test):
    if os.geteuid() == 0 and shutil.which("ip"):
        return
    if privileges_required():
        test.fail("needs root for network namespaces (PORTWARDEN_REQUIRE_PRIVILEGED=1)")
    test.skipTest("needs root for network namespaces")


class NamespaceCompanionTest(unittest.TestCase):
    """Defect: companions in different namespaces produced duplicate series (same labels,
    different values); an IPv6 companion was written `::1:80`; the series carried neither
    server_name nor source. Two namespaces made by the test each run nginx on the real ports
    443 and 80 (wildcard binds, IPv4 and IPv6); one redirects, the other answers 200. The agent
    discovers all four listeners and checks each one's companion from inside its namespace."""

    def test_companion_series_per_namespace(self):
        privileged_or_skip(self)
        workdir = tempfile.mkdtemp(prefix="pw-webns-")
        self.addCleanup(shutil.rmtree, workdir, True)
        pki = Pki(workdir)
        names = {"redirects": "pwweb%da" % os.getpid(), "plain": "pwweb%db" % os.getpid()}
        with Netns(names["redirects"]) as ns_a, Netns(names["plain"]) as ns_b:
            hosts = ("0.0.0.0", "::")
            site_a = Site(443, 80, STANDARD % 301, hosts=hosts)
            site_b = Site(443, 80, None, hosts=hosts)
            os.makedirs(os.path.join(workdir, "a"))
            os.makedirs(os.path.join(workdir, "b"))
            with Nginx(os.path.join(workdir, "a"), pki, [site_a], ns_a.prefix), \
                    Nginx(os.path.join(workdir, "b"), pki, [site_b], ns_b.prefix):
                for ns, code, location in ((ns_a, 301, "https://localhost/"), (ns_b, 200, None)):
                    for host in ("127.0.0.1", "[::1]"):
                        out = subprocess.run(
                            [*ns.prefix, "curl", "-sI", "--max-time", "10", "--connect-to",
                             "localhost:80:%s:80" % host, "http://localhost/"],
                            capture_output=True, text=True, timeout=30).stdout
                        self.assertIn(" %d " % code, out.splitlines()[0])
                        if location:
                            self.assertIn("Location: " + location, out)
                config = os.path.join(workdir, "agent.toml")
                with open(config, "w") as out:
                    out.write('[agent]\nscan_interval = "1s"\nprobe_interval = "2s"\n'
                              '[discovery]\ntls_ports = [443]\nnamespaces = "all"\n'
                              'http = true\nserver_name = "localhost"\nca_file = "%s"\n'
                              % pki.root)
                with AgentProcess(BINARY, ["--config.file=" + config]) as agent:
                    agent.wait_ready(timeout=60)
                    # Listeners are discovered by a scan, then probed by the next cycle.
                    metrics = agent.wait_for(
                        lambda: (lambda text: text if text.count(
                            "portwarden_http_redirects_to_https{target=\"pwweb%d" % os.getpid())
                            >= 4 else None)(agent.metrics()),
                        timeout=60, what="four companion series")
        for key, value in (("redirects", 1.0), ("plain", 0.0)):
            for address in ("127.0.0.1", "[::1]"):
                with self.subTest(netns=key, address=address):
                    labels = endpoint_labels("%s/%s:443" % (names[key], address),
                                             address + ":443", source="discovered")
                    self.assertEqual(
                        sample_value(metrics, series("portwarden_http_redirects_to_https",
                                                     **labels, companion=address + ":80")),
                        value, metrics)
                    self.assertEqual(sample_value(metrics, series(
                        "portwarden_tls_probe_success", **labels)), 1.0)
        companions = [line for line in metrics.splitlines()
                      if line.startswith("portwarden_http_redirects_to_https{")
                      and "pwweb%d" % os.getpid() in line]
        self.assertEqual(len(companions), 4, metrics)
        self.assertNotIn("::1:80", "".join(companions).replace("[::1]:80", ""))


def tearDownModule():
    WebServerFixture.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
