"""A small real scenario for the status page and the report tests: a listener held by a
process with a hostile name, a listener that violates a rule of the test's config, a healthy
TLS endpoint (openssl s_server, certificate from a CA of the test), one whose self-signed
certificate has a hostile subject, and one that refuses connections. Standard library,
openssl and python3 only; no root needed. Use as a context manager. With
namespaces="host" the config's agent inventories its own network namespace only: run in
one of the test's own (own_netns.isolate()), it then sees the scenario's listeners and
nothing that other processes of the host (other sessions' same-named holders) listen on."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

# 15 bytes, the most /proc/<pid>/comm keeps: markup, a right-to-left override and ESC.
HOSTILE_COMM = b"<b>x\xe2\x80\xae\x1b[1m</b"
# What every human-facing output must show for it: the markup as text, the controls visible.
HOSTILE_COMM_SHOWN = "<b>x\\u{202e}\\x1b[1m</b"
HOSTILE_CN = "<script>alert(1)</script>\u202eevil"
HOSTILE_CN_SHOWN = "<script>alert(1)</script>\\u{202e}evil"

NAMED_HOLDER = r'''
import ctypes, socket, sys
if ctypes.CDLL(None, use_errno=True).prctl(15, ctypes.c_char_p(bytes.fromhex(sys.argv[1])), 0, 0, 0):
    sys.exit("prctl failed")
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
sys.stdin.read()
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Scenario:
    def __init__(self, namespaces=None):
        self.dir = tempfile.mkdtemp(prefix="portwarden-status-")
        self.procs = []
        self.namespaces = namespaces  # discovery.namespaces, or None for the default (all)

    def path(self, name):
        return os.path.join(self.dir, name)

    def __enter__(self):
        d = self.path
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "30", "-subj", "/CN=status test CA", "-keyout", d("ca.key"),
            "-out", d("ca.pem"))
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=localhost", "-keyout", d("leaf.key"), "-out", d("leaf.csr"))
        with open(d("ext.cnf"), "w") as ext:
            ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        run("openssl", "x509", "-req", "-in", d("leaf.csr"), "-CA", d("ca.pem"), "-CAkey",
            d("ca.key"), "-CAcreateserial", "-days", "20", "-extfile", d("ext.cnf"), "-out",
            d("leaf.pem"))
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "3", "-utf8", "-subj", "/CN=" + HOSTILE_CN.replace("/", "\\/"), "-keyout",
            d("hostile.key"), "-out", d("hostile.pem"))
        self.healthy_port = self._s_server("leaf")
        self.hostile_port = self._s_server("hostile")
        self.refused_port = free_port()
        holder = subprocess.Popen([sys.executable, "-c", NAMED_HOLDER, HOSTILE_COMM.hex()],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.procs.append(holder)
        self.hostile_listener_port = int(holder.stdout.readline())
        self.hostile_pid = holder.pid
        self.config = d("portwarden.toml")
        namespaces = f'namespaces = "{self.namespaces}"\n' if self.namespaces else ""
        with open(self.config, "w") as config:
            config.write(f'''[agent]
scan_interval = "2s"
probe_interval = "2s"
probe_timeout = "3s"

[discovery]
enabled = false
{namespaces}
[[endpoints]]
target = "127.0.0.1:{self.healthy_port}"
server_name = "localhost"
ca_file = "{d("ca.pem")}"

[[endpoints]]
target = "127.0.0.1:{self.hostile_port}"
server_name = "localhost"

[[endpoints]]
target = "127.0.0.1:{self.refused_port}"

[[exposure.rules]]
name = "status-test-nowhere"
ports = [{self.hostile_listener_port}]
allow = ["public"]
''')
        return self

    def _s_server(self, name):
        port = free_port()
        proc = subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-accept", f"127.0.0.1:{port}", "-cert",
             self.path(name + ".pem"), "-key", self.path(name + ".key"), "-naccept", "1000"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return port
            time.sleep(0.05)
        raise RuntimeError("s_server did not start")

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.stdin:
                proc.stdin.close()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
            if proc.stdout:
                proc.stdout.close()
        subprocess.run(["rm", "-rf", self.dir], check=False)
