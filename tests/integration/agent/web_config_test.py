"""--web.config.file (issue 11, item 2): the exporter-toolkit web config served by the real
binary. Certificates are made by `openssl` at test time; TLS is checked with `openssl s_client`
and `curl`, bcrypt hashes come from `htpasswd -B` (apache2-utils) and Python's crypt module,
and Debian's Prometheus scrapes the agent through TLS + basic auth."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from agent_process import AgentProcess, binary_from_env  # noqa: E402

BINARY = binary_from_env()
PROMETHEUS = shutil.which("prometheus")


def run(*argv, input_text=None, timeout=30):
    return subprocess.run(list(argv), capture_output=True, text=True, input=input_text,
                          timeout=timeout)


def bcrypt_hashes(password):
    """A $2y$ hash from htpasswd and a $2b$ one from libcrypt through Python (cost 5: fast)."""
    line = run("htpasswd", "-nbB", "-C", "5", "user", password).stdout.strip()
    two_y = line.split(":", 1)[1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        two_b = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 5))
    except ImportError:  # Python without crypt: the same hash spelled $2b$
        two_b = "$2b$" + two_y[4:]
    assert two_y.startswith("$2y$05$") and two_b.startswith("$2b$05$"), (two_y, two_b)
    return two_y, two_b


class Pki:
    """A test CA with server and client certificates (ECDSA P-256)."""

    def __init__(self, directory, name="ca"):
        self.dir = directory
        self.ca = self.path(name + ".crt")
        self.ca_key = self.path(name + ".key")
        self.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout", self.ca_key, "-out", self.ca, "-days", "30",
                     "-subj", "/CN=portwarden test " + name)

    def path(self, name):
        return os.path.join(self.dir, name)

    def openssl(self, *args):
        result = run("openssl", *args)
        if result.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (args[0], result.stderr))

    def issue(self, name, san, client=False):
        """Writes name.crt and name.key; returns their paths."""
        key, csr, crt, ext = (self.path(name + s) for s in (".key", ".csr", ".crt", ".ext"))
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\nextendedKeyUsage=%s\n" %
                    (san, "clientAuth" if client else "serverAuth"))
        self.openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", key, "-out", csr, "-subj", "/CN=" + name)
        self.openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                     "-CAcreateserial", "-out", crt, "-days", "10", "-extfile", ext)
        return crt, key


def s_client(address, *args):
    """openssl s_client against the agent: (handshake succeeded, output)."""
    result = run("openssl", "s_client", "-connect", address, "-servername", "localhost", "-ign_eof",
                 *args,
                 input_text="GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    output = result.stdout + result.stderr
    return result.returncode == 0 and "HTTP/1.1 200 OK" in output, output


def curl(url, *args):
    """curl's HTTP status (0 when the connection or handshake failed) and the headers."""
    result = run("curl", "-s", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}", "--max-time",
                 "10", *args, url)
    lines = result.stdout.strip().splitlines()
    return int(lines[-1]) if lines else 0, result.stdout


