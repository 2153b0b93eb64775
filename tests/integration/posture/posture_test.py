"""The posture stage (issue 15, part 2) against servers made by the test, each finding
compared with an independent tool on the same server or file:

- a TLS 1.0/1.1-enabled `openssl s_server` (which also takes a NULL suite) and a TLS 1.3-only
  nginx: the versions `portwarden probe --posture` reports accepted are the ones
  `openssl s_client -tls1 / -tls1_1 / -tls1_2 / -tls1_3` completes;
- an RSA 1024 leaf under a SHA-1-signed chain, served at a lowered security level
  (`openssl x509 -text` for the key size and signature algorithm);
- a server omitting its intermediate (s_client's verify code 20) and one sending its chain out
  of order (s_client -showcerts);
- a 399-day leaf issued today (`openssl x509 -days 399`), which also allows clientAuth and
  names an OCSP responder without stapling;
- the daemon: the same findings as metrics on /metrics, from the posture job.

Standard library and the openssl command-line tool only; ports chosen at run time.
"""

import calendar
import json
import os
import re
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from agent_process import binary_from_env, sample_value  # noqa: E402
from posture_helpers import (VERSIONS, PkiTestCase, daemon_posture_metrics,  # noqa: E402
                             endpoint_labels, s_client_handshake)
from web_servers import Nginx, Site, _Server, free_port, run  # noqa: E402

BINARY = binary_from_env()
S_CLIENT_FLAG = {"TLS 1.0": "-tls1", "TLS 1.1": "-tls1_1", "TLS 1.2": "-tls1_2",
                 "TLS 1.3": "-tls1_3"}
LEGACY_CIPHERS = "ALL:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0"  # DEFAULT would remove eNULL for good


class SServer(_Server):
    """`openssl s_server -www` on 127.0.0.1:`port` with the given certificate files."""

    name = "s_server"

    def __init__(self, workdir, port, cert, key, chain=None, extra=()):
        super().__init__(workdir, None, [Site(port, hosts=("127.0.0.1",))])
        self.args = ["-cert", cert, "-key", key] + (["-cert_chain", chain] if chain else [])
        self.args += list(extra)

    def command(self):
        return ["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.sites[0].https_port,
                "-www", "-quiet", "-naccept", "1000", *self.args]


def posture(port, cafile):
    """`portwarden probe 127.0.0.1:PORT --posture --output=json`: the one posture result."""
    result = subprocess.run([BINARY, "probe", "127.0.0.1:%d" % port, "--server-name",
                             "localhost", "--ca-file", cafile, "--posture", "--output=json",
                             "--log.level=error"],
                            capture_output=True, text=True, timeout=60)
    report = json.loads(result.stdout)
    assert len(report["posture"]) == 1, report
    return report["posture"][0]


def accepted(result):
    return [v["version"] for v in result["versions"] if v["accepted"]]


def concatenate(target, *parts):
    with open(target, "w") as out:
        for part in parts:
            with open(part) as pem:
                out.write(pem.read())
    return target


def openssl_text(pem):
    return run(["openssl", "x509", "-noout", "-text", "-in", pem]).stdout


