"""agent.probe_spread on the real binary: eight real TLS servers (Python's ssl, a test PKI made
with `openssl`, ports chosen at run time) note when each connection arrives. With a 4 s spread
the agent's second cycle arrives spread out (over at least 2 s, at most 3 arrivals in any 0.5 s)
and /metrics shows some endpoints of that cycle updated while others still carry the previous
cycle; the first cycle bursts (so /-/ready comes quickly), and so does every cycle with
probe_spread = "0s". SIGTERM in the middle of a spread window ends the agent at once. The
posture job's one run after start is let pass before arrivals count (settle()).
Timing bounds are generous (orders of magnitude, not milliseconds)."""

import os
import re
import socket
import ssl
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from agent_process import AgentProcess, binary_from_env  # noqa: E402
from web_servers import Pki  # noqa: E402

BINARY = binary_from_env()
ENDPOINTS = 8


class ArrivalServers:
    """ENDPOINTS TLS listeners on 127.0.0.1; each accepted connection is timestamped
    (time.monotonic()) and answered with a full TLS handshake."""

    def __init__(self, pki):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(pki.chain, pki.leaf_key)
        self.lock = threading.Lock()
        self.arrivals = []  # (monotonic time, port)
        self.sockets = []
        for _ in range(ENDPOINTS):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            self.sockets.append(listener)
        self.ports = [s.getsockname()[1] for s in self.sockets]
        for listener in self.sockets:
            threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        port = listener.getsockname()[1]
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.arrivals.append((time.monotonic(), port))
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(5)
            with self.context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)  # until the agent's close_notify or close
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def take(self):
        with self.lock:
            arrivals, self.arrivals = self.arrivals, []
        return sorted(arrivals)

    def count(self):
        with self.lock:
            return len(self.arrivals)

    def close(self):
        for listener in self.sockets:
            listener.close()


def config(ports, ca, interval, spread):
    text = ('[agent]\nscan_interval = "120s"\nprobe_interval = "%s"\nprobe_timeout = "2s"\n'
            'probe_spread = "%s"\njitter = 0.0\n[discovery]\nenabled = false\n' % (interval, spread))
    for port in ports:
        text += ('[[endpoints]]\ntarget = "127.0.0.1:%d"\nserver_name = "localhost"\n'
                 'ca_file = "%s"\n' % (port, ca))
    return text


TIMESTAMP = re.compile(r'^portwarden_tls_probe_timestamp_seconds\{[^}]*target="127\.0\.0\.1:(\d+)"'
                       r'[^}]*\} (\S+)$', re.M)


def timestamps(agent):
    return {int(port): float(value) for port, value in TIMESTAMP.findall(agent.metrics())}


def most_in_window(times, window):
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


class ProbeSpreadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.pki = Pki(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def start(self, servers, interval, spread):
        path = os.path.join(self.tmp.name, "spread-%s.toml" % spread)
        with open(path, "w") as out:
            out.write(config(servers.ports, self.pki.root, interval, spread))
        return AgentProcess(BINARY, ["--config.file=" + path])

    def wait_arrivals(self, agent, servers, count, timeout=40.0):
        agent.wait_for(lambda: servers.count() >= count, timeout=timeout,
                       what="%d connections" % count)

    def settle(self, agent, servers):
        """Waits for the posture job's one run after start (its handshakes, about six per
        endpoint plus one per key-exchange group, would read as probes), then forgets every
        arrival so far."""
        agent.wait_ready()
        agent.wait_for(lambda: 'collector="posture"' in agent.metrics(), timeout=40.0,
                       what="the posture run")
        time.sleep(0.5)
        servers.take()

    def cycles(self, arrivals, gap):
        """The complete cycles among `arrivals`: runs separated by more than `gap` seconds,
        each with one arrival per endpoint (a run cut by settle() is dropped)."""
        runs, run = [], []
        for arrival in arrivals:
            if run and arrival[0] - run[-1][0] > gap:
                runs.append(run)
                run = []
            run.append(arrival)
        runs.append(run)
        return [[t for t, _ in r] for r in runs
                if len(r) == ENDPOINTS and {p for _, p in r} == set(self.ports)]

    def test_a_spread_cycle_arrives_spread_out_and_publishes_as_it_goes(self):
        servers = ArrivalServers(self.pki)
        self.ports = servers.ports
        self.addCleanup(servers.close)
        with self.start(servers, "10s", "4s") as agent:
            agent.wait_ready()
            first = agent.wait_for(lambda: (lambda t: t if len(t) == ENDPOINTS else None)(
                timestamps(agent)), what="a timestamp per endpoint")
            self.assertLess(max(first.values()) - min(first.values()), 1.5,
                            "the first cycle bursts")
            self.settle(agent, servers)
            # While a spread cycle runs, some endpoints show it and others the cycle before.
            before, mixed = timestamps(agent), False
            deadline = time.monotonic() + 30.0
            while time.monotonic() < deadline:
                now = timestamps(agent)
                self.assertEqual(set(now), set(self.ports), "an endpoint's series went missing")
                newer = sum(1 for port, value in now.items() if value > before[port])
                mixed = mixed or 0 < newer < ENDPOINTS
                if newer == ENDPOINTS:
                    break
                time.sleep(0.1)
            self.assertTrue(mixed, "no scrape saw part of a cycle published")
            time.sleep(1.0)  # the cycle's last handshakes
            cycles = self.cycles(servers.take(), gap=2.0)
            self.assertTrue(cycles, "no complete cycle among the arrivals")
            times = cycles[-1]
            self.assertGreaterEqual(times[-1] - times[0], 2.0, "spread over the window")
            self.assertLessEqual(most_in_window(times, 0.5), 3, "no burst within the window")
            # The next cycle starts one interval after this one started; stop it mid-window.
            self.wait_arrivals(agent, servers, 1, timeout=30.0)
            time.sleep(0.3)
            stopped = time.monotonic()
            code = agent.stop(timeout=10.0)
            self.assertLess(time.monotonic() - stopped, 3.0, "SIGTERM waited for the window")
            self.assertEqual(code, 0, agent.log())

    def test_no_spread_bursts_every_cycle(self):
        servers = ArrivalServers(self.pki)
        self.ports = servers.ports
        self.addCleanup(servers.close)
        with self.start(servers, "4s", "0s") as agent:
            self.settle(agent, servers)
            time.sleep(9.0)  # at least one whole cycle after the settling
            cycles = self.cycles(servers.take(), gap=1.0)
            self.assertTrue(cycles, "no complete cycle among the arrivals")
            for times in cycles:
                self.assertLess(times[-1] - times[0], 1.5, "a cycle without spread bursts")


if __name__ == "__main__":
    unittest.main(verbosity=2)
