#!/usr/bin/env python3
"""CPU per endpoint per posture run, as a ratio to one probe of the same endpoint (issue 15).

Both are measured in-process by tests/bench/posture_cycles in the same run, alternating,
against the same `openssl s_server` (ECDSA P-256 chain made here): a modern server (TLS 1.2
and 1.3: the TLS 1.0/1.1 handshakes are refused after one round trip) and a legacy one (TLS
1.0 to 1.3 at security level 0: every handshake completes). The agent's CPU only (the
server runs in its own process).

  tests/bench/posture_bench.py build/release [ENDPOINTS] [ROUNDS]
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "lib"))
from web_servers import Pki, SServer, free_port  # noqa: E402

class UnlimitedSServer(SServer):
    """SServer without its -naccept cap (a bench makes thousands of connections)."""

    def command(self):
        command = super().command()
        at = command.index("-naccept")
        return command[:at] + command[at + 2:]


SERVERS = {
    "modern (TLS 1.2-1.3)": ["-min_protocol", "TLSv1.2"],
    "legacy (TLS 1.0-1.3)": ["-cipher", "DEFAULT:@SECLEVEL=0"],
}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    endpoints = sys.argv[2] if len(sys.argv) > 2 else "20"
    rounds = sys.argv[3] if len(sys.argv) > 3 else "10"
    binary = os.path.join(build, "tests", "bench", "posture_cycles")
    with tempfile.TemporaryDirectory() as tmp:
        pki = Pki(tmp, names=("localhost", "*.bench.test"))
        for name, extra in SERVERS.items():
            port = free_port()
            with UnlimitedSServer(tmp, pki, port, extra):
                out = subprocess.run([binary, "127.0.0.1", str(port), pki.root, endpoints,
                                      rounds], capture_output=True, text=True, check=True,
                                     timeout=600).stdout
            # The agent's own log lines (a refused version is logged) share stdout.
            result = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
            print("%-22s probe %.3f ms CPU, posture %.3f ms CPU per endpoint: %.2fx one probe "
                  "(%.1f versions accepted)" % (name, result["cpu_per_probe_ms"],
                                                 result["cpu_per_posture_endpoint_ms"],
                                                 result["ratio"],
                                                 result["versions_accepted_per_endpoint"]))


if __name__ == "__main__":
    main()
