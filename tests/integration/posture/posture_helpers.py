"""What the posture tests (posture_test.py, consistency_test.py) share: a Pki in a temporary
directory per test class, `openssl s_client` handshakes, the labels of a configured endpoint,
and a daemon run until its first posture run of every port is published. Standard library,
the openssl command-line tool and the tests' lib/ only."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from agent_process import AgentProcess, sample_value  # noqa: E402
from web_servers import Pki  # noqa: E402

VERSIONS = ["TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"]


class PkiTestCase(unittest.TestCase):
    """A test class with `self.dir` (a temporary directory) and `self.pki` (a Pki in it),
    made once for the class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        cls.pki = Pki(cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)


def s_client_handshake(port, *flags):
    """(protocol, cipher, stdout) of `openssl s_client -showcerts` to 127.0.0.1:`port` (SNI
    localhost) with `flags`; protocol ("TLS 1.2") and cipher (OpenSSL's name) are None when
    the handshake did not complete."""
    out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                          "-servername", "localhost", "-showcerts", *flags],
                         input="", capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"^New, (TLSv[\d.]+), Cipher is (\S+)", out, re.M)
    protocol = re.search(r"^\s*Protocol\s*: (\S+)", out, re.M)
    if match is None:
        return None, None, out
    name = protocol.group(1) if protocol else match.group(1)
    return {"TLSv1": "TLS 1.0"}.get(name, name.replace("TLSv", "TLS ")), match.group(2), out


def endpoint_labels(port):
    """The label set (without its closing brace) of the configured endpoint 127.0.0.1:`port`,
    server name localhost, on the agent's per-endpoint series."""
    return ('{target="127.0.0.1:%d",address="127.0.0.1:%d",server_name="localhost",'
            'source="config"' % (port, port))


def daemon_posture_metrics(binary, config, ports, ca_file):
    """/metrics of a daemon (config file `config`, written here) probing 127.0.0.1:`port` for
    each of `ports` with `ca_file`, once its first posture run of every port is published."""
    with open(config, "w") as out:
        out.write('[agent]\nposture_interval = "1h"\n[discovery]\nenabled = false\n')
        for port in ports:
            out.write('[[endpoints]]\ntarget = "127.0.0.1:%d"\nserver_name = "localhost"\n'
                      'ca_file = "%s"\n' % (port, ca_file))

    def done(text):
        return all(sample_value(text, "portwarden_tls_posture_success%s}" % endpoint_labels(p))
                   == 1 for p in ports)

    with AgentProcess(binary, ["--config.file=" + config]) as agent:
        return agent.wait_for(lambda: (lambda t: t if done(t) else None)(agent.metrics()),
                              timeout=60, what="a posture run of every port")
