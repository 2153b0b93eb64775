"""Consistency across ports (issue 15, part 5: "standardize SSL configurations across all
secure ports") with the real daemon against two real servers of one host name, each on a
port chosen at run time: nginx on one, `openssl s_server` on the other, both serving the
same certificate for `localhost` on 127.0.0.1.

- Different configurations: nginx takes TLS 1.2 only with one suite, s_server TLS 1.2 and
  1.3 with another: portwarden_tls_posture_inconsistent{aspect="protocols"} 1 and
  {aspect="ciphers"} 1 (TLS 1.2, the version both take, picks different suites), while
  {aspect="leaf_certificate"} stays 0 and no "groups" series exists (one port has no TLS 1.3).
- The same configuration on both: every aspect 0, "groups" included.

The protocol sets and suites are cross-checked with `openssl s_client` on each port, and the
agent's own portwarden_tls_protocol_accepted with both.
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from agent_process import binary_from_env, sample_value  # noqa: E402
from posture_helpers import (VERSIONS, PkiTestCase, daemon_posture_metrics,  # noqa: E402
                             endpoint_labels, s_client_handshake)
from web_servers import Nginx, Site, SServer, free_port, iana_cipher  # noqa: E402

BINARY = binary_from_env()
FLAG = {"TLS 1.2": "-tls1_2", "TLS 1.3": "-tls1_3"}
TLS12_A = "ECDHE-ECDSA-AES256-GCM-SHA384"
TLS12_B = "ECDHE-ECDSA-AES128-GCM-SHA256"
TLS13 = "TLS_AES_128_GCM_SHA256"


def inconsistent(aspect):
    return ('portwarden_tls_posture_inconsistent{host="127.0.0.1",server_name="localhost",'
            'aspect="%s"}' % aspect)


class ConsistencyTest(PkiTestCase):
    def servers(self, nginx_protocols, nginx_cipher, s_server_cipher):
        """(nginx, s_server, their ports): nginx with `nginx_protocols` and TLS 1.2 suite
        `nginx_cipher`, s_server (TLS 1.2 and 1.3, Debian's default) with `s_server_cipher`;
        both TLS 1.3 suites TLS13."""
        ports = (free_port(), free_port())
        site = Site(ports[0], hosts=("127.0.0.1",), protocols=nginx_protocols, hsts=None,
                    tls="    ssl_ciphers %s;\n    ssl_conf_command Ciphersuites %s;\n"
                        % (nginx_cipher, TLS13))
        nginx = Nginx(os.path.join(self.dir, "nginx-%d" % ports[0]), self.pki, [site])
        s_server = SServer(self.dir, self.pki, ports[1],
                           ["-cipher", s_server_cipher, "-ciphersuites", TLS13])
        return nginx, s_server, ports

    def agent_metrics(self, ports):
        """/metrics of a daemon probing both ports, once its first posture run is published."""
        return daemon_posture_metrics(BINARY, self.path("consistency-%d.toml" % ports[0]),
                                      ports, self.pki.root)

    def accepted(self, text, port):
        return [v for v in VERSIONS if sample_value(
            text, 'portwarden_tls_protocol_accepted%s,version="%s"}' % (endpoint_labels(port), v))
            == 1]

    def s_client_view(self, port):
        """{version: IANA suite} of the TLS 1.2/1.3 handshakes `openssl s_client` completes
        on `port`."""
        view = {}
        for version, flag in FLAG.items():
            protocol, cipher, _ = s_client_handshake(port, flag)
            if protocol:
                self.assertEqual(protocol, version)
                view[version] = iana_cipher(cipher)
        return view

    def test_ports_with_different_protocols(self):
        nginx, s_server, ports = self.servers("TLSv1.2", TLS12_A, TLS12_B)
        with nginx, s_server:
            views = [self.s_client_view(port) for port in ports]
            text = self.agent_metrics(ports)
        self.assertEqual(views[0], {"TLS 1.2": iana_cipher(TLS12_A)})
        self.assertEqual(views[1], {"TLS 1.2": iana_cipher(TLS12_B), "TLS 1.3": TLS13})
        self.assertEqual(self.accepted(text, ports[0]), ["TLS 1.2"])
        self.assertEqual(self.accepted(text, ports[1]), ["TLS 1.2", "TLS 1.3"])
        self.assertEqual(sample_value(text, inconsistent("protocols")), 1, text)
        self.assertEqual(sample_value(text, inconsistent("ciphers")), 1)
        self.assertEqual(sample_value(text, inconsistent("leaf_certificate")), 0)
        self.assertIsNone(sample_value(text, inconsistent("groups")))

    def test_ports_that_agree(self):
        nginx, s_server, ports = self.servers("TLSv1.2 TLSv1.3", TLS12_B, TLS12_B)
        with nginx, s_server:
            views = [self.s_client_view(port) for port in ports]
            text = self.agent_metrics(ports)
        self.assertEqual(views[0], {"TLS 1.2": iana_cipher(TLS12_B), "TLS 1.3": TLS13})
        self.assertEqual(views[1], views[0])
        for port in ports:
            self.assertEqual(self.accepted(text, port), ["TLS 1.2", "TLS 1.3"])
        for aspect in ("protocols", "ciphers", "groups", "leaf_certificate"):
            self.assertEqual(sample_value(text, inconsistent(aspect)), 0, aspect + "\n" + text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
