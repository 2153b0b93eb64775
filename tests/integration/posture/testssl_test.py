"""The posture verdicts of `portwarden probe --posture` against testssl.sh's (Debian 12's
`testssl.sh` package, binary `testssl`), on one nginx the test starts with a deliberately
legacy configuration: TLS 1.0, 1.2 and 1.3 (not 1.1, so both tools must tell a refused
version in the middle apart), and `ALL:@SECLEVEL=0` suites, which include the anonymous
(aNULL) ones. Debian 12's OpenSSL 3.0 does serve TLS 1.0 at security level 0 (SSLv3 and SSLv2
it cannot: not built in).

testssl.sh runs offline (`--nodns none`) with `-p` (protocols, through its own sockets, not
OpenSSL) and `-s` (cipher categories), writing its verdicts with `--jsonfile`. Compared:
- each TLS version: testssl "offered" <=> portwarden accepted (portwarden_tls_protocol_accepted);
- testssl TLS1/TLS1_1 offered <=> the legacy_protocol finding;
- testssl's NULL / aNULL / EXPORT / LOW categories offered <=> the weak_cipher finding (its
  3DES_IDEA category has no equivalent Debian's OpenSSL could serve).

testssl.sh is required (.ci/install-deps.sh installs it): the test fails when it is missing.
testssl costs about 5 s of CPU (user + sys); its wall time is that plus its own socket pacing
(USLEEP_SND/USLEEP_REC, left at their defaults so a loaded machine cannot truncate a reply) and
process start-up: 21-38 s alone on a 2-core machine at load 12-16, 50 s inside `make test`.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from agent_process import binary_from_env  # noqa: E402
from web_servers import Nginx, Pki, Site, free_port  # noqa: E402

BINARY = binary_from_env()
TESTSSL_IDS = {"TLS1": "TLS 1.0", "TLS1_1": "TLS 1.1", "TLS1_2": "TLS 1.2", "TLS1_3": "TLS 1.3"}
# testssl's cipher categories that portwarden's weak list covers (docs/metrics.md, weak_cipher).
WEAK_CATEGORIES = ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW")


def testssl_binary():
    return shutil.which("testssl") or shutil.which("testssl.sh")


def offered(finding):
    """testssl's wording: "offered", "offered (deprecated)", "offered with final" versus
    "not offered", "TLSv1.1 is not offered, and downgraded to a weaker protocol"."""
    return finding.startswith("offered")


def run_testssl(workdir, port):
    """{id: finding} of `testssl -p -s` against 127.0.0.1:`port`."""
    out = os.path.join(workdir, "testssl-%d.json" % port)
    result = subprocess.run(
        [testssl_binary(), "--quiet", "--color", "0", "--warnings", "off", "--nodns", "none",
         "--connect-timeout", "10", "--openssl-timeout", "10", "-p", "-s", "--jsonfile", out,
         "127.0.0.1:%d" % port],
        cwd=workdir, capture_output=True, text=True, timeout=150)
    if not os.path.exists(out):
        raise AssertionError("testssl wrote no JSON (exit %d):\n%s%s"
                             % (result.returncode, result.stdout, result.stderr))
    with open(out) as f:
        return {entry["id"]: entry["finding"] for entry in json.load(f)}


def portwarden_posture(port, cafile):
    result = subprocess.run([BINARY, "probe", "127.0.0.1:%d" % port, "--server-name",
                             "localhost", "--ca-file", cafile, "--posture", "--output=json",
                             "--log.level=error"], capture_output=True, text=True, timeout=60)
    report = json.loads(result.stdout)
    assert len(report["posture"]) == 1, report
    return report["posture"][0]


class TestsslCrossCheck(unittest.TestCase):
    def test_protocols_and_weak_ciphers_agree_with_testssl(self):
        self.assertIsNotNone(testssl_binary(), "testssl.sh is required: run .ci/install-deps.sh")
        with tempfile.TemporaryDirectory() as workdir:
            pki = Pki(workdir)
            port = free_port()
            site = Site(port, hosts=("127.0.0.1",), protocols="TLSv1 TLSv1.2 TLSv1.3", hsts=None,
                        tls="    ssl_ciphers ALL:@SECLEVEL=0;\n")
            with Nginx(workdir, pki, [site]):
                ours = portwarden_posture(port, pki.root)
                theirs = run_testssl(workdir, port)
        self.assertTrue(ours["reached"], ours)
        accepted = {v["version"]: v["accepted"] for v in ours["versions"]}
        verdicts = {version: offered(theirs[key]) for key, version in TESTSSL_IDS.items()}
        self.assertEqual(accepted, verdicts, theirs)
        # And both see the configuration the test made.
        self.assertEqual(verdicts, {"TLS 1.0": True, "TLS 1.1": False, "TLS 1.2": True,
                                    "TLS 1.3": True})
        self.assertFalse(offered(theirs["SSLv2"]) or offered(theirs["SSLv3"]), theirs)

        findings = set(ours["findings"])
        legacy = verdicts["TLS 1.0"] or verdicts["TLS 1.1"]
        self.assertEqual("legacy_protocol" in findings, legacy)
        weak = {key: offered(theirs[key]) for key in WEAK_CATEGORIES}
        self.assertEqual("weak_cipher" in findings, any(weak.values()), weak)
        self.assertTrue(weak["cipherlist_aNULL"], theirs)  # ALL includes the anonymous suites


if __name__ == "__main__":
    unittest.main(verbosity=2)
