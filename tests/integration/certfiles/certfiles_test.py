"""Certificates on disk against what is served, with the real binary and a real nginx.

nginx serves site.test on two ports from two certificate files; the agent watches one of
them through a [[certificates]] glob. The certificate is renewed on disk (a new file renamed
over the old, as certbot does) while nginx keeps serving the old one:
portwarden_tls_cert_renewed_not_served goes to 1; nginx is reloaded (SIGHUP) and the port
whose file was renewed goes back to 0, while the other port, whose file was not renewed,
stays at 1 and now presents a different leaf: portwarden_tls_posture_inconsistent 1.
Cross-checked with `openssl s_client` (served fingerprint), `keytool -list` and `openssl
pkcs12` (keystores read by the agent), and promtool. Also: nginx keeps no descriptor open on
its certificate files (why listeners are not linked to files through /proc/<pid>/fd)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "inventory"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from agent_process import AgentProcess, binary_from_env, sample_value  # noqa: E402
from privilege import skip_unprivileged  # noqa: E402
import shipped_credentials as shipped  # noqa: E402
from web_servers import free_port, run  # noqa: E402

BINARY = binary_from_env()
NAME = "site.test"


def make_cert(directory, stem):
    """A self-signed leaf for site.test (not a CA), as PEM: `stem`.pem and `stem`.key."""
    pem, key = os.path.join(directory, stem + ".pem"), os.path.join(directory, stem + ".key")
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", key, "-out", pem, "-days", "90", "-subj", "/CN=" + NAME,
         "-addext", "subjectAltName=DNS:" + NAME, "-addext", "basicConstraints=critical,CA:FALSE"])
    return pem, key


def fingerprint(pem_text):
    out = run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=pem_text).stdout
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def served_fingerprint(port):
    """The leaf nginx serves on `port`, as `openssl s_client` sees it."""
    out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                          "-servername", NAME], input="", capture_output=True, text=True,
                         timeout=20).stdout
    match = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    return fingerprint(match.group(0))


def install(source, target):
    """Replaces `target` by a copy of `source` through a rename, as certbot and deploy tools do."""
    shutil.copy(source, target + ".new")
    os.rename(target + ".new", target)


class Nginx:
    def __init__(self, directory, sites):
        self.dir = directory
        self.conf = os.path.join(directory, "nginx.conf")
        servers = "".join(
            "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name %s;\n"
            "    ssl_certificate %s;\n    ssl_certificate_key %s;\n"
            "    location / { return 200 \"ok\\n\"; }\n  }\n" % (port, NAME, pem, key)
            for port, pem, key in sites)
        temp = "".join("  %s_temp_path %s/%s;\n" % (k, directory, k)
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        with open(self.conf, "w") as out:
            out.write("worker_processes 1;\npid %s/nginx.pid;\nerror_log stderr warn;\n"
                      "events { worker_connections 64; }\nhttp {\n  access_log off;\n%s%s}\n"
                      % (directory, temp, servers))
        self.proc = subprocess.Popen(["nginx", "-e", "stderr", "-p", directory, "-c", self.conf,
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        for port, _, _ in sites:
            self.wait_serving(port)

    def wait_serving(self, port, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return served_fingerprint(port)
            except (AttributeError, subprocess.SubprocessError):
                time.sleep(0.1)
        raise RuntimeError("nginx does not serve on %d" % port)

    def pids(self):
        out = run(["pgrep", "-s", str(os.getsid(self.proc.pid))]).stdout.split()
        return [int(pid) for pid in out]

    def reload(self):
        self.proc.send_signal(1)  # SIGHUP: re-read the config and the certificates

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class RenewedNotServedTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="portwarden-certfiles-")
        os.chmod(self.dir, 0o755)
        self.live = os.path.join(self.dir, "live")
        os.makedirs(self.live)
        self.old_pem, self.old_key = make_cert(self.dir, "old")
        time.sleep(1.1)  # the renewal's notBefore is a second later
        self.new_pem, self.new_key = make_cert(self.dir, "new")
        self.site = os.path.join(self.live, "site.pem")
        self.site_key = os.path.join(self.live, "site.key")
        install(self.old_pem, self.site)
        install(self.old_key, self.site_key)
        self.other = os.path.join(self.dir, "other.pem")
        install(self.old_pem, self.other)
        self.ports = (free_port(), free_port())
        self.nginx = Nginx(self.dir, [(self.ports[0], self.site, self.site_key),
                                      (self.ports[1], self.other, self.old_key)])
        self.keystores()
        config = os.path.join(self.dir, "portwarden.toml")
        with open(config, "w") as out:
            out.write('[agent]\nscan_interval = "1s"\nprobe_interval = "1s"\n'
                      "[discovery]\nenabled = false\n")
            for port in self.ports:
                out.write('[[endpoints]]\ntarget = "127.0.0.1:%d"\nserver_name = "%s"\n'
                          % (port, NAME))
            out.write('[[certificates]]\npaths = ["%s/*.pem", "%s/missing.pem", "%s"]\n'
                      % (self.live, self.dir, self.live))
            out.write('[[certificates]]\nname = "tomcat"\npaths = ["%s/keystore.*"]\n'
                      'password_file = "%s/keystore.pass"\n' % (self.dir, self.dir))
        self.agent = AgentProcess(BINARY, ["--config.file=" + config])
        self.agent.start()
        self.agent.wait_ready()

    def tearDown(self):
        self.agent.stop()
        self.nginx.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def keystores(self):
        """keystore.jks and keystore.p12 (Tomcat's connector formats) holding the old leaf."""
        p12 = os.path.join(self.dir, "bundle.tmp")
        run(["openssl", "pkcs12", "-export", "-in", self.old_pem, "-inkey", self.old_key,
             "-name", "tomcat", "-passout", "pass:changeit", "-out", p12])
        for kind, ext in (("JKS", "jks"), ("PKCS12", "p12")):
            run(["keytool", "-importkeystore", "-srckeystore", p12, "-srcstoretype", "PKCS12",
                 "-srcstorepass", "changeit", "-destkeystore",
                 os.path.join(self.dir, "keystore." + ext), "-deststoretype", kind,
                 "-deststorepass", "changeit", "-noprompt"], timeout=60)
        with open(os.path.join(self.dir, "keystore.pass"), "w") as out:
            out.write("changeit\n")

    def series(self, port, path):
        return ('portwarden_tls_cert_renewed_not_served{target="127.0.0.1:%d",address='
                '"127.0.0.1:%d",server_name="%s",source="config",path="%s"}'
                % (port, port, NAME, path))

    def wait_value(self, series, value, what):
        self.agent.wait_for(lambda: sample_value(self.agent.metrics(), series) == value,
                            timeout=30, what=what)

    def test_renewal_then_reload(self):
        inconsistent = ('portwarden_tls_posture_inconsistent{host="127.0.0.1",server_name='
                        '"%s",aspect="leaf_certificate"}' % NAME)
        site_pem = os.path.realpath(self.site)
        old_fp, new_fp = fingerprint(open(self.old_pem).read()), fingerprint(open(self.new_pem).read())
        self.assertEqual(served_fingerprint(self.ports[0]), old_fp)

        # Before the renewal: the disk holds what is served; both ports agree.
        for port in self.ports:
            self.wait_value(self.series(port, site_pem), 0, "renewed_not_served 0 at start")
        self.wait_value(inconsistent, 0, "ports consistent at start")
        body = self.agent.metrics()
        self.assertIn('portwarden_cert_file_info{path="%s",index="0",subject_cn="%s",'
                      'issuer_cn="%s",serial=' % (site_pem, NAME, NAME), body)
        self.assertIn('fingerprint_sha256="%s"' % old_fp, body)
        # The errors: a missing file, and a directory named literally.
        self.assertEqual(sample_value(body, 'portwarden_cert_file_error{path="%s/missing.pem",'
                                            'reason="not_found"}' % self.dir), 1)
        self.assertEqual(sample_value(body, 'portwarden_cert_file_error{path="%s",'
                                            'reason="not_regular_file"}' % self.live), 1)
        self.check_keystores(body, old_fp)
        self.check_nginx_keeps_no_descriptor()
        self.check_promtool(body)

        # Renewed on disk, not reloaded: nginx still serves the old leaf.
        install(self.new_pem, self.site)
        install(self.new_key, self.site_key)
        for port in self.ports:
            self.wait_value(self.series(port, site_pem), 1, "renewed_not_served 1 after renewal")
        self.assertEqual(served_fingerprint(self.ports[0]), old_fp)
        body = self.agent.metrics()
        self.assertIn('fingerprint_sha256="%s"' % new_fp, body)
        self.assertEqual(sample_value(body, inconsistent), 0)

        # nginx reloaded: the renewed port serves the new leaf; the other file was not renewed.
        self.nginx.reload()
        # Until the old workers are gone a connection may still reach one: assert on the
        # fingerprint the loop saw last, not on one more connection.
        deadline = time.monotonic() + 20
        served = served_fingerprint(self.ports[0])
        while served != new_fp and time.monotonic() < deadline:
            time.sleep(0.1)
            served = served_fingerprint(self.ports[0])
        self.assertEqual(served, new_fp)
        self.assertEqual(served_fingerprint(self.ports[1]), old_fp)
        self.wait_value(self.series(self.ports[0], site_pem), 0, "renewed_not_served 0 after reload")
        self.wait_value(inconsistent, 1, "ports inconsistent after a partial reload")
        self.assertEqual(sample_value(self.agent.metrics(), self.series(self.ports[1], site_pem)), 1)

    def check_keystores(self, body, leaf_fp):
        """The agent's view of the keystores against keytool's and openssl's."""
        for ext, store_type in (("jks", "JKS"), ("p12", "PKCS12")):
            path = os.path.join(self.dir, "keystore." + ext)
            listed = run(["keytool", "-list", "-v", "-keystore", path, "-storetype", store_type,
                          "-storepass", "changeit"], timeout=60).stdout
            theirs = {m.replace(":", "").lower() for m in re.findall(r"SHA256: (\S+)", listed)}
            ours = set(re.findall(r'portwarden_cert_file_info\{path="%s",index="\d+",[^}]*'
                                  r'fingerprint_sha256="([0-9a-f]+)"' % re.escape(path), body))
            self.assertEqual(ours, theirs, ext)
            self.assertEqual(ours, {leaf_fp}, ext)
        pkcs12 = run(["openssl", "pkcs12", "-in", os.path.join(self.dir, "keystore.p12"),
                      "-passin", "pass:changeit", "-nokeys"]).stdout
        self.assertEqual(fingerprint(pkcs12), leaf_fp)

    def check_nginx_keeps_no_descriptor(self):
        """The reason listeners are not linked to files by /proc/<pid>/fd: servers read their
        certificates at start and reload and close them (measured here on nginx)."""
        cert_files = {os.path.realpath(p) for p in (self.site, self.site_key, self.other)}
        for pid in self.nginx.pids():
            fd_dir = "/proc/%d/fd" % pid
            for fd in os.listdir(fd_dir):
                try:
                    target = os.readlink(os.path.join(fd_dir, fd))
                except OSError:
                    continue
                self.assertNotIn(target, cert_files, "nginx pid %d holds %s" % (pid, target))

    def check_promtool(self, body):
        promtool = shutil.which("promtool")
        if promtool is None:
            self.fail("promtool not installed (Debian package prometheus)")
        lint = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)


