#!/usr/bin/env python3
"""HTTP front under abuse, against a peer measured in the same run: portwarden and Debian's
blackbox_exporter (Go's net/http behind exporter-toolkit) each get 300 idle connections and 50
slowloris connections (one header byte a second) while a scraper GETs /metrics on a new
connection every 0.25 s. Prints scrape latency (median, worst), the server's CPU and its
RssAnon growth during the abuse, and the ratios. Not a ctest: a measurement.

usage: tests/bench/http_abuse_bench.py build/release/agent/app/portwarden [seconds]
"""

import os
import socket
import subprocess
import sys
import threading
import time

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
BLACKBOX_CONFIG = "/etc/prometheus/blackbox.yml"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_field(pid, name):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape(port):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        while sock.recv(65536):
            pass
    return time.monotonic() - started


def wait_listening(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            scrape(port)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listening on %d" % port)


def measure(name, argv, port, seconds):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port)
        for _ in range(20):
            scrape(port)
        rss_before = status_field(proc.pid, "RssAnon")
        cpu_before = cpu_seconds(proc.pid)
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(300)]
        slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
        for sock in slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        stop = threading.Event()

        def drip():
            while not stop.wait(1.0):
                for sock in slow:
                    try:
                        sock.sendall(b"a")
                    except OSError:
                        pass

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        latencies = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            latencies.append(scrape(port))
            time.sleep(0.25)
        stop.set()
        dripper.join()
        cpu = cpu_seconds(proc.pid) - cpu_before
        rss_growth = status_field(proc.pid, "RssAnon") - rss_before
        for sock in idle + slow:
            sock.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    latencies.sort()
    return {"name": name, "scrapes": len(latencies), "median": latencies[len(latencies) // 2],
            "worst": latencies[-1], "cpu": cpu, "rss_growth_kb": rss_growth}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 15.0
    pw_port, bb_port = free_port(), free_port()
    results = [
        measure("portwarden", [sys.argv[1], "--web.listen-address=127.0.0.1:%d" % pw_port],
                pw_port, seconds),
        measure("blackbox_exporter",
                [BLACKBOX, "--config.file=" + BLACKBOX_CONFIG,
                 "--web.listen-address=127.0.0.1:%d" % bb_port], bb_port, seconds),
    ]
    print("%-18s %8s %10s %10s %10s %14s" % ("server", "scrapes", "median ms", "worst ms",
                                              "CPU s", "RssAnon +kB"))
    for r in results:
        print("%-18s %8d %10.2f %10.2f %10.3f %14d" % (r["name"], r["scrapes"], r["median"] * 1e3,
                                                       r["worst"] * 1e3, r["cpu"],
                                                       r["rss_growth_kb"]))
    pw, bb = results
    print("ratios portwarden/blackbox: median %.2fx, worst %.2fx, CPU %.2fx, RssAnon growth "
          "%.2fx" % (pw["median"] / bb["median"], pw["worst"] / bb["worst"],
                     pw["cpu"] / max(bb["cpu"], 1e-3),
                     pw["rss_growth_kb"] / max(bb["rss_growth_kb"], 1)))


if __name__ == "__main__":
    main()
