"""Hostile config input against the real portwarden binary: a config nested 40,000 dotted keys
deep (80 KB, which used to overflow the stack inside toml++), /dev/zero (unbounded bytes), a
FIFO (blocks a reader for ever), a directory, a file above the 4 MiB cap, and listen addresses
the server cannot bind. Each must be refused promptly with a clear error by --config.check, at
start, and on reload (SIGHUP and POST /-/reload), where the running config is kept,
portwarden_config_last_reload_successful drops to 0 and SIGTERM still exits within a second."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from agent_process import AgentProcess, binary_from_env, sample_value  # noqa: E402

BINARY = binary_from_env()

# Generous: "promptly" means not blocked, not fast; the machine may be loaded.
PROMPT_SECONDS = 5.0
NOT_REGULAR = "a config file must be a regular file"
TOO_DEEP = "nested more than 32 levels deep"

# One refused endpoint makes the running config visible in /metrics.
GOOD_CONFIG = """
[agent]
scan_interval = "1s"
probe_interval = "1s"
probe_timeout = "1s"

[discovery]
enabled = false

[[endpoints]]
target = "127.0.0.1:1"
"""
KEPT_SERIES = 'target="127.0.0.1:1"'


def make_deep(path):
    with open(path, "w") as f:
        f.write("a" + ".a" * 40000 + " = 1\n")
    return TOO_DEEP


def make_fifo(path):
    os.mkfifo(path)
    return "is a FIFO; " + NOT_REGULAR


def make_directory(path):
    os.mkdir(path)
    return "is a directory; " + NOT_REGULAR


def make_dev_zero(path):
    os.symlink("/dev/zero", path)
    return "is a character device; " + NOT_REGULAR


def make_oversized(path):
    with open(path, "w") as f:
        f.truncate(5 * 1024 * 1024)  # sparse
    return "5242880 bytes is more than a config file may have (4 MiB)"


HOSTILE = {
    "deep_dotted_keys": make_deep,
    "fifo": make_fifo,
    "directory": make_directory,
    "dev_zero": make_dev_zero,
    "oversized": make_oversized,
}


def run(*args, timeout=30):
    started = time.monotonic()
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)
    return result, time.monotonic() - started


class HostileFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="portwarden-hostile-")
        self.path = os.path.join(self.dir, "portwarden.toml")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def replace_with(self, make):
        """Puts the hostile thing at self.path (replacing what is there); returns the error."""
        if os.path.isdir(self.path) and not os.path.islink(self.path):
            os.rmdir(self.path)
        elif os.path.lexists(self.path):
            os.unlink(self.path)
        return make(self.path)

    def write_good(self):
        def make_good(path):
            with open(path, "w") as f:
                f.write(GOOD_CONFIG)
        self.replace_with(make_good)

    def test_config_check_refuses_each_promptly(self):
        for name, make in HOSTILE.items():
            with self.subTest(name):
                expected = self.replace_with(make)
                result, elapsed = run("--config.file=" + self.path, "--config.check")
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertTrue(result.stderr.startswith("FAILED: " + self.path), result.stderr)
                self.assertIn(expected, result.stderr)
                self.assertLess(len(result.stderr), 2000)
                self.assertLess(elapsed, PROMPT_SECONDS)

    def test_start_refuses_each_promptly(self):
        for name, make in HOSTILE.items():
            with self.subTest(name):
                expected = self.replace_with(make)
                result, elapsed = run("--config.file=" + self.path,
                                      "--web.listen-address=127.0.0.1:0")
                self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
                self.assertIn('msg="Error loading configuration"', result.stdout + result.stderr)
                self.assertIn(expected, result.stdout + result.stderr)
                self.assertNotIn("Listening on", result.stdout + result.stderr)
                self.assertLess(elapsed, PROMPT_SECONDS)

    def reload_gauge(self, agent):
        return sample_value(agent.metrics(), "portwarden_config_last_reload_successful")

    def test_reload_refuses_each_and_keeps_the_running_config(self):
        self.write_good()
        with AgentProcess(BINARY, ["--config.file=" + self.path]) as agent:
            agent.wait_for(lambda: KEPT_SERIES in agent.metrics(), what="the endpoint's series")
            for name, make in HOSTILE.items():
                with self.subTest(name, via="SIGHUP"):
                    expected = self.replace_with(make)
                    agent.signal(signal.SIGHUP)
                    agent.wait_for(lambda: self.reload_gauge(agent) == 0, timeout=PROMPT_SECONDS,
                                   what="reload failure gauge")
                    agent.wait_for(lambda: expected in agent.log(), timeout=PROMPT_SECONDS,
                                   what="the reload error in the log")
                    self.assertIn(KEPT_SERIES, agent.metrics())
                with self.subTest(name, via="POST /-/reload"):
                    started = time.monotonic()
                    status, _, body = agent.get("/-/reload", method="POST")
                    self.assertLess(time.monotonic() - started, PROMPT_SECONDS)
                    self.assertEqual(status, 500)
                    self.assertTrue(body.startswith("failed to reload config: " + self.path), body)
                    self.assertIn(expected, body)
                    self.assertEqual(self.reload_gauge(agent), 0)
                    self.assertIn(KEPT_SERIES, agent.metrics())
                # Back to a good file: the next reload succeeds again.
                self.write_good()
                self.assertEqual(agent.get("/-/reload", method="POST")[0], 200)
                self.assertEqual(self.reload_gauge(agent), 1)

    def test_sigterm_exits_within_a_second_after_reloading_a_fifo(self):
        self.write_good()
        agent = AgentProcess(BINARY, ["--config.file=" + self.path])
        agent.start()
        try:
            agent.wait_ready()
            self.replace_with(make_fifo)
            agent.signal(signal.SIGHUP)  # used to block the main thread in open() for ever
            agent.wait_for(lambda: self.reload_gauge(agent) == 0, timeout=PROMPT_SECONDS,
                           what="reload failure gauge")
            started = time.monotonic()
            agent.signal(signal.SIGTERM)
            code = agent.proc.wait(timeout=10)
            elapsed = time.monotonic() - started
        finally:
            agent.stop()
        # A sanitizer report makes the exit code non-zero (TSan: 66): show what it said.
        self.assertEqual(code, 0, agent.log()[-20000:])
        self.assertLess(elapsed, 1.0)


class ListenAddressTest(unittest.TestCase):
    """--config.check validates listen addresses as start-up would, without binding."""

    BAD = [":99999", "host:port:extra", "[::1]:19443x"]

    def test_config_check_refuses_bad_addresses_in_the_file(self):
        for address in self.BAD:
            with self.subTest(address), tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
                f.write('[web]\nlisten_address = "%s"\n' % address)
                f.flush()
                result, _ = run("--config.file=" + f.name, "--config.check")
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(
                    result.stderr,
                    'FAILED: %s:2:18: web.listen_address: invalid address "%s": port must be a '
                    "number from 0 to 65535\n" % (f.name, address))

    def test_config_check_refuses_bad_address_flags(self):
        for address in self.BAD:
            with self.subTest(address):
                result, _ = run("--web.listen-address=" + address, "--config.check")
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(
                    result.stderr,
                    'portwarden: error: flag --web.listen-address: invalid address "%s": port '
                    "must be a number from 0 to 65535\n" % address)

    def test_config_check_accepts_what_the_server_binds(self):
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write('[web]\nlisten_address = ["127.0.0.1:0", "[::1]:0", ":19443"]\n')
            f.flush()
            result, _ = run("--config.file=" + f.name, "--config.check")
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_empty_config_file_flag_is_an_error(self):
        result, _ = run("--config.file=", "--config.check")
        self.assertEqual(result.returncode, 2)
        self.assertIn("flag --config.file: path is empty", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