class UnitCredentialsTest(unittest.TestCase):
    """Under the shipped unit's credentials (a non-root uid with CAP_DAC_READ_SEARCH, parsed
    from deploy/systemd/portwarden.service) a root-only certificate (0600 in a 0700
    directory, as /etc/ssl/private and /etc/letsencrypt/archive are) is read; without the
    capability it is permission_denied."""

    def setUp(self):
        if os.geteuid() != 0:
            skip_unprivileged("needs root to run the agent under other credentials (setpriv)")
        self.dir = tempfile.mkdtemp(prefix="portwarden-certfiles-")
        os.chmod(self.dir, 0o755)
        private = os.path.join(self.dir, "private")
        os.makedirs(private, mode=0o700)
        os.chmod(private, 0o700)
        self.pem, _ = make_cert(private, "site")
        os.chmod(self.pem, 0o600)
        self.config = os.path.join(self.dir, "portwarden.toml")
        with open(self.config, "w") as out:
            out.write('[agent]\nscan_interval = "1s"\n[discovery]\nenabled = false\n'
                      '[[certificates]]\npaths = ["%s"]\n' % self.pem)
        os.chmod(self.config, 0o644)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def metrics_as(self, prefix, series):
        wrapper = os.path.join(self.dir, "portwarden-as")
        with open(wrapper, "w") as script:
            script.write("#!/bin/sh\nexec " + " ".join(prefix) + " %s \"$@\"\n" % BINARY)
        os.chmod(wrapper, 0o755)
        with AgentProcess(wrapper, ["--config.file=" + self.config]) as agent:
            return agent.wait_for(lambda: (lambda body: body if series in body else None)(
                agent.metrics()), timeout=30, what=series)

    def test_unit_reads_root_only_files(self):
        body = self.metrics_as(shipped.unit_setpriv(),
                               'portwarden_cert_file_not_after_timestamp_seconds{path="%s"'
                               % self.pem)
        self.assertNotIn("portwarden_cert_file_error{", body)

    def test_without_the_capability_it_is_permission_denied(self):
        series = 'portwarden_cert_file_error{path="%s",reason="permission_denied"} 1' % self.pem
        self.assertIn(series, self.metrics_as(shipped.nobody_setpriv(), series))


if __name__ == "__main__":
    unittest.main()
