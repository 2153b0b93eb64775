#!/usr/bin/env python3
"""Handshake-latency accuracy: does the agent's `handshake` phase report a known delay?

Run by hand (not by ctest: it is a timing measurement), on loopback only:
    tests/bench/handshake_latency_bench.py build/release/agent/app/portwarden [--rounds 15]

This kernel has no netem, so the delay is injected at the application level: a TCP relay
(written for this benchmark) in front of one `openssl s_server` (ECDSA P-256, TLS 1.3) holds
the server's first flight (ServerHello .. Finished) for a known 20, 50 or 200 ms before passing
it on; everything else passes at once. The TLS 1.3 handshake has one round trip, so the
handshake phase should grow by exactly the delay. For each delay, `rounds` probes of
`portwarden probe --output=json` give the median handshake phase; the same relay with no delay,
measured in the same run, is the baseline that is subtracted (the handshake's own cost and
the relay's). blackbox_exporter's `probe_http_duration_seconds{phase="tls"}` is measured the
same way, through the same relay, as the peer.

Target (issue 17): the agent's added handshake time is within 5 % + 1 ms of the injected delay.
Prints one row per delay and exits 1 if any row misses the target.
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

DELAYS_MS = (0, 20, 50, 200)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DelayingRelay:
    """Listens on loopback; relays each connection to `upstream`, holding the upstream's first
    chunk of bytes for `delay` seconds (the server's first flight). One thread per direction."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.delay = 0.0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while True:
            client, _ = self.sock.accept()
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            delay = self.delay
            threading.Thread(target=self._pump, args=(client, upstream, 0.0), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, delay), daemon=True).start()

    @staticmethod
    def _pump(src, dst, first_delay):
        try:
            first = True
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if first and first_delay > 0:
                    time.sleep(first_delay)
                first = False
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def start_server(tmp):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{tmp}/key.pem",
                    "-out", f"{tmp}/cert.pem", "-days", "30", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}",
                               "-tls1_3", "-cert", f"{tmp}/cert.pem", "-key", f"{tmp}/key.pem",
                               "-www", "-quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("s_server did not start")


def agent_handshake(binary, port, ca):
    out = subprocess.run([binary, "probe", f"127.0.0.1:{port}", "--server-name=localhost",
                          f"--ca-file={ca}", "--output=json", "--timeout=5s"],
                         capture_output=True, text=True, check=False)
    result = json.loads(out.stdout)[0]
    if not result["success"]:
        raise RuntimeError(f"probe failed: {out.stdout[:300]}")
    return result["phases"]["handshake"]


def start_blackbox(tmp, ca):
    config = f"{tmp}/blackbox.yml"
    with open(config, "w") as f:
        f.write("modules:\n  https:\n    prober: http\n    timeout: 5s\n    http:\n"
                "      method: GET\n      tls_config:\n"
                f"        ca_file: {ca}\n        server_name: localhost\n")
    port = free_port()
    proc = subprocess.Popen(["prometheus-blackbox-exporter", f"--config.file={config}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/healthy", timeout=1).read()
            return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("blackbox_exporter did not start")


def blackbox_handshake(bb_port, port):
    url = (f"http://127.0.0.1:{bb_port}/probe?module=https"
           f"&target=https://127.0.0.1:{port}/")
    body = urllib.request.urlopen(url, timeout=10).read().decode()
    if not re.search(r"^probe_success 1$", body, re.M):
        raise RuntimeError("blackbox probe failed")
    match = re.search(r'^probe_http_duration_seconds\{phase="tls"\} (\S+)$', body, re.M)
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, upstream = start_server(tmp)
        blackbox, bb_port = start_blackbox(tmp, f"{tmp}/cert.pem")
        relay = DelayingRelay(upstream)
        medians = {}
        try:
            for delay in DELAYS_MS:
                relay.delay = delay / 1000
                agent = [agent_handshake(args.binary, relay.port, f"{tmp}/cert.pem")
                         for _ in range(args.rounds)]
                peer = [blackbox_handshake(bb_port, relay.port) for _ in range(args.rounds)]
                medians[delay] = (statistics.median(agent), statistics.median(peer))
        finally:
            server.terminate()
            blackbox.terminate()
    base_agent, base_peer = medians[0]
    print(f"baseline (no delay): portwarden {base_agent * 1e3:.2f} ms, "
          f"blackbox_exporter {base_peer * 1e3:.2f} ms (median of {args.rounds})")
    print("| injected | portwarden added | error | allowed (5 % + 1 ms) | "
          "blackbox added | blackbox error |")
    print("|---|---|---|---|---|---|")
    failed = False
    for delay in DELAYS_MS[1:]:
        agent, peer = medians[delay]
        added, peer_added = (agent - base_agent) * 1e3, (peer - base_peer) * 1e3
        error, allowed = added - delay, 0.05 * delay + 1.0
        ok = abs(error) <= allowed
        failed |= not ok
        print(f"| {delay} ms | {added:.2f} ms | {error:+.2f} ms | ±{allowed:.1f} ms"
              f"{'' if ok else ' MISSED'} | {peer_added:.2f} ms | {peer_added - delay:+.2f} ms |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
