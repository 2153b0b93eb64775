"""Real Debian web servers for integration tests: nginx and Apache httpd (and `openssl
s_server`), each run in the foreground from a config written into a temporary directory, on
ports chosen at run time, optionally inside a network namespace (a command prefix such as
`ip netns exec NAME`). Also a certificate chain made at test time (root -> intermediate ->
leaf, plus a separate client CA), and the independent tools the probes are compared with:
`curl -sI`, `openssl s_client`, `openssl x509 -enddate`.

Standard library and the openssl/curl command-line tools only.
"""

import calendar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

APACHE_MODULES = "/usr/lib/apache2/modules"
# mod_mpm_event: the process model; authz_core: `Require`; dir: `DirectoryIndex`; ssl and
# socache_shmcb (its session cache); headers: HSTS; alias: `Redirect`; rewrite: `RewriteRule`.
APACHE_LOAD = ["mpm_event", "authz_core", "dir", "ssl", "socache_shmcb", "headers", "alias",
               "rewrite"]
LEAF_DAYS = 47
INTERMEDIATE_DAYS = 200

CONNECT = "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)"


def run(args, timeout=30, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=True,
                          **kwargs)


def free_port():
    """A TCP port free on both 127.0.0.1 and ::1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET) as v4, socket.socket(socket.AF_INET6) as v6:
            v4.bind(("127.0.0.1", 0))
            port = v4.getsockname()[1]
            try:
                v6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


class Pki:
    """Root CA -> intermediate CA -> leaf (ECDSA P-256) for `names`, and a client CA with one
    client certificate, written as PEM files into `directory`."""

    def __init__(self, directory, names=("localhost", "a.test", "b.test"),
                 ips=("127.0.0.1", "::1")):
        self.dir = directory
        self.root = self._path("root.pem")
        self.intermediate = self._path("intermediate.pem")
        self.leaf = self._path("leaf.pem")
        self.leaf_key = self._path("leaf.key")
        self.chain = self._path("chain.pem")  # leaf + intermediate, as servers send it
        self.client_ca = self._path("client-ca.pem")
        self.client_cert = self._path("client.pem")
        self.client_key = self._path("client.key")
        self._self_signed("root", "portwarden test root")
        self._signed("intermediate", "portwarden test intermediate", "root", INTERMEDIATE_DAYS,
                     "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                     "keyUsage=critical,keyCertSign,cRLSign\n")
        san = ",".join(["DNS:" + n for n in names] + ["IP:" + ip for ip in ips])
        self._signed("leaf", "localhost", "intermediate", LEAF_DAYS,
                     "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                     "extendedKeyUsage=serverAuth\nsubjectAltName=" + san + "\n")
        self._self_signed("client-ca", "portwarden test client root")
        self._signed("client", "portwarden test client", "client-ca", 30,
                     "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
        with open(self.chain, "w") as out:
            for part in (self.leaf, self.intermediate):
                with open(part) as pem:
                    out.write(pem.read())

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _key_args(self, name):
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self._path(name + ".key")]

    def _self_signed(self, name, cn):
        run(["openssl", "req", "-x509", *self._key_args(name), "-out", self._path(name + ".pem"),
             "-days", "3650", "-subj", "/CN=" + cn,
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"])

    def _signed(self, name, cn, issuer, days, extensions):
        ext = self._path(name + ".ext")
        with open(ext, "w") as out:
            out.write(extensions)
        csr = self._path(name + ".csr")
        run(["openssl", "req", "-new", *self._key_args(name), "-out", csr, "-subj", "/CN=" + cn])
        run(["openssl", "x509", "-req", "-in", csr, "-CA", self._path(issuer + ".pem"),
             "-CAkey", self._path(issuer + ".key"), "-CAcreateserial", "-days", str(days),
             "-extfile", ext, "-out", self._path(name + ".pem")])

    def not_after(self, pem):
        """NotAfter of a PEM file, Unix seconds, as `openssl x509 -enddate` reads it."""
        return x509_not_after(open(pem).read())


def x509_not_after(pem_text):
    out = run(["openssl", "x509", "-noout", "-enddate"], input=pem_text).stdout
    stamp = out.strip().split("=", 1)[1]  # "Jan 17 07:00:00 2027 GMT"
    return calendar.timegm(time.strptime(stamp, "%b %d %H:%M:%S %Y %Z"))


class Site:
    """One HTTPS virtual host plus, optionally, its plain-HTTP companion.

    `redirect` is the companion's server-specific directive (nginx: `return 301
    https://$host$request_uri;`; Apache: `Redirect permanent / https://localhost/`); None
    for no companion. `hosts` are the bind addresses ("127.0.0.1", "::1", "0.0.0.0", "::")."""

    def __init__(self, https_port, http_port=None, redirect=None,
                 hsts="max-age=63072000; includeSubDomains", client_ca=None,
                 hosts=("127.0.0.1", "::1"), protocols="TLSv1.2 TLSv1.3", extra="", tls=""):
        self.https_port = https_port
        self.http_port = http_port
        self.redirect = redirect
        self.hsts = hsts
        self.client_ca = client_ca
        self.hosts = hosts
        self.protocols = protocols
        self.extra = extra  # more directives for the plain-HTTP server block
        self.tls = tls  # more directives for the HTTPS server block (nginx only)


def bracket(host):
    return "[%s]" % host if ":" in host else host


class _Server:
    """A web server process in the foreground; a context manager."""

    name = "server"

    def __init__(self, workdir, pki, sites, prefix=()):
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(workdir, 0o755)  # workers run as nobody and read the document root
        os.chmod(self.dir, 0o755)
        self.pki = pki
        self.sites = sites
        self.prefix = list(prefix)
        self.proc = None
        self.log_path = os.path.join(self.dir, "stderr.log")

    def command(self):
        raise NotImplementedError

    def __enter__(self):
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen([*self.prefix, *self.command()], stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        try:
            self._wait_listening()
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log(self):
        with open(self.log_path) as log:
            return log.read()

    def _wait_listening(self, timeout=20.0):
        pending = []
        for site in self.sites:
            for port in (site.https_port, site.http_port):
                if port:
                    for host in site.hosts:
                        pending.append(({"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host),
                                        port))
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited (%d):\n%s" % (self.name, self.proc.returncode,
                                                            self.log()))
            host, port = pending[0]
            probe = subprocess.run([*self.prefix, sys.executable, "-c", CONNECT, host, str(port)],
                                   capture_output=True)
            if probe.returncode == 0:
                pending.pop(0)
            else:
                time.sleep(0.05)
        if pending:
            raise RuntimeError("%s does not listen on %s:\n%s" % (self.name, pending, self.log()))


class Nginx(_Server):
    """nginx -p DIR -c nginx.conf -g 'daemon off;' (Debian's `nginx` package: ssl, http2 and
    headers are built in)."""

    name = "nginx"

    def command(self):
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as out:
            out.write(self.config())
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-e", "stderr", "-p", self.dir,
                "-c", conf, "-g", "daemon off;"]

    def config(self):
        d = self.dir
        temp = "".join("  %s_temp_path %s/%s;\n" % (kind, d, kind)
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        servers = []
        for site in self.sites:
            listen = "".join("    listen %s:%d ssl%s;\n" % (
                bracket(h), site.https_port, " ipv6only=on" if h == "::" else "")
                             for h in site.hosts)
            verify = ("    ssl_verify_client optional;\n    ssl_client_certificate %s;\n"
                      % site.client_ca) if site.client_ca else ""
            hsts = ('    add_header Strict-Transport-Security "%s" always;\n' % site.hsts
                    if site.hsts else "")
            servers.append(
                "  server {\n%s    server_name localhost;\n"
                "    ssl_certificate %s;\n    ssl_certificate_key %s;\n"
                "    ssl_protocols %s;\n%s%s%s"
                "    location / { return 200 \"ok\\n\"; }\n  }\n"
                % (listen, self.pki.chain, self.pki.leaf_key, site.protocols, verify, hsts,
                   site.tls))
            if site.http_port:
                listen = "".join("    listen %s:%d%s;\n" % (
                    bracket(h), site.http_port, " ipv6only=on" if h == "::" else "")
                                 for h in site.hosts)
                servers.append("  server {\n%s%s    %s\n  }\n"
                               % (listen, site.extra, site.redirect or
                                  'location / { return 200 "plain\\n"; }'))
        return ("worker_processes 1;\npid %s/nginx.pid;\nerror_log stderr warn;\n"
                "events { worker_connections 64; }\n"
                "http {\n  access_log off;\n%s%s}\n" % (d, temp, "".join(servers)))


class Apache(_Server):
    """apache2 -f httpd.conf -DFOREGROUND with only the modules it needs, loaded from Debian's
    module directory (no apache2ctl, no /etc/apache2)."""

    name = "apache"

    def command(self):
        conf = os.path.join(self.dir, "httpd.conf")
        with open(conf, "w") as out:
            out.write(self.config())
        return [shutil.which("apache2") or "/usr/sbin/apache2", "-f", conf, "-DFOREGROUND"]

    def config(self):
        d = self.dir
        www = os.path.join(d, "www")
        os.makedirs(www, exist_ok=True)
        os.chmod(www, 0o755)
        with open(os.path.join(www, "index.html"), "w") as page:
            page.write("ok\n")
        lines = ['ServerRoot "%s"' % d, 'PidFile "%s/httpd.pid"' % d,
                 'DefaultRuntimeDir "%s"' % d, "Mutex file:%s default" % d,
                 "ServerName localhost", "ErrorLog /proc/self/fd/2", "LogLevel warn"]
        lines += ["LoadModule %s_module %s/mod_%s.so" % (m, APACHE_MODULES, m)
                  for m in APACHE_LOAD]
        if os.geteuid() == 0:
            lines += ["User nobody", "Group nogroup"]
        lines += ["StartServers 1", "ServerLimit 1", "ThreadsPerChild 8",
                  "MaxRequestWorkers 8", "MinSpareThreads 1", "MaxSpareThreads 8",
                  'SSLSessionCache "shmcb:%s/ssl_scache(65536)"' % d,
                  'DocumentRoot "%s"' % www, "DirectoryIndex index.html",
                  '<Directory "%s">\n  Require all granted\n</Directory>' % www]
        for site in self.sites:
            lines += self._site(site)
        return "\n".join(lines) + "\n"

    def _site(self, site):
        addresses = lambda port: " ".join("%s:%d" % (bracket(h), port) for h in site.hosts)
        lines = ["Listen %s:%d" % (bracket(h), site.https_port) for h in site.hosts]
        lines += ["<VirtualHost %s>" % addresses(site.https_port), "  SSLEngine on",
                  "  SSLCertificateFile %s" % self.pki.chain,
                  "  SSLCertificateKeyFile %s" % self.pki.leaf_key,
                  "  SSLProtocol -all " + " ".join("+" + p for p in site.protocols.split())]
        if site.hsts:
            lines.append('  Header always set Strict-Transport-Security "%s"' % site.hsts)
        if site.client_ca:
            lines += ["  SSLVerifyClient optional", "  SSLVerifyDepth 2",
                      "  SSLCACertificateFile %s" % site.client_ca]
        lines.append("</VirtualHost>")
        if site.http_port:
            lines += ["Listen %s:%d" % (bracket(h), site.http_port) for h in site.hosts]
            lines += ["<VirtualHost %s>" % addresses(site.http_port), site.extra,
                      "  " + (site.redirect or ""), "</VirtualHost>"]
        return lines


class SServer(_Server):
    """`openssl s_server -www` with the same chain, on `sites[0].https_port`, 127.0.0.1."""

    name = "s_server"

    def __init__(self, workdir, pki, port, extra=()):
        super().__init__(workdir, pki, [Site(port, hosts=("127.0.0.1",))])
        self.extra = list(extra)

    def command(self):
        return ["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.sites[0].https_port,
                "-cert", self.pki.leaf, "-key", self.pki.leaf_key, "-cert_chain",
                self.pki.intermediate, "-www", "-quiet", "-naccept", "1000", *self.extra]


def curl_head(url, cacert=None, connect_to=None):
    """`curl -sI URL`: (status, {lowercased header: value}) of the first response."""
    args = ["curl", "-sI", "--max-time", "10", url]
    if cacert:
        args += ["--cacert", cacert]
    if connect_to:
        args += ["--connect-to", connect_to]
    out = run(args).stdout
    lines = [line.rstrip("\r") for line in out.splitlines()]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.setdefault(name.strip().lower(), value.strip())
    return status, headers


_STDNAMES = None


def iana_cipher(openssl_name):
    """The IANA (RFC) name of an OpenSSL cipher name, from `openssl ciphers -stdname`."""
    global _STDNAMES
    if _STDNAMES is None:
        _STDNAMES = {}
        for line in run(["openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL"]).stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[1] == "-":
                _STDNAMES[parts[2]] = parts[0]
    return _STDNAMES.get(openssl_name, openssl_name)


def s_client(port, server_name, cafile, host="127.0.0.1", extra=()):
    """`openssl s_client -showcerts`: protocol ("TLS 1.3"), IANA cipher, verify code, the
    presented chain (PEM texts) and the leaf's NotAfter per `openssl x509 -enddate`."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", "%s:%d" % (bracket(host), port), "-servername",
         server_name, "-CAfile", cafile, "-showcerts", *extra],
        input="", capture_output=True, text=True, timeout=30)
    out = result.stdout
    # The "New, ..." line is printed for every handshake (the SSL-Session block, in TLS 1.3,
    # only once a session ticket came).
    negotiated = re.search(r"^New, (\S+), Cipher is (\S+)", out, re.M)
    if negotiated is None:
        raise AssertionError("s_client did not complete a handshake:\n" + out + result.stderr)
    protocol, cipher = negotiated.groups()
    verify = int(re.search(r"Verify return code: (\d+)", out).group(1))
    chain = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    return {"version": protocol.replace("TLSv", "TLS "), "cipher": iana_cipher(cipher),
            "verify": verify, "chain": chain, "leaf_not_after": x509_not_after(chain[0] + "\n")}


class Netns:
    """A network namespace made by the test (`ip netns add`), loopback up; removed on exit."""

    def __init__(self, name):
        self.name = name
        self.prefix = ["ip", "netns", "exec", name]

    def __enter__(self):
        run(["ip", "netns", "add", self.name])
        run([*self.prefix, "ip", "link", "set", "lo", "up"])
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)