def fingerprint(pem_path=None, address=None):
    if address:
        out = run("openssl", "s_client", "-connect", address, input_text="").stdout
        pem = out[out.index("-----BEGIN CERTIFICATE-----"):out.index("-----END CERTIFICATE-----") + 25]
        return run("openssl", "x509", "-noout", "-fingerprint", "-sha256", input_text=pem).stdout
    return run("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", pem_path).stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="portwarden-webcfg-")
        cls.pki = Pki(cls.dir)
        cls.server_crt, cls.server_key = cls.pki.issue("server", "IP:127.0.0.1,DNS:localhost")
        cls.client_crt, cls.client_key = cls.pki.issue("scraper", "DNS:scraper", client=True)
        cls.other = Pki(cls.dir, "other-ca")
        cls.stranger_crt, cls.stranger_key = cls.other.issue("stranger", "DNS:x", client=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def web_config(self, text, name="web.yml"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def tls_config(self, extra="", name="web.yml"):
        # Relative paths resolve against the web config's directory, as in exporter-toolkit.
        return self.web_config("tls_server_config:\n  cert_file: server.crt\n"
                               "  key_file: server.key\n" + extra, name)

    def agent(self, web_config):
        return AgentProcess(BINARY, ["--web.config.file=" + web_config])

    def test_min_and_max_version_are_honoured(self):
        with self.agent(self.tls_config("  min_version: TLS13\n")) as agent:
            ok, out = s_client(agent.address, "-tls1_2")
            self.assertFalse(ok, out)
            ok, out = s_client(agent.address, "-tls1_3")
            self.assertTrue(ok, out)
            self.assertIn("TLSv1.3", out)
        config = ("  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n"
                  "  curve_preferences: [CurveP384]\n")
        with self.agent(self.tls_config(config)) as agent:
            ok, out = s_client(agent.address, "-tls1_3")
            self.assertFalse(ok, out)
            ok, out = s_client(agent.address, "-tls1_2")
            self.assertTrue(ok, out)
            self.assertIn("Cipher is ECDHE-ECDSA-AES256-GCM-SHA384", out)
            self.assertIn("Server Temp Key: ECDH, secp384r1", out)
            ok, out = s_client(agent.address, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")
            self.assertFalse(ok, out)

    def test_require_and_verify_client_cert(self):
        config = self.tls_config("  client_auth_type: RequireAndVerifyClientCert\n"
                                 "  client_ca_file: ca.crt\n")
        with self.agent(config) as agent:
            url = "https://%s/metrics" % agent.address
            self.assertEqual(curl(url, "--cacert", self.pki.ca)[0], 0)
            self.assertEqual(curl(url, "--cacert", self.pki.ca, "--cert", self.stranger_crt,
                                  "--key", self.stranger_key)[0], 0)
            self.assertEqual(curl(url, "--cacert", self.pki.ca, "--cert", self.client_crt,
                                  "--key", self.client_key)[0], 200)
            for version in ("-tls1_2", "-tls1_3"):
                ok, out = s_client(agent.address, version)
                self.assertFalse(ok, out)
                ok, out = s_client(agent.address, version, "-cert", self.client_crt, "-key",
                                   self.client_key)
                self.assertTrue(ok, out)

    def test_other_client_auth_types(self):
        # (client_auth_type, status without a certificate, with a stranger's, with ours)
        cases = [("VerifyClientCertIfGiven", 200, 0, 200),
                 ("RequireAnyClientCert", 0, 200, 200),
                 ("RequestClientCert", 200, 200, 200)]
        for auth, none, stranger, ours in cases:
            config = self.tls_config("  client_auth_type: %s\n  client_ca_file: ca.crt\n" % auth,
                                     auth + ".yml")
            with self.agent(config) as agent:
                url = "https://%s/-/healthy" % agent.address
                got = (curl(url, "--cacert", self.pki.ca)[0],
                       curl(url, "--cacert", self.pki.ca, "--cert", self.stranger_crt, "--key",
                            self.stranger_key)[0],
                       curl(url, "--cacert", self.pki.ca, "--cert", self.client_crt, "--key",
                            self.client_key)[0])
                self.assertEqual(got, (none, stranger, ours), auth)

    def test_client_allowed_sans(self):
        for sans, allowed in (("[nobody]", False), ("[nobody, scraper]", True)):
            config = self.tls_config("  client_auth_type: RequireAndVerifyClientCert\n"
                                     "  client_ca_file: ca.crt\n  client_allowed_sans: %s\n" % sans)
            with self.agent(config) as agent:
                ok, out = s_client(agent.address, "-cert", self.client_crt, "-key", self.client_key)
                self.assertEqual(ok, allowed, out)

    def test_bcrypt_users_and_headers(self):
        two_y, two_b = bcrypt_hashes("s3cret")
        path = self.web_config(
            "basic_auth_users:\n  alice: '%s'\n  bob: '%s'\n"
            "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
            "    X-Content-Type-Options: nosniff\n" % (two_y, two_b))
        with self.agent(path) as agent:
            url = "http://%s/metrics" % agent.address
            for user in ("alice", "bob"):
                status, headers = curl(url, "-u", user + ":s3cret")
                self.assertEqual(status, 200, user)
                self.assertIn("X-Frame-Options: deny", headers)
                self.assertIn("X-Content-Type-Options: nosniff", headers)
            for credentials in (["-u", "alice:wrong"], ["-u", "carol:s3cret"], []):
                status, headers = curl(url, *credentials)
                self.assertEqual(status, 401, credentials)
                self.assertIn("WWW-Authenticate: Basic", headers)
                self.assertIn("X-Frame-Options: deny", headers)
            # The file is re-read on change: a broken edit fails closed, a fixed one serves.
            with open(path, "a") as f:
                f.write("bogus: 1\n")
            self.assertEqual(curl(url, "-u", "alice:s3cret")[0], 500)
            agent.wait_for(lambda: "unknown key" in agent.log(), what="the web config error")
            self.web_config("basic_auth_users:\n  alice: '%s'\n" % two_y)
            self.assertEqual(curl(url, "-u", "alice:s3cret")[0], 200)
            self.assertEqual(curl(url, "-u", "bob:s3cret")[0], 401)

    def test_renewed_certificate_is_picked_up_without_restart(self):
        renew = Pki(self.dir, "renew-ca")
        crt, key = renew.issue("first", "IP:127.0.0.1")
        path = self.web_config("tls_server_config:\n  cert_file: %s\n  key_file: %s\n" % (crt, key),
                               "renew.yml")
        with self.agent(path) as agent:
            pid = agent.proc.pid
            first = fingerprint(address=agent.address)
            self.assertEqual(first, fingerprint(crt))
            new_crt, new_key = renew.issue("second", "IP:127.0.0.1")
            # Renewal the way certbot and cert-manager do it: new files moved into place.
            os.rename(new_key, key)
            os.rename(new_crt, crt)
            second = fingerprint(address=agent.address)
            self.assertNotEqual(first, second)
            self.assertEqual(second, fingerprint(crt))
            self.assertEqual(agent.proc.pid, pid)
            self.assertIsNone(agent.proc.poll())

    def test_invalid_web_config_is_a_clear_error(self):
        bad = self.web_config("tls_server_config:\n  certfile: server.crt\n", "bad.yml")
        expected = '%s:2:3: tls_server_config: unknown key "certfile"' % bad
        result = run(BINARY, "--web.listen-address=127.0.0.1:0", "--web.config.file=" + bad)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("%s:2:3: tls_server_config: unknown key" % bad, result.stdout + result.stderr)
        result = run(BINARY, "--web.config.file=" + bad, "--config.check")
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.strip(), "FAILED: web config: " + expected)
        missing = self.web_config("tls_server_config:\n  cert_file: nope.crt\n  key_file: k\n",
                                  "missing.yml")
        result = run(BINARY, "--web.config.file=" + missing, "--config.check")
        self.assertEqual(result.returncode, 2)
        self.assertIn("failed to read cert_file (%s/nope.crt)" % self.dir, result.stderr)
        result = run(BINARY, "--web.config.file=" + self.tls_config(name="good.yml"),
                     "--config.check")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("web config %s/good.yml is valid (TLS on" % self.dir, result.stdout)
        result = run(BINARY, "--web.config.file=/dev/zero", "--config.check")
        self.assertEqual(result.returncode, 2)
        self.assertIn("/dev/zero: not a regular file", result.stderr)

    def test_shipped_example_is_valid(self):
        example = os.path.join(os.path.dirname(__file__), "..", "..", "..", "deploy",
                               "web-config.example.yml")
        directory = os.path.join(self.dir, "example")
        os.makedirs(os.path.join(directory, "tls"), exist_ok=True)
        shutil.copy(self.server_crt, os.path.join(directory, "tls", "portwarden.crt"))
        shutil.copy(self.server_key, os.path.join(directory, "tls", "portwarden.key"))
        shutil.copy(example, os.path.join(directory, "web-config.yml"))
        path = os.path.join(directory, "web-config.yml")
        result = run(BINARY, "--web.config.file=" + path, "--config.check")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("(TLS on, 1 basic auth users)", result.stdout)
        with self.agent(path) as agent:
            url = "https://%s/-/healthy" % agent.address
            status, headers = curl(url, "--cacert", self.pki.ca, "-u", "prometheus:changeme")
            self.assertEqual(status, 200)
            self.assertIn("Strict-Transport-Security: max-age=31536000", headers)

    def test_prometheus_scrapes_through_tls_and_basic_auth(self):
        if PROMETHEUS is None:
            self.fail("prometheus not installed (Debian package prometheus)")
        two_y, _ = bcrypt_hashes("scrape-pass")
        path = self.tls_config("basic_auth_users:\n  prometheus: '%s'\n" % two_y, "prom-web.yml")
        with self.agent(path) as agent:
            prom_dir = os.path.join(self.dir, "prom")
            os.makedirs(prom_dir, exist_ok=True)
            job = ("  - job_name: %s\n    scheme: https\n    tls_config: {ca_file: %s}\n"
                   "    basic_auth: {username: prometheus, password: %s}\n"
                   "    static_configs: [{targets: ['%s']}]\n")
            with open(os.path.join(prom_dir, "prom.yml"), "w") as f:
                f.write("global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n" +
                        job % ("portwarden", self.pki.ca, "scrape-pass", agent.address) +
                        job % ("wrong-password", self.pki.ca, "nope", agent.address))
            port = free_port()
            prom = subprocess.Popen(
                [PROMETHEUS, "--config.file=" + os.path.join(prom_dir, "prom.yml"),
                 "--web.listen-address=127.0.0.1:%d" % port,
                 "--storage.tsdb.path=" + os.path.join(prom_dir, "data")],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                def up(job_name):
                    url = "http://127.0.0.1:%d/api/v1/query?query=up%%7Bjob%%3D%%22%s%%22%%7D" % (
                        port, job_name)
                    try:
                        with urllib.request.urlopen(url, timeout=5) as response:
                            result = json.load(response)["data"]["result"]
                    except (urllib.error.URLError, ConnectionError, KeyError):
                        return None
                    return result[0]["value"][1] if result else None

                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and (up("portwarden") != "1" or
                                                       up("wrong-password") != "0"):
                    time.sleep(0.5)
                self.assertEqual(up("portwarden"), "1")
                self.assertEqual(up("wrong-password"), "0")
                with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/targets" % port,
                                            timeout=5) as response:
                    targets = json.load(response)["data"]["activeTargets"]
                errors = {t["labels"]["job"]: t["lastError"] for t in targets}
                self.assertEqual(errors["portwarden"], "")
                self.assertIn("401", errors["wrong-password"])
            finally:
                prom.terminate()
                prom.wait(timeout=10)
                prom.stderr.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
