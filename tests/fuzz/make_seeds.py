#!/usr/bin/env python3
"""Writes the hand-made seeds of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*), from
tests/fixtures/ and small inputs built here; inputs libFuzzer found later sit beside them.
Re-run after changing a seed: python3 tests/fuzz/make_seeds.py (needs openssl for the DER
certificates)."""

import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "inventory")


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def baseline_seeds():
    write("baseline", "saved", """# portwarden baseline
[[listener]]
netns = "host"
proto = "tcp"
address = "0.0.0.0"
port = 22
process = "sshd"
unit = "ssh.service"
reach = "public"
rule = "remote-admin-internal"
exposure = "violation"

[[listener]]
netns = "unit:docker-1.scope"
proto = "udp"
address = "::"
port = 53
""")
    write("baseline", "bad", "[[listener]]\nnetns = \"\\u0000\"\nproto = \"sctp\"\nport = 70000\n")


def config_seeds():
    with open(os.path.join(ROOT, "deploy", "portwarden.toml"), "rb") as f:
        write("config", "deploy", f.read())
    write("config", "full", """
[agent]
scan_interval = "15s"
probe_interval = "1m30s"
probe_timeout = "5s"
probe_concurrency = 32
jitter = 0.1
[web]
listen_address = [":19443", "[::1]:0", "127.0.0.1:19443"]
telemetry_path = "/metrics"
[discovery]
tls_ports = [443, 8443]
namespaces = "host"
http = true
[inventory]
udp = false
process_walk = "procfs"
[[endpoints]]
target = "example.com:443"
server_name = "example.com"
ip_family = "ipv6"
http = true
plain_http_companion = 80
[[exposure.rules]]
name = "admin-https-internal-only"
ports = [8443, "9000-9100"]
allow = ["loopback", "private"]
[[exposure.zones]]
cidr = "10.0.0.0/8"
scope = "private"
""")
    write("config", "strings", "x = '''[[[{{{'''\ny = \"\"\"\\\"[[[\"\"\"\"\n# [[[[\n"
          "z = { a.b = [1.5, {c = 'd'}] }\n")
    write("config", "deep", "a" + ".a" * 40 + " = 1\n")
    write("config", "bad-utf8", b"[agent]\n\"\xff\xfe\" = \"\xc0\xaf\"\n")


def config_values_seeds():
    for i, text in enumerate(["15s", "1m30s", "250ms", "1y2w3d4h5m6s7ms", "0s", "10.0.0.0/8",
                              "fd00::/8", "::ffff:10.0.0.1", "192.168.1.1", "[::1]:443",
                              ":19443", "example.com:443", "[fe80::1%eth0]:0"]):
        write("config_values", str(i), text)


def inventory_seeds():
    for protocol, name in [(0, "tcp4"), (0, "tcp6"), (1, "udp4"), (1, "udp6")]:
        write("inet_diag", name, bytes([protocol]) + fixture(name + ".nldump"))
    for selector, name in [(0, "tcp"), (1, "udp"), (2, "tcp6"), (3, "udp6")]:
        write("proc_net", name, bytes([selector]) + fixture("proc_net_%s.txt" % name))
    write("proc_net", "sockstat", "\x05sockets: used 120\nTCP: inuse 5 orphan 0 tw 2 alloc 8 mem 1\n"
          "UDP: inuse 3 mem 2\nUDPLITE: inuse 0\n")
    write("proc_text", "cgroup-v2", "0::/system.slice/nginx.service\n")
    write("proc_text", "cgroup-v1", "12:pids:/docker/" + "a" * 64 + "\n"
          "1:name=systemd:/system.slice/docker-" + "0123456789ab" * 5 + "abcd.scope\n")
    write("proc_text", "stat", "1234 (nginx: worker) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 "
          "0 0 20 0 1 0 987654 10000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 "
          "0 0 0 0 0\n")


