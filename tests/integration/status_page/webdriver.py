"""A minimal W3C WebDriver client over chromedriver's HTTP API (Python standard library
only): Debian's chromium + chromium-driver, headless. Use as a context manager."""
import base64
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chromium:
    def __init__(self, driver="/usr/bin/chromedriver", browser="/usr/bin/chromium"):
        self.driver = driver
        self.browser = browser
        self.port = _free_port()
        self.proc = None
        self.session = None
        self.profile = tempfile.mkdtemp(prefix="portwarden-chromium-")

    def _call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
        return answer.get("value")

    def __enter__(self):
        self.proc = subprocess.Popen([self.driver, f"--port={self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._call("GET", "/status", timeout=2).get("ready"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromedriver did not become ready")
            time.sleep(0.1)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", f"--user-data-dir={self.profile}",
                "--no-first-run", "--disable-extensions", "--hide-scrollbars"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": self.browser, "args": args}}}}
        self.session = self._call("POST", "/session", caps, timeout=90)["sessionId"]
        return self

    def __exit__(self, *exc):
        try:
            if self.session:
                self._call("DELETE", f"/session/{self.session}", timeout=20)
        except OSError:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        subprocess.run(["rm", "-rf", self.profile], check=False)

    def viewport(self, width, height, mobile=False):
        """Emulates a viewport of exactly width x height CSS pixels (DevTools protocol)."""
        self._call("POST", f"/session/{self.session}/goog/cdp/execute",
                   {"cmd": "Emulation.setDeviceMetricsOverride",
                    "params": {"width": width, "height": height, "deviceScaleFactor": 1,
                               "mobile": mobile}})

    def open(self, url):
        self._call("POST", f"/session/{self.session}/url", {"url": url})

    def run(self, script, *args):
        """The value of a synchronous script (a function body: `return ...`)."""
        return self._call("POST", f"/session/{self.session}/execute/sync",
                          {"script": script, "args": list(args)})

    def screenshot(self, path):
        png = base64.b64decode(self._call("GET", f"/session/{self.session}/screenshot"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(png)
        return len(png)
