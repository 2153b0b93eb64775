"""What the probe benchmarks share (probe_bench.py, scale_bench.py, spread_bench.py,
scrape_bench.py): the one `openssl s_server` peer, ports, a process's CPU and memory from
/proc, the agent's probe count from /metrics, and blackbox_exporter driven with a TLS module.
Standard library only; not a benchmark by itself."""
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_kb(pid):
    status = open(f"/proc/{pid}/status").read()
    return (int(re.search(r"RssAnon:\s+(\d+)", status).group(1)),
            int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))


def wait_http(url, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            return urllib.request.urlopen(url, timeout=2).read().decode()
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} never answered")


def start_server(tmp):
    """One ECDSA P-256 / TLS 1.3 `openssl s_server -www` on 127.0.0.1 (a port of its own
    choosing), its certificate {tmp}/cert.pem valid for localhost and *.bench.test:
    (process, port)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{tmp}/key.pem",
                    "-out", f"{tmp}/cert.pem", "-days", "30", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,DNS:*.bench.test"],
                   check=True, capture_output=True)
    server = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:0", "-tls1_3",
                               "-cert", f"{tmp}/cert.pem", "-key", f"{tmp}/key.pem", "-www"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in server.stdout:
        if line.startswith("ACCEPT"):
            port = int(line.strip().rsplit(":", 1)[1])
            break
    # Keep draining stdout so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    return server, port


def probes_total(text):
    """The sum of portwarden_tls_probes_total over every series of a /metrics text."""
    return sum(float(v) for v in re.findall(r"^portwarden_tls_probes_total\{.*\} (\S+)$", text,
                                            re.M))


def start_blackbox(tmp, prefix=()):
    """prometheus-blackbox-exporter on 127.0.0.1 with one module, `tls` (TCP + TLS, IPv4,
    {tmp}/cert.pem as the CA, SNI localhost), run under the command `prefix`, once it is
    healthy: (process, its base URL)."""
    web = free_port()
    with open(f"{tmp}/blackbox.yml", "w") as f:
        f.write("modules:\n  tls:\n    prober: tcp\n    timeout: 5s\n    tcp:\n"
                "      preferred_ip_protocol: ip4\n      tls: true\n      tls_config:\n"
                f"        ca_file: {tmp}/cert.pem\n        server_name: localhost\n")
    bb = subprocess.Popen([*prefix, "prometheus-blackbox-exporter",
                           f"--config.file={tmp}/blackbox.yml",
                           f"--web.listen-address=127.0.0.1:{web}", "--log.level=error"],
                          stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{web}"
    try:
        wait_http(f"{base}/-/healthy")
    except BaseException:
        stop(bb)
        raise
    return bb, base


def stop(process):
    process.terminate()
    process.wait()
