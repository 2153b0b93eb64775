#!/usr/bin/env python3
"""Bounded soak: 10,000 probe cycles against the hostile + healthy set, in-process.

Run by hand (not by ctest), on loopback only:
    tests/bench/probe_soak.py build/release [--cycles 10000] [--timeout 40ms]

Starts the hostile peers of tests/integration/probe/hostile_peers_main.cc (tarpit, 1-byte/s
drip, garbage, close and RST after accept, fatal alert, HelloRequest flood,
ServerHello-then-stall, HTTP tarpits, a delaying TLS 1.3 peer) and `openssl s_server`s for the
healthy endpoints and the big certificates (a 60-certificate chain, 10,000 SANs, a 60 KB
subject, stray bytes in CN and SAN, a TLS 1.0-only server, an abort after the certificate),
plus a refused port and an unresolvable name. The hostile endpoints get a short deadline
(--timeout) so a cycle lasts about that long; the healthy ones 2 s. probe_soak_cycles then
runs the cycles back to back and prints fds, threads and RssAnon after a warm-up and at the
end (targets: growth 0 fds, 0 threads, < 1 MB).
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading


def openssl_cert(tmp, name, subject, issuer=None, ext="", req=""):
    cnf = f"{tmp}/{name}.cnf"
    with open(cnf, "w") as f:
        f.write(f"[req]\ndistinguished_name = dn\n{req}[dn]\n[ext]\n{ext}")
    cmd = ["openssl", "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-utf8", "-keyout",
           f"{tmp}/{name}.key", "-out", f"{tmp}/{name}.pem", "-subj", subject, "-config", cnf,
           "-extensions", "ext"]
    if issuer:
        cmd += ["-CA", f"{tmp}/{issuer}.pem", "-CAkey", f"{tmp}/{issuer}.key"]
    subprocess.run(cmd, check=True, capture_output=True)
    return f"{tmp}/{name}.pem", f"{tmp}/{name}.key"


CA_EXT = "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\n"
LEAF_EXT = "basicConstraints = CA:FALSE\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n"


def make_certs(tmp):
    openssl_cert(tmp, "root", "/CN=Soak Root", ext=CA_EXT)
    certs = {"leaf": openssl_cert(tmp, "leaf", "/CN=localhost", "root", LEAF_EXT)}
    issuer, rest = "root", []
    for i in range(1, 60):
        openssl_cert(tmp, f"i{i}", f"/CN=Link {i}", issuer, CA_EXT)
        issuer = f"i{i}"
        rest.insert(0, open(f"{tmp}/{issuer}.pem").read())
    certs["chain60"] = openssl_cert(tmp, "chain60", "/CN=localhost", issuer, LEAF_EXT)
    with open(f"{tmp}/chain60_rest.pem", "w") as f:
        f.write("".join(rest))
    sans = "".join(f"DNS.{i} = n{i}\n" for i in range(1, 10000))
    certs["many_sans"] = openssl_cert(tmp, "many_sans", "/CN=localhost", "root",
                                      "basicConstraints = CA:FALSE\nsubjectAltName = @alt\n"
                                      "[alt]\nDNS.0 = localhost\nIP.0 = 127.0.0.1\n" + sans)
    certs["big_subject"] = openssl_cert(tmp, "big_subject", "/CN=localhost" +
                                        "".join("/OU=" + "u" * 60 for _ in range(960)), "root",
                                        LEAF_EXT)
    pem, key = openssl_cert(tmp, "bad_utf8", "/CN=\u00ff\u00fe-cn", None,
                            "subjectAltName = DNS:localhost,DNS:hostilesanx.test\n",
                            "string_mask = nombstr\n")
    der = subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    with open(f"{tmp}/bad_utf8.der", "wb") as f:
        f.write(der.replace(b"hostilesanx", b"\xc0\xafsan\xff\xfebad\x80"))
    certs["bad_utf8"] = (f"{tmp}/bad_utf8.der", key)
    with open(f"{tmp}/leaf_bundle.pem", "w") as f:
        f.write(open(certs["leaf"][0]).read())
    return certs


class Children:
    def __init__(self):
        self.procs = []

    def start(self, argv, ready):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True)
        self.procs.append(proc)
        for line in proc.stdout:
            if line.startswith(ready):
                threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
                return line.strip()
        raise RuntimeError(f"{argv[0]} never printed {ready}")

    def s_server(self, cert, key, *extra):
        line = self.start(["openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert,
                           "-key", key, "-www", *extra], "ACCEPT")
        return int(line.rsplit(":", 1)[1])

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait()


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(tmp, certs, ch, peers, timeout):
    leaf, key = certs["leaf"]
    healthy = {
        "healthy": ch.s_server(leaf, key),
        "healthy_http": ch.s_server(leaf, key),
        "chain60": ch.s_server(*certs["chain60"], "-cert_chain", f"{tmp}/chain60_rest.pem"),
        "many_sans": ch.s_server(*certs["many_sans"]),
        "big_subject": ch.s_server(*certs["big_subject"]),
    }
    hostile = {
        "abort_after_cert": ch.s_server(leaf, key, "-Verify", "1", "-tls1_3"),
        "tls10": ch.s_server(leaf, key, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"),
        "bad_utf8": ch.s_server(*certs["bad_utf8"], "-certform", "DER"),
        "refused": closed_port(),
    }
    hostile.update(peers)
    lines = ['[agent]\nprobe_timeout = "%s"\nprobe_concurrency = 32\n' % timeout,
             "[discovery]\nenabled = false\n"]
    for name, port in {**healthy, **hostile}.items():
        lines.append(f'[[endpoints]]\ntarget = "127.0.0.1:{port}"\nserver_name = "localhost"\n'
                     f'ca_file = "{tmp}/root.pem"\n')
        if name in healthy:
            lines.append('timeout = "2s"\n')
        if name == "healthy_http" or name.startswith("http_tarpit"):
            lines.append("http = true\n")
    lines.append('[[endpoints]]\ntarget = "unresolvable.invalid:443"\n')
    with open(f"{tmp}/soak.toml", "w") as f:
        f.write("".join(lines))
    names = {f"127.0.0.1:{port}": name for name, port in {**healthy, **hostile}.items()}
    return f"{tmp}/soak.toml", names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", help="build directory, e.g. build/release")
    parser.add_argument("--cycles", type=int, default=10000)
    parser.add_argument("--timeout", default="40ms", help="deadline of the hostile endpoints")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        certs = make_certs(tmp)
        ch = Children()
        try:
            line = ch.start([f"{args.build}/tests/integration/probe/hostile_peers",
                             f"--cert={tmp}/leaf_bundle.pem", f"--key={certs['leaf'][1]}"],
                            "PEERS")
            peers = {k: int(v) for k, v in (w.split("=") for w in line.split()[1:])}
            path, names = config(tmp, certs, ch, peers, args.timeout)
            wrap = os.environ.get("SOAK_WRAP", "").split()  # e.g. "perf record -g -o f"
            out = subprocess.run([*wrap, f"{args.build}/tests/bench/probe_soak_cycles", path,
                                  str(args.cycles)], check=True, capture_output=True, text=True)
        finally:
            ch.stop()
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["last_cycle"] = {names.get(t, t): r for t, r in result["last_cycle"].items()}
    print(json.dumps(result, indent=1))
    growth = result["growth"]
    ok = growth["fds"] <= 0 and growth["threads"] <= 0 and growth["rss_anon_kb"] < 1024
    print(f"growth over {result['cycles']} cycles: {growth['fds']} fds, {growth['threads']} "
          f"threads, {growth['rss_anon_kb']} KB RssAnon -> {'OK' if ok else 'OVER TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
