"""Revocation checks of the posture stage (issue 15, part 3) against real things made here:
a root -> intermediate -> leaf PKI run with `openssl ca` (index database, revocation, CRLs),
CRLs served over HTTP by Python's http.server on loopback, `openssl ocsp` as the OCSP
responder and `openssl s_server -status_file` / `-status_url` stapling its answers. What
`portwarden probe --posture -o json` reports is compared with `openssl verify -crl_check`,
`openssl crl -text` and `openssl ocsp -respin`. Ports are chosen at run time.
"""

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from agent_process import AgentProcess, binary_from_env, sample_value  # noqa: E402

BINARY = binary_from_env()

CA_CONFIG = """
[ca]
default_ca = this_ca
[this_ca]
dir = {dir}
database = {dir}/index.txt
serial = {dir}/serial
crlnumber = {dir}/crlnumber
new_certs_dir = {dir}
default_md = sha256
default_days = 30
default_crl_hours = 24
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
crlDistributionPoints = URI:{crl_url}
authorityInfoAccess = OCSP;URI:{ocsp_url}
[intermediate]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
crlDistributionPoints = URI:{crl_url}
[ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
"""


def run(*args, check=True):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError("%s failed: %s%s" % (args[:3], result.stdout, result.stderr))
    return result


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ca:
    """One CA of `openssl ca`: its own directory, database, certificate and CRL URL."""

    def __init__(self, root_dir, name, crl_url, ocsp_url, issuer=None):
        self.dir = os.path.join(root_dir, name)
        os.makedirs(self.dir)
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(self.dir, "crlnumber"), "w") as f:
            f.write("01\n")
        self.config = os.path.join(self.dir, "ca.cnf")
        with open(self.config, "w") as f:
            f.write(CA_CONFIG.format(dir=self.dir, crl_url=crl_url, ocsp_url=ocsp_url))
        self.key = os.path.join(self.dir, "key.pem")
        self.cert = os.path.join(self.dir, "cert.pem")
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", self.key)
        if issuer is None:
            run("openssl", "req", "-x509", "-new", "-key", self.key, "-subj", "/CN=" + name,
                "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", self.cert)
        else:
            issuer.issue(name, self.key, self.cert, "intermediate")

    def issue(self, cn, key, out, extensions):
        csr = out + ".csr"
        if not os.path.exists(key):
            run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", key)
        run("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + cn, "-out", csr)
        run("openssl", "ca", "-batch", "-config", self.config, "-cert", self.cert, "-keyfile",
            self.key, "-extensions", extensions, "-in", csr, "-out", out, "-notext")

    def revoke(self, cert):
        run("openssl", "ca", "-config", self.config, "-cert", self.cert, "-keyfile", self.key,
            "-revoke", cert, "-crl_reason", "keyCompromise")

    def crl(self, out, last_update=None, next_update=None):
        """Writes a DER CRL (as CAs serve them) of everything revoked so far to `out`."""
        pem = os.path.join(self.dir, "crl.pem")
        args = ["openssl", "ca", "-config", self.config, "-cert", self.cert, "-keyfile",
                self.key, "-gencrl", "-out", pem]
        if last_update:
            args += ["-crl_lastupdate", last_update, "-crl_nextupdate", next_update]
        run(*args)
        run("openssl", "crl", "-in", pem, "-outform", "DER", "-out", out)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Process:
    """A child killed (and reaped) on close. Ready once `port` accepts a connection, or, with
    `ready_line`, once it printed that (`openssl ocsp` serves one connection at a time and
    would wait on a probing connection)."""

    def __init__(self, args, port, ready_line=None):
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE if ready_line else
                                     subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE, text=True)
        if ready_line:
            for line in self.proc.stdout:
                if ready_line in line:
                    threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                    return
            self.close()
            raise AssertionError("%s exited before it was ready" % args[:2])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise AssertionError("%s did not listen on %d" % (args[:2], port))

    def close(self):
        self.proc.kill()
        self.proc.wait()


class RevocationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="portwarden-revocation-")
        cls.www = os.path.join(cls.tmp, "www")
        os.makedirs(cls.www)
        cls.http = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=cls.www))
        threading.Thread(target=cls.http.serve_forever, daemon=True).start()
        base = "http://127.0.0.1:%d/" % cls.http.server_address[1]
        cls.ocsp_port = free_port()
        ocsp_url = "http://127.0.0.1:%d/" % cls.ocsp_port
        cls.root = Ca(cls.tmp, "root", base + "root.crl", ocsp_url)
        cls.inter = Ca(cls.tmp, "inter", base + "inter.crl", ocsp_url, issuer=cls.root)
        cls.leaf_key = os.path.join(cls.tmp, "leaf.key")
        cls.leaf = os.path.join(cls.tmp, "leaf.pem")
        cls.inter.issue("localhost", cls.leaf_key, cls.leaf, "leaf")
        cls.chain = os.path.join(cls.tmp, "chain.pem")  # served: intermediate, then root
        with open(cls.chain, "w") as out:
            for pem in (cls.inter.cert, cls.root.cert):
                with open(pem) as f:
                    out.write(f.read())
        cls.ocsp_key = os.path.join(cls.tmp, "ocsp.key")
        cls.ocsp_cert = os.path.join(cls.tmp, "ocsp.pem")
        cls.inter.issue("ocsp responder", cls.ocsp_key, cls.ocsp_cert, "ocsp")
        cls.root.crl(os.path.join(cls.www, "root.crl"))
        cls.processes = []

    @classmethod
    def tearDownClass(cls):
        cls.http.shutdown()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tearDown(self):
        for process in self.processes:
            process.close()
        self.processes = []

    def start(self, args, port, ready_line=None):
        process = Process(args, port, ready_line)
        self.processes.append(process)
        return process

    def s_server(self, *extra):
        port = free_port()
        self.start(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", self.leaf,
                    "-key", self.leaf_key, "-cert_chain", self.chain, "-www", "-quiet", *extra],
                   port)
        return port

    def posture(self, port):
        result = run(BINARY, "probe", "127.0.0.1:%d" % port, "--server-name=localhost",
                     "--ca-file=" + self.root.cert, "--posture", "--output=json",
                     "--timeout=10s", check=False)
        self.assertIn(result.returncode, (0, 4), result.stderr)
        posture = json.loads(result.stdout)["posture"]
        self.assertEqual(len(posture), 1)
        self.assertTrue(posture[0]["reached"], posture[0])
        return posture[0]["revocation"]

    def ocsp_responder(self):
        return self.start(["openssl", "ocsp", "-index", os.path.join(self.inter.dir, "index.txt"),
                           "-port", str(self.ocsp_port), "-rsigner", self.ocsp_cert,
                           "-rkey", self.ocsp_key, "-CA", self.inter.cert, "-nrequest", "100"],
                          self.ocsp_port, ready_line="waiting for OCSP client connections")

    def ocsp_response(self, path):
        """Asks the responder for the leaf's status; returns what `openssl ocsp` says of it."""
        result = run("openssl", "ocsp", "-issuer", self.inter.cert, "-cert", self.leaf, "-url",
                     "http://127.0.0.1:%d/" % self.ocsp_port, "-CAfile", self.root.cert,
                     "-respout", path)
        return result.stdout

    def crl_check(self, crl_der):
        """`openssl verify -crl_check` of the leaf with this CRL: its verdict line."""
        pem = crl_der + ".pem"
        run("openssl", "crl", "-inform", "DER", "-in", crl_der, "-out", pem)
        result = run("openssl", "verify", "-crl_check", "-CAfile", self.root.cert, "-untrusted",
                     self.inter.cert, "-CRLfile", pem, self.leaf, check=False)
        return result.stdout + result.stderr

    def crl_of(self, revocation, pos):
        return next(c for c in revocation["crls"] if c["chain_pos"] == pos)

    # The tests run in name order: good, then revoked (revocation is for good).
    def test_1_good_leaf_crl_and_staple(self):
        self.inter.crl(os.path.join(self.www, "inter.crl"))
        self.assertIn(": OK", self.crl_check(os.path.join(self.www, "inter.crl")))
        self.ocsp_responder()
        staple = os.path.join(self.tmp, "good.der")
        self.assertIn(": good", self.ocsp_response(staple))
        revocation = self.posture(self.s_server("-status_file", staple))
        leaf = self.crl_of(revocation, 0)
        self.assertEqual(leaf["url"], "http://127.0.0.1:%d/inter.crl" % self.http.server_address[1])
        self.assertIs(leaf["revoked"], False, leaf)
        self.assertFalse(leaf["stale"])
        self.assertGreater(leaf["next_update"], time.time())
        inter = self.crl_of(revocation, 1)  # checked against the served root
        self.assertIs(inter["revoked"], False, inter)
        self.assertEqual(revocation["ocsp_staple"]["status"], "good", revocation)
        self.assertIs(revocation["leaf_revoked"], False)

    def test_2_revoked_leaf_crl_and_staple(self):
        self.inter.revoke(self.leaf)
        crl = os.path.join(self.www, "inter.crl")
        self.inter.crl(crl)
        serial = run("openssl", "x509", "-in", self.leaf, "-noout", "-serial").stdout
        listed = run("openssl", "crl", "-inform", "DER", "-in", crl, "-noout", "-text").stdout
        self.assertIn("Serial Number: " + serial.strip().split("=")[1], listed)
        self.assertIn("certificate revoked", self.crl_check(crl))
        self.ocsp_responder()
        staple = os.path.join(self.tmp, "revoked.der")
        self.assertIn(": revoked", self.ocsp_response(staple))
        revocation = self.posture(self.s_server("-status_file", staple))
        self.assertIs(self.crl_of(revocation, 0)["revoked"], True, revocation)
        self.assertEqual(revocation["ocsp_staple"]["status"], "revoked", revocation)
        self.assertIs(revocation["leaf_revoked"], True)
        # s_server asking the responder itself (-status_url) staples the same verdict.
        # It finds the leaf's issuer for the request in its trust store (-CAfile).
        port = self.s_server("-status", "-status_url", "http://127.0.0.1:%d/" % self.ocsp_port,
                             "-CAfile", self.chain)
        self.assertEqual(self.posture(port)["ocsp_staple"]["status"], "revoked")

    def test_3_stale_crl_is_visible(self):
        crl = os.path.join(self.www, "inter.crl")
        self.inter.crl(crl, last_update="20250101000000Z", next_update="20250102000000Z")
        self.assertIn("CRL has expired", self.crl_check(crl))
        revocation = self.posture(self.s_server())
        leaf = self.crl_of(revocation, 0)
        self.assertTrue(leaf["stale"], leaf)
        self.assertLess(leaf["next_update"], time.time())
        self.assertEqual(revocation["ocsp_staple"]["status"], "none")

    def test_4_crl_errors_are_data(self):
        os.remove(os.path.join(self.www, "inter.crl"))
        leaf = self.crl_of(self.posture(self.s_server()), 0)
        self.assertEqual(leaf["error"], "http_status", leaf)
        self.assertIsNone(leaf["revoked"])
        with open(os.path.join(self.www, "inter.crl"), "wb") as f:
            f.write(b"not a CRL")
        self.assertEqual(self.crl_of(self.posture(self.s_server()), 0)["error"], "parse")
        # A valid CRL, but the root's: not issued by the leaf's issuer.
        self.root.crl(os.path.join(self.www, "inter.crl"))
        self.assertEqual(self.crl_of(self.posture(self.s_server()), 0)["error"], "signature")

    def test_5_daemon_exports_the_series_promtool_accepts(self):
        self.inter.crl(os.path.join(self.www, "inter.crl"))  # the leaf is revoked since test 2
        port = self.s_server()
        config = os.path.join(self.tmp, "agent.toml")
        with open(config, "w") as f:
            f.write('[agent]\nposture_interval = "1h"\n[discovery]\nenabled = false\n'
                    '[[endpoints]]\ntarget = "127.0.0.1:%d"\nserver_name = "localhost"\n'
                    'ca_file = "%s"\n' % (port, self.root.cert))
        labels = ('{target="127.0.0.1:%d",address="127.0.0.1:%d",server_name="localhost",'
                  'source="config"' % (port, port))
        revoked = "portwarden_tls_cert_revoked" + labels + ',chain_pos="0"}'
        with AgentProcess(BINARY, ["--config.file=" + config]) as agent:
            text = agent.wait_for(lambda: (lambda t: t if sample_value(t, revoked) is not None
                                           else None)(agent.metrics()), what=revoked)
        self.assertEqual(sample_value(text, revoked), 1)
        self.assertEqual(sample_value(text, "portwarden_tls_crl_stale" + labels +
                                      ',chain_pos="0"}'), 0)
        self.assertEqual(sample_value(text, "portwarden_tls_ocsp_staple_info" + labels +
                                      ',status="none"}'), 1)
        self.assertEqual(sample_value(text, "portwarden_tls_group_supported" + labels +
                                      ',group="x25519"}'), 1)
        self.assertEqual(sample_value(text, "portwarden_tls_group_supported" + labels +
                                      ',group="X25519MLKEM768"}'), 0)
        check = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                               capture_output=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
