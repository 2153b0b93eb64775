"""Every README example runs as written (issue 16), and every TOML example of
docs/configuration.md passes `--config.check`.

The README's command lines are the `portwarden ...` lines of its ```sh blocks (`make` and
other commands are left out). Each runs against the built binary, in README order, from a
scratch directory laid out as the README assumes: `deploy/` of the source tree (a copy), and
`/etc/portwarden/` as the .deb installs it (deploy/portwarden.toml; the web config example
of deploy/web-config.example.yml with a certificate made here). A long-running command (the
agent) is started, must answer `/metrics` (any HTTP status: a web config may demand a
password) within 30 s, and must exit 0 on SIGTERM. A one-shot command must exit 0, or a
status its flags document (3 --fail-on-violation, 4 probe, 5 --fail-on-partial, 6
--baseline; exactly N when its comment says "exits N").

The only rewrites, so that the test needs no network and no fixed port: `/etc/portwarden/`
points into the scratch directory; port 19443 (the agent's default, which another agent of a
parallel test may hold) becomes a port chosen at run time, and the bare `portwarden` gets
`--web.listen-address=127.0.0.1:<that port>`; `example.com:443` becomes a local
`openssl s_server -www` (no internet in CI). A failing example fails the test with its line.

Usage: check_readme_examples.py --binary PATH --source DIR"""
import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def code_blocks(path, languages):
    """(line number, line) of each line inside a fenced block of one of `languages`."""
    lang = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                lang = stripped[3:].strip() if lang is None else None
                continue
            if lang in languages:
                yield number, line.rstrip("\n")


def readme_commands(path):
    """(line number, argv, comment) of every `portwarden` command line of the README."""
    for number, line in code_blocks(path, ("sh", "bash", "shell")):
        argv = shlex.split(line, comments=True)
        if argv and argv[0] == "portwarden":
            comment = line.split(" #", 1)[1] if " #" in line else ""
            yield number, argv, comment


def toml_blocks(path):
    """(first line number, text) of every ```toml block."""
    blocks, current, start, lang = [], None, 0, None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("```"):
                if lang is None:
                    lang = stripped[3:].strip()
                    current, start = [], number + 1
                else:
                    if lang == "toml":
                        blocks.append((start, "".join(current)))
                    lang = None
                continue
            if lang is not None:
                current.append(line)
    return blocks