def btf_seed():
    """A kernel-like BTF: task_struct.tgid@12, file.f_inode@40 (bitfield encoding),
    inode.i_ino@64, an enum to step over, FUNC bpf_iter_task_file (as the unit test builds)."""
    strings = bytearray(b"\0")
    types = bytearray()

    def name(text):
        offset = len(strings)
        strings.extend(text.encode() + b"\0")
        return offset

    def word(value):
        types.extend(struct.pack("<I", value))

    def type_(name_off, kind, vlen, size, kflag=False):
        word(name_off)
        word((1 << 31 if kflag else 0) | (kind << 24) | vlen)
        word(size)

    type_(name("int"), 1, 0, 4)
    word(32)
    type_(name("task_struct"), 4, 2, 16)
    word(name("state")); word(1); word(0)
    word(name("tgid")); word(1); word(12 * 8)
    type_(name("file"), 4, 1, 48, kflag=True)
    word(name("f_inode")); word(1); word(40 * 8)
    type_(name("e"), 6, 2, 4)
    for _ in range(4):
        word(0)
    type_(name("inode"), 4, 2, 72)
    word(name("i_mode")); word(1); word(0)
    word(name("i_ino")); word(1); word(64 * 8)
    type_(0, 13, 1, 1)
    word(0); word(1)
    type_(name("bpf_iter_task_file"), 12, 0, 6)
    header = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    write("btf", "kernel-like", header + types + strings)