class PostureTest(PkiTestCase):
    def sign(self, name, issuer, issuer_key, days, extensions, key="ec", digest="sha256"):
        """A certificate `name`.pem (key `name`.key) issued by `issuer` with openssl."""
        key_args = (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key == "ec"
                    else ["-newkey", "rsa:%d" % key])
        ext = self.path(name + ".ext")
        with open(ext, "w") as out:
            out.write(extensions)
        run(["openssl", "req", "-new", *key_args, "-nodes", "-keyout", self.path(name + ".key"),
             "-out", self.path(name + ".csr"), "-subj", "/CN=" + name])
        run(["openssl", "x509", "-req", "-in", self.path(name + ".csr"), "-CA", issuer,
             "-CAkey", issuer_key, "-CAcreateserial", "-days", str(days), "-" + digest,
             "-extfile", ext, "-out", self.path(name + ".pem")])
        return self.path(name + ".pem"), self.path(name + ".key")

    def serve(self, cert, key, chain=None, extra=()):
        port = free_port()
        return SServer(self.dir, port, cert, key, chain, extra), port

    def test_legacy_server_versions_match_s_client(self):
        server, port = self.serve(self.pki.leaf, self.pki.leaf_key, self.pki.intermediate,
                                  ["-cipher", LEGACY_CIPHERS])
        with server:
            result = posture(port, self.pki.root)
            for version in VERSIONS:
                protocol, _, _ = s_client_handshake(port, S_CLIENT_FLAG[version],
                                                    "-cipher", "DEFAULT:@SECLEVEL=0")
                self.assertEqual(protocol, version)
            # Debian 12's OpenSSL 3.0 (security level 2) refuses TLS 1.0/1.1 as a client unless
            # told @SECLEVEL=0: why posture contexts run at level 0.
            self.assertIsNone(s_client_handshake(port, "-tls1")[0])
            _, weak, _ = s_client_handshake(port, "-tls1_2", "-cipher", "eNULL:@SECLEVEL=0")
            self.assertEqual(weak, "ECDHE-ECDSA-NULL-SHA")
        self.assertTrue(result["reached"], result)
        self.assertEqual([v["version"] for v in result["versions"]], VERSIONS)
        self.assertEqual(accepted(result), VERSIONS)
        findings = set(result["findings"])
        self.assertTrue({"legacy_protocol", "weak_cipher", "no_sct"} <= findings, findings)
        for absent in ("weak_key", "weak_signature", "incomplete_chain", "chain_order",
                       "validity_too_long", "client_auth_eku", "no_ocsp_staple"):
            self.assertNotIn(absent, findings)

    def test_tls13_only_nginx(self):
        port = free_port()
        site = Site(port, hosts=("127.0.0.1",), protocols="TLSv1.3", hsts=None)
        with Nginx(self.dir, self.pki, [site]):
            result = posture(port, self.pki.root)
            self.assertEqual(s_client_handshake(port, "-tls1_3")[0], "TLS 1.3")
            for version in ("TLS 1.0", "TLS 1.1", "TLS 1.2"):
                self.assertIsNone(s_client_handshake(port, S_CLIENT_FLAG[version], "-cipher",
                                                     "DEFAULT:@SECLEVEL=0")[0], version)
        self.assertEqual(accepted(result), ["TLS 1.3"])
        refused = {v["version"]: v["failure_reason"] for v in result["versions"]}
        self.assertTrue(all(refused[v] for v in VERSIONS[:3]), refused)
        self.assertNotIn("legacy_protocol", result["findings"])
        self.assertNotIn("weak_cipher", result["findings"])

    def test_rsa1024_under_a_sha1_chain(self):
        root, root_key = self.sign("weak-root", self.pki.root, self.path("root.key"), 3650,
                                   "basicConstraints=critical,CA:TRUE\n"
                                   "keyUsage=critical,keyCertSign\n", key=2048)
        intermediate, int_key = self.sign(
            "weak-int", root, root_key, 365,
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n", key=2048,
            digest="sha1")
        leaf, leaf_key = self.sign("localhost", intermediate, int_key, 30,
                                   "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\n",
                                   key=1024, digest="sha1")
        leaf_text = openssl_text(leaf)
        self.assertIn("Public-Key: (1024 bit)", leaf_text)
        self.assertIn("sha1WithRSAEncryption", leaf_text)
        self.assertIn("sha1WithRSAEncryption", openssl_text(intermediate))
        chain = concatenate(self.path("weak-chain.pem"), intermediate, root)
        server, port = self.serve(leaf, leaf_key, chain, ["-cipher", "DEFAULT:@SECLEVEL=0"])
        with server:
            result = posture(port, self.pki.root)
        self.assertTrue(result["reached"], result)
        self.assertIn("weak_key", result["findings"])
        self.assertIn("weak_signature", result["findings"])
        self.assertNotIn("incomplete_chain", result["findings"])

    def test_missing_intermediate(self):
        server, port = self.serve(self.pki.leaf, self.pki.leaf_key)
        with server:
            result = posture(port, self.pki.root)
            _, _, out = s_client_handshake(port, "-CAfile", self.pki.root)
        # 20 or 21: no issuer found for the leaf (unable to get local issuer / to verify the
        # first certificate), as OpenSSL words it with the leaf alone.
        self.assertRegex(out, r"Verify return code: 2[01] ")
        self.assertIn("incomplete_chain", result["findings"])
        self.assertNotIn("chain_order", result["findings"])

    def test_chain_out_of_order(self):
        chain = concatenate(self.path("reversed.pem"), self.pki.root, self.pki.intermediate)
        server, port = self.serve(self.pki.leaf, self.pki.leaf_key, chain)
        with server:
            result = posture(port, self.pki.root)
            _, _, out = s_client_handshake(port, "-CAfile", self.pki.root)
        subjects = re.findall(r"^ *(\d) s:(.*)$", out, re.M)
        self.assertEqual([s for _, s in subjects],
                         ["CN = localhost", "CN = portwarden test root",
                          "CN = portwarden test intermediate"], out)
        self.assertIn("chain_order", result["findings"])
        self.assertNotIn("incomplete_chain", result["findings"])

    def test_399_days_issued_today(self):
        leaf, key = self.sign("localhost", self.pki.intermediate, self.path("intermediate.key"),
                              399, "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\n"
                              "extendedKeyUsage=serverAuth,clientAuth\n"
                              "authorityInfoAccess=OCSP;URI:http://127.0.0.1:9/ocsp\n")
        dates = run(["openssl", "x509", "-noout", "-startdate", "-enddate", "-in", leaf]).stdout
        stamps = [calendar.timegm(time.strptime(v, "%b %d %H:%M:%S %Y %Z"))
                  for v in re.findall(r"=(.*)", dates)]
        self.assertEqual(stamps[1] - stamps[0], 399 * 86400)
        self.assertGreaterEqual(stamps[0], calendar.timegm((2026, 3, 15, 0, 0, 0)))
        server, port = self.serve(leaf, key, self.pki.intermediate)
        with server:
            result = posture(port, self.pki.root)
        for fired in ("validity_too_long", "client_auth_eku", "no_ocsp_staple", "no_sct"):
            self.assertIn(fired, result["findings"])

    def test_daemon_exports_posture_metrics(self):
        server, port = self.serve(self.pki.leaf, self.pki.leaf_key, self.pki.intermediate,
                                  ["-cipher", LEGACY_CIPHERS])
        e = endpoint_labels(port)
        with server:
            text = daemon_posture_metrics(BINARY, self.path("posture.toml"), [port],
                                          self.pki.root)
        for version in VERSIONS:
            self.assertEqual(sample_value(text, 'portwarden_tls_protocol_accepted%s,version="%s"}'
                                          % (e, version)), 1, text)
        self.assertEqual(sample_value(text, 'portwarden_tls_posture_finding%s,check='
                                      '"legacy_protocol"}' % e), 1)
        self.assertIsNone(sample_value(text, 'portwarden_tls_posture_finding%s,check='
                                       '"chain_order"}' % e))
        self.assertEqual(sample_value(text, 'portwarden_collector_success{collector="posture"}'),
                         1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