class Layout:
    """The scratch directory: deploy/ linked, etc/portwarden/ as installed, a TLS server."""

    def __init__(self, source):
        self.root = tempfile.mkdtemp(prefix="portwarden-readme-")
        # A copy: the config loader refuses a symlinked path component.
        shutil.copytree(os.path.join(source, "deploy"), os.path.join(self.root, "deploy"))
        self.etc = os.path.join(self.root, "etc", "portwarden")
        os.makedirs(os.path.join(self.etc, "tls"))
        with open(os.path.join(source, "deploy", "portwarden.toml"), "rb") as f:
            config = f.read()
        with open(os.path.join(self.etc, "portwarden.toml"), "wb") as f:
            f.write(config)
        with open(os.path.join(source, "deploy", "web-config.example.yml"), "rb") as f:
            web = f.read()
        with open(os.path.join(self.etc, "web-config.yml"), "wb") as f:
            f.write(web)
        tls = os.path.join(self.etc, "tls")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", os.path.join(tls, "portwarden.key"),
                        "-out", os.path.join(tls, "portwarden.crt")],
                       check=True, capture_output=True)
        self.agent_port = free_port()
        self.tls_port = free_port()
        self.server = subprocess.Popen(
            ["openssl", "s_server", "-quiet", "-www", "-accept", f"127.0.0.1:{self.tls_port}",
             "-cert", os.path.join(tls, "portwarden.crt"),
             "-key", os.path.join(tls, "portwarden.key")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.agent = None

    def rewrite(self, arg):
        arg = arg.replace("/etc/portwarden/", self.etc + "/")
        arg = arg.replace("example.com:443", f"localhost:{self.tls_port}")
        return re.sub(r":19443\b", f":{self.agent_port}", arg)

    def close(self):
        for proc in (self.server, self.agent):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
        subprocess.run(["rm", "-rf", self.root], check=False)


def is_daemon(argv):
    one_shot = {"scan", "probe", "report", "baseline"}
    flags_only = {"--config.check", "--version", "--help", "-h"}
    return not (set(argv[1:2]) & one_shot) and not (set(argv[1:]) & flags_only)


def allowed_statuses(argv, comment):
    said = re.search(r"\bexits (\d)\b", comment)
    if said:
        return {int(said.group(1))}
    allowed = {0}
    allowed |= {3} if "--fail-on-violation" in argv else set()
    allowed |= {4} if argv[1:2] == ["probe"] else set()
    allowed |= {5} if "--fail-on-partial" in argv else set()
    allowed |= {6} if any(a.startswith("--baseline") for a in argv) else set()
    return allowed


def metrics_answer(address):
    """The HTTP status of /metrics at `address` (host:port), over http or https; None."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(f"{scheme}://{address}/metrics", timeout=2,
                                        context=context if scheme == "https" else None) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, ssl.SSLError):
            continue
    return None


def run_daemon(binary, argv, layout):
    """'' when the agent served /metrics and stopped cleanly, else what went wrong."""
    args = [layout.rewrite(a) for a in argv[1:]]
    listen = [a.split("=", 1)[1] for a in args if a.startswith("--web.listen-address=")]
    if not listen:
        args.append(f"--web.listen-address=127.0.0.1:{layout.agent_port}")
        listen = [f"127.0.0.1:{layout.agent_port}"]
    address = listen[0]
    address = ("127.0.0.1" + address) if address.startswith(":") else address
    proc = subprocess.Popen([binary, *args], cwd=layout.root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        status = None
        while status is None and time.monotonic() < deadline and proc.poll() is None:
            status = metrics_answer(address)
            time.sleep(0.2 if status is None else 0)
        if status is None:
            return f"no answer on {address}/metrics (exit {proc.poll()})"
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        return "" if code == 0 else f"exit {code} on SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read()
        proc.stderr.close()
        if stderr and "level=error" in stderr:
            print(stderr[-2000:], file=sys.stderr)


def start_agent(binary, layout):
    """A running agent for the `--from` examples, on the rewritten 19443."""
    layout.agent = subprocess.Popen(
        [binary, f"--web.listen-address=127.0.0.1:{layout.agent_port}"], cwd=layout.root,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while metrics_answer(f"127.0.0.1:{layout.agent_port}") is None:
        if time.monotonic() > deadline:
            raise RuntimeError("the agent for --from examples did not start")
        time.sleep(0.2)


def run_one_shot(binary, argv, comment, layout):
    args = [layout.rewrite(a) for a in argv[1:]]
    if any(a.startswith("--from=") for a in args) and layout.agent is None:
        start_agent(binary, layout)
    try:
        result = subprocess.run([binary, *args], cwd=layout.root, capture_output=True,
                                text=True, timeout=90)
    except subprocess.TimeoutExpired:
        return "did not finish within 90 s"
    allowed = allowed_statuses(argv, comment)
    if result.returncode not in allowed:
        return (f"exit {result.returncode} (expected {sorted(allowed)}): "
                f"{result.stderr.strip()[-500:]}")
    if "--show-certs" in argv and "BEGIN CERTIFICATE" not in result.stdout:
        return "no PEM certificate printed"
    return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    readme = os.path.join(args.source, "README.md")
    failures, ran = [], 0
    layout = Layout(args.source)
    try:
        # A moment for s_server to listen before the probes.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", layout.tls_port)) == 0:
                    break
            time.sleep(0.1)
        for number, argv, comment in readme_commands(readme):
            ran += 1
            started = time.monotonic()
            if is_daemon(argv):
                problem = run_daemon(binary, argv, layout)
            else:
                problem = run_one_shot(binary, argv, comment, layout)
            took = time.monotonic() - started
            print(f"README.md:{number}: {'FAIL' if problem else 'ok'} ({took:.1f} s) "
                  f"{shlex.join(argv)}", flush=True)
            if problem:
                failures.append(f"README.md:{number}: {shlex.join(argv)}: {problem}")
        config_md = os.path.join(args.source, "docs", "configuration.md")
        for number, text in toml_blocks(config_md):
            ran += 1
            path = os.path.join(layout.root, f"configuration-md-{number}.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            result = subprocess.run([binary, f"--config.file={path}", "--config.check"],
                                    capture_output=True, text=True, timeout=30)
            print(f"docs/configuration.md:{number}: "
                  f"{'ok' if result.returncode == 0 else 'FAIL'} --config.check", flush=True)
            if result.returncode != 0:
                failures.append(f"docs/configuration.md:{number}: the example fails "
                                f"--config.check: {result.stderr.strip()[-500:]}")
    finally:
        layout.close()
    if ran < 10:
        failures.append(f"only {ran} examples found: is the README's ```sh block syntax intact?")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