def probe_seeds():
    for i, text in enumerate(["max-age=31536000; includeSubDomains; preload", "max-age=\"300\"",
                              "MAX-AGE = 5", "max-age=-1", "includeSubDomains"]):
        write("hsts", str(i), text)
    with tempfile.TemporaryDirectory() as tmp:
        for name, key in [("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                          ("rsa", ["-newkey", "rsa:1024"])]:
            der = os.path.join(tmp, name + ".der")
            subprocess.run(["openssl", "req", "-x509", "-nodes", *key, "-keyout",
                            os.path.join(tmp, "key.pem"), "-subj", "/CN=seed.example/O=é",
                            "-addext", "subjectAltName=DNS:a.example,IP:10.0.0.1,IP:::1",
                            "-days", "30", "-outform", "DER", "-out", der],
                           check=True, capture_output=True)
            with open(der, "rb") as f:
                write("certificate", name, f.read())
    posture_chain_seeds()


def posture_chain_seeds():
    """Chains as servers send them (consecutive DER): in order, out of order, leaf alone,
    with an RSA 1024 SHA-1 leaf, clientAuth, an OCSP responder and a 399-day validity."""
    with tempfile.TemporaryDirectory() as tmp:
        def path(name):
            return os.path.join(tmp, name)

        def cert(name, issuer, extensions, key=("-newkey", "ec", "-pkeyopt",
                                                 "ec_paramgen_curve:P-256"), days=30,
                 digest="-sha256"):
            with open(path(name + ".ext"), "w") as out:
                out.write(extensions)
            if issuer is None:
                subprocess.run(["openssl", "req", "-x509", "-nodes", *key, "-keyout",
                                path(name + ".key"), "-subj", "/CN=" + name, "-days", "3650",
                                "-out",
                                path(name + ".pem"), "-addext", "basicConstraints=critical,CA:TRUE"],
                               check=True, capture_output=True)
            else:
                subprocess.run(["openssl", "req", "-new", "-nodes", *key, "-keyout",
                                path(name + ".key"), "-subj", "/CN=" + name, "-out",
                                path(name + ".csr")], check=True, capture_output=True)
                subprocess.run(["openssl", "x509", "-req", "-in", path(name + ".csr"), "-CA",
                                path(issuer + ".pem"), "-CAkey", path(issuer + ".key"),
                                "-CAcreateserial", "-days", str(days), digest, "-extfile",
                                path(name + ".ext"), "-out", path(name + ".pem")],
                               check=True, capture_output=True)
            return subprocess.run(["openssl", "x509", "-in", path(name + ".pem"), "-outform",
                                   "DER"], check=True, capture_output=True).stdout

        root = cert("root", None, "")
        inter = cert("int", "root", "basicConstraints=critical,CA:TRUE\n")
        leaf = cert("leaf", "int", "subjectAltName=DNS:a.example\n")
        odd = cert("odd", "int", "extendedKeyUsage=serverAuth,clientAuth\n"
                   "authorityInfoAccess=OCSP;URI:http://ocsp.example/\n", days=399)
        weak = cert("weak", "int", "basicConstraints=CA:FALSE\n", key=("-newkey", "rsa:1024"),
                    digest="-sha1")
        write("posture_chain", "in-order", leaf + inter + root)
        write("posture_chain", "out-of-order", leaf + root + inter)
        write("posture_chain", "leaf-alone", leaf)
        write("posture_chain", "extensions-399-days", odd + inter)
        write("posture_chain", "rsa1024-sha1", weak + inter)


def cert_file_seeds():
    """Keystores and certificate files as operators make them (openssl, keytool), from the
    certfiles unit tests' generator, plus a hand-built JCEKS with a secret-key entry."""
    script = os.path.join(ROOT, "tests", "unit", "certfiles", "make_cert_files.sh")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "files")
        subprocess.run([script, out], check=True, capture_output=True)
        for name in ["keystore.jks", "keystore.p12", "bundle.p12", "nopass.p12", "chain.pem",
                     "chain.der"]:
            with open(os.path.join(out, name), "rb") as f:
                write("cert_file", name, f.read())
    jceks = struct.pack(">III", 0xCECECECE, 2, 1) + struct.pack(">I", 3) + \
        struct.pack(">H", 1) + b"k" + bytes(8) + bytes(16) + bytes(20)
    write("cert_file", "jceks-secret", jceks)


def server_hello_seeds():
    """ServerHello, HelloRetryRequest and alert records as group detection reads them."""
    hrr_random = bytes.fromhex(
        "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

    def ext(kind, data):
        return struct.pack(">HH", kind, len(data)) + data

    def hello(random, extensions):
        body = b"\x03\x03" + random + b"\x20" + b"\xbb" * 32 + b"\x13\x01\x00"
        body += struct.pack(">H", len(extensions)) + extensions
        return b"\x02" + struct.pack(">I", len(body))[1:] + body

    def records(kind, payload, fragment=16384):
        out = b""
        for at in range(0, len(payload), fragment):
            piece = payload[at:at + fragment]
            out += struct.pack(">BHH", kind, 0x0303, len(piece)) + piece
        return out

    versions = ext(43, b"\x03\x04")
    for name, group, size in [("x25519", 0x001D, 32), ("mlkem", 0x11EC, 1120)]:
        share = ext(51, struct.pack(">HH", group, size) + b"\x5a" * size)
        message = hello(b"\x77" * 32, versions + share)
        write("server_hello", "sh-" + name, records(0x16, message) + b"\x14\x03\x03\x00\x01\x01")
        write("server_hello", "fragmented-" + name, records(0x16, message, 97))
    write("server_hello", "hrr", records(0x16, hello(hrr_random, versions + ext(51, b"\x00\x17"))))
    write("server_hello", "tls12", records(0x16, hello(b"\x44" * 32, b"")))
    write("server_hello", "alert", records(0x15, b"\x02\x28"))
    write("server_hello", "http", "HTTP/1.1 400 Bad Request\r\n\r\n")


def json_seeds():
    write("json_escape", "plain", "nginx: worker process")
    write("json_escape", "escapes", "quote\" back\\slash\n\r\t\x01\x1f\x7f")
    write("json_escape", "utf8", "héllo wörld ✓ 𝄞")
    write("json_escape", "invalid", b"\xff\xc0\xaf\xed\xa0\x80")
    write("json_escape", "c1-and-separators", "\u0085\u009f\u2028\u2029")
    for target in ("html_escape", "terminal_escape"):
        write(target, "markup", "<script>alert('x') & \"y\"</script>")
        write(target, "controls", "\x1b[31mred\x1b[0m\t\n\r\x00\x7f\u0085")
        write(target, "bidi", "abc\u202edcba\u2066x\u2069\u200e\u061c")
        write(target, "invalid", b"\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80")
    write("text_sanitize", "short-cap", b"\x03\x00h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93")
    write("text_sanitize", "invalid", b"\x40\x00\xff\x00\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80a")
    write("text_sanitize", "long", b"\x10\x00" + "𝄞".encode() * 20)


def web_seeds():
    with open(os.path.join(ROOT, "deploy", "web-config.example.yml"), "rb") as f:
        write("web_config", "deploy-example", f.read())
    write("web_config", "full", """tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS12
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  client_allowed_sans: [client.example]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
basic_auth_users:
  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
rate_limit:
  burst: 10
  interval: 1s
""")
    write("web_config", "flow", "{tls_server_config: {cert: x, key: y}, basic_auth_users: {a: b}}")
    # The first byte sets the read size (1 + byte % 16); the rest is what a client sends.
    write("http_request", "get", "\x03GET /metrics HTTP/1.1\r\nHost: a\r\nAccept-Encoding: "
          "gzip\r\n\r\n")
    write("http_request", "pipelined", "\x00GET / HTTP/1.1\r\n\r\nPOST /-/reload HTTP/1.0\r\n"
          "Content-Length: 3\r\n\r\nabcGET /x?y HTTP/1.1\r\nConnection: close\r\n\r\n")
    write("http_request", "chunked", "\x07POST /-/reload HTTP/1.1\r\nTransfer-Encoding: chunked"
          "\r\n\r\n4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n")
    write("http_request", "h2-preface", "\x0fPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    write("http_request", "folded", "\x01\r\nGET / HTTP/1.1\r\nX: a\r\n b\r\nContent-Length: 1\r\n"
          "Content-Length: 2\r\n\r\nab")


def nft_gen_seeds():
    # The sequence number (4 bytes), then the kernel's answer to NFT_MSG_GETGEN.
    def attr(kind, payload):
        return struct.pack("=HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)
    body = (struct.pack("=BBH", 0, 0, 0) + attr(2, struct.pack(">I", 1234)) +
            attr(3, b"nft\0") + attr(1, struct.pack(">I", 42)))
    newgen = struct.pack("=IHHII", 16 + len(body), (10 << 8) | 15, 0, 1, 0) + body
    write("nft_gen", "newgen", struct.pack("=I", 1) + newgen)
    error = struct.pack("=i", -1) + b"\0" * 16
    write("nft_gen", "eperm", struct.pack("=I", 1) +
          struct.pack("=IHHII", 16 + len(error), 2, 0, 1, 0) + error)


RULE_DUMP = """
import socket, struct, sys
sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
request = struct.pack("=IHHIIBBH", 20, (10 << 8) | 7, 0x301, 1, 0, 0, 0, 0)  # GETRULE dump
sock.sendto(request, (0, 0))
out, done = b"", False
while not done:
    chunk = sock.recv(65536)
    out += chunk
    at = 0
    while at + 16 <= len(chunk):
        length, kind = struct.unpack_from("=IH", chunk, at)
        done = done or kind == 3  # NLMSG_DONE
        at += max(16, (length + 3) & ~3)
sys.stdout.buffer.write(out)
"""


def nft_rule_dump_seeds():
    """A real NFT_MSG_GETRULE dump of Docker's rules loaded by iptables-nft-restore (xt compat
    expressions), behind the 4-byte sequence number. Needs root and iptables-nft."""
    import shutil
    if os.geteuid() != 0 or not shutil.which("iptables-nft-restore"):
        print("nft_rule_dump seeds: need root and iptables-nft; skipped")
        return
    name = "pwdump%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "iptables-nft-restore"],
                       input=open(os.path.join(ROOT, "tests", "fixtures", "firewall",
                                               "docker_iptables_nft.txt"), "rb").read(),
                       check=True)
        dump = subprocess.run(["ip", "netns", "exec", name, sys.executable, "-c", RULE_DUMP],
                              check=True, capture_output=True).stdout
        write("nft_rule_dump", "docker", struct.pack("=I", 1) + dump)
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


XT_RULES = [
    ["-P", "INPUT", "DROP"],
    ["-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
    ["-A", "INPUT", "-i", "veth+", "-p", "tcp", "--dport", "443", "-j", "ACCEPT"],
    ["-A", "INPUT", "-s", "10.0.0.0/8", "-p", "udp", "--dport", "53", "-j", "ACCEPT"],
    ["-N", "users"],
    ["-A", "users", "!", "-s", "10.0.0.0/8", "-j", "RETURN"],
    ["-A", "users", "-j", "ACCEPT"],
    ["-A", "INPUT", "-p", "tcp", "--dport", "2222", "-j", "users"],
    ["-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "9000:9010,9100", "-g", "users"],
    ["-A", "INPUT", "-p", "tcp", "-m", "state", "--state", "NEW", "-m", "limit", "--limit",
     "5/s", "-j", "LOG"],
    ["-A", "INPUT", "-p", "tcp", "--syn", "-j", "REJECT"],
    ["-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "DNAT",
     "--to-destination", "{dnat}"],
]


def xt_table_seeds():
    """Real images: rules loaded by iptables-legacy in a namespace made here, read back with
    IPT_SO_GET_INFO/GET_ENTRIES (and IP6T_) as the agent does. Needs root and iptables-legacy;
    skipped (the committed seeds stay) otherwise."""
    import ctypes
    import shutil
    if os.geteuid() != 0 or not shutil.which("iptables-legacy"):
        print("xt_table seeds: need root and iptables-legacy; skipped")
        return
    libc = ctypes.CDLL(None, use_errno=True)
    name = "pwseeds%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for command, dnat in (("iptables-legacy", "10.0.0.2:80"), ("ip6tables-legacy", "[fd00::2]:80")):
            for rule in XT_RULES:
                rule = [part.replace("{dnat}", dnat) for part in rule]
                if command == "ip6tables-legacy":
                    rule = [part.replace("10.0.0.0/8", "fd00::/8") for part in rule]
                subprocess.run(["ip", "netns", "exec", name, command, "-w", *rule], check=True)
        for ipv6 in (False, True):
            xt_read_tables(libc, name, ipv6, ("filter", "nat"), "ipv6" if ipv6 else "ipv4")
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def xt_proto_all_seed():
    """`ip6tables-legacy -p all` as the kernel holds it: proto 0 with IP6T_F_PROTO (a rule that
    matches every packet). Needs root and ip6tables-legacy; skipped otherwise."""
    import ctypes
    import shutil
    if os.geteuid() != 0 or not shutil.which("ip6tables-legacy"):
        print("xt_table -p all seed: need root and ip6tables-legacy; skipped")
        return
    libc = ctypes.CDLL(None, use_errno=True)
    name = "pwseedsall%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        for rule in (["-P", "INPUT", "DROP"], ["-A", "INPUT", "-p", "all", "-j", "ACCEPT"]):
            subprocess.run(["ip", "netns", "exec", name, "ip6tables-legacy", "-w", *rule],
                           check=True)
        xt_read_tables(libc, name, True, ("filter",), "ipv6-proto-all")
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def xt_read_tables(libc, name, ipv6, tables, prefix):
    """Enters namespace `name` (this process stays in it: make_seeds.py ends soon after) and
    writes each of its `tables` of one family as an xt_table seed "PREFIX-TABLE"."""
    import ctypes
    import socket
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    libc.setns(fd, 0x40000000)
    os.close(fd)
    family, level = (socket.AF_INET6, 41) if ipv6 else (socket.AF_INET, 0)
    sock = socket.socket(family, socket.SOCK_DGRAM)
    for index, table in enumerate(tables):
        info = ctypes.create_string_buffer(84)
        info.raw = table.encode().ljust(84, b"\0")
        length = ctypes.c_uint32(84)
        libc.getsockopt(sock.fileno(), level, 64, info, ctypes.byref(length))
        hooks = info.raw[32:76]
        size = struct.unpack("=I", info.raw[80:84])[0]
        entries = ctypes.create_string_buffer(40 + size)
        ctypes.memmove(entries, table.encode() + b"\0" * (32 - len(table)) +
                       struct.pack("=I", size), 36)
        length = ctypes.c_uint32(40 + size)
        if libc.getsockopt(sock.fileno(), level, 65, entries, ctypes.byref(length)) != 0:
            raise OSError(ctypes.get_errno(), "get entries")
        write("xt_table", "%s-%s" % (prefix, table),
              bytes([int(ipv6) | (index << 1)]) + hooks + entries.raw[40:])
    sock.close()


if __name__ == "__main__":
    nft_gen_seeds()
    nft_rule_dump_seeds()
    web_seeds()
    baseline_seeds()
    config_seeds()
    config_values_seeds()
    inventory_seeds()
    btf_seed()
    probe_seeds()
    cert_file_seeds()
    server_hello_seeds()
    json_seeds()
    xt_proto_all_seed()  # these two last: they leave this process in a namespace they made
    xt_table_seeds()
