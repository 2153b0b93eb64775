"""The owner of a pre-forking server's listener is its master, not a worker, even when a
worker's pid is lower than the master's (as after a pid wrap): a real nginx (master as root,
workers as nobody) whose workers are re-forked with `SIGHUP` after /proc/sys/kernel/ns_last_pid
was set below the master's pid. Checked as root and under the systemd unit's credentials, and
against `ss -Htlnp` (which lists every holder).
Usage: inventory_owner_test.py PORTWARDEN_BINARY"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import shipped_credentials as shipped  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from privilege import skip_unprivileged  # noqa: E402

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "portwarden"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """daemon off;
master_process on;
worker_processes 2;
user nobody nogroup;
pid {prefix}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 16; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
  server {{ listen 127.0.0.1:{port}; return 204; }}
}}
"""


def require():
    missing = [why for ok, why in ((os.geteuid() == 0, "root"),
                                   (os.path.exists(NGINX), "nginx"),
                                   (os.access("/proc/sys/kernel/ns_last_pid", os.W_OK),
                                    "a writable ns_last_pid")) if not ok]
    if missing:
        skip_unprivileged("needs " + ", ".join(missing))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
        return sorted(int(p) for p in f.read().split())


def free_pid_below(limit):
    """A pid p < limit with p..p+3 unused, to make the next forks land there."""
    for p in range(limit - 8, 300, -1):
        if not any(os.path.exists(f"/proc/{q}") for q in range(p, p + 4)):
            return p
    return None


class MasterOwnsTest(unittest.TestCase):
    def setUp(self):
        self.prefix = tempfile.mkdtemp(prefix="pw-nginx-")
        os.chmod(self.prefix, 0o755)
        self.port = free_port()
        with open(os.path.join(self.prefix, "nginx.conf"), "w", encoding="utf-8") as conf:
            conf.write(CONFIG.format(prefix=self.prefix, port=self.port))
        self.nginx = subprocess.Popen([NGINX, "-p", self.prefix, "-c", "nginx.conf"],
                                      stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while len(children(self.nginx.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(children(self.nginx.pid)), 2)

    def tearDown(self):
        self.nginx.terminate()
        self.nginx.wait(timeout=20)
        shutil.rmtree(self.prefix, ignore_errors=True)

    def reload_with_low_worker_pids(self):
        """Re-forks the workers with pids below the master's; retried, since other processes
        on the machine fork too."""
        master = self.nginx.pid
        for _ in range(20):
            low = free_pid_below(master)
            if low is None:
                self.fail("no free pid below the master's")
            old = set(children(master))
            with open("/proc/sys/kernel/ns_last_pid", "w", encoding="ascii") as f:
                f.write(str(low - 1))
            self.nginx.send_signal(1)  # SIGHUP: new workers, old ones finish and exit
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                now = set(children(master))
                if len(now - old) == 2 and not (now & old):
                    break
                time.sleep(0.05)
            if any(pid < master for pid in children(master)):
                return children(master)
        self.fail("could not get a worker pid below the master's")

    def owner(self, prefix):
        result = subprocess.run([*prefix, BINARY, "scan", "--output=json"], capture_output=True,
                                text=True, timeout=60, check=True)
        (listener,) = [l for l in json.loads(result.stdout)
                       if l["netns"] == "host" and l["port"] == self.port]
        return listener["process"]

    def test_master_not_lowest_worker(self):
        workers = self.reload_with_low_worker_pids()
        master = self.nginx.pid
        ss = subprocess.run(["ss", "-Htlnp", f"sport = :{self.port}"], capture_output=True,
                            text=True, check=True).stdout
        for pid in [master, *workers]:
            self.assertIn(f"pid={pid},", ss)  # every process holds the socket
        for prefix in ([], shipped.unit_setpriv()):
            process = self.owner(prefix)
            self.assertEqual(process["pid"], master, (prefix, workers, process))
            self.assertEqual(process["comm"], "nginx")
            self.assertGreaterEqual(process["holder_count"], 2)


if __name__ == "__main__":
    sys.argv = sys.argv[:1]
    require()
    unittest.main()
