"""Listener churn by an unprivileged user (issue 11, item 6): a process running as nobody
opens and closes thousands of listeners, batch after batch. The agent's
portwarden_listener_changes_total counters stay exact while its log carries a bounded number
of listener lines (docs/configuration.md, "Logs under churn").

The agent and the churner share a network namespace made by the test, and the agent scans
only its own namespace (discovery.namespaces = "host"), so other listeners on this machine
cannot move the counters. Each batch stays open until the agent has counted all of it as
appeared, and is closed until it has counted all of it as disappeared: so every listener is
seen, and the expected counts are exact.
Usage: listener_churn_test.py PORTWARDEN_BINARY   (root: exits 77 otherwise)"""
import os
import resource
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_helpers import (Agent, as_nobody, check_metrics, fetch,  # noqa: E402
                             privileged_or_skip, wait_for)

BINARY = sys.argv[1] if len(sys.argv) > 1 else "portwarden"
BATCHES = 8

# Reads "open N" / "close" from stdin; answers one line when done.
CHURNER = r'''
import resource, socket, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for line in sys.stdin:
    words = line.split()
    if words[0] == "open":
        for _ in range(int(words[1])):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            held.append(s)
    else:
        for s in held:
            s.close()
        held = []
    print("done", flush=True)
'''


class ListenerChurnTest(unittest.TestCase):
    def setUp(self):
        self.netns = f"pw-churn-{os.getpid()}"
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        self.addCleanup(subprocess.run, ["ip", "netns", "del", self.netns])
        self.prefix = ["ip", "netns", "exec", self.netns]
        subprocess.run([*self.prefix, "ip", "link", "set", "lo", "up"], check=True)
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        config = f"{self.tmp.name}/portwarden.toml"
        with open(config, "w") as out:
            out.write('[agent]\nscan_interval = "1s"\n\n[discovery]\nnamespaces = "host"\n')
        self.agent = Agent(BINARY, [f"--config.file={config}"], prefix=self.prefix)
        self.addCleanup(self.agent.stop)
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        self.per_batch = max(100, min(1000, hard - 64))
        self.churner = subprocess.Popen([*self.prefix, *as_nobody([sys.executable, "-c", CHURNER])],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_churner)

    def stop_churner(self):
        self.churner.stdin.close()
        self.churner.wait(timeout=30)
        self.churner.stdout.close()

    def command(self, line):
        self.churner.stdin.write(line + "\n")
        self.churner.stdin.flush()
        self.assertEqual(self.churner.stdout.readline().strip(), "done")

    def changes(self):
        samples = check_metrics(fetch(f"http://{self.agent.address}/metrics", self.prefix))
        return {labels["change"]: int(value) for name, labels, value in samples
                if name == "portwarden_listener_changes_total"}

    def wait_changes(self, appeared, disappeared):
        def reached():
            now = self.changes()
            return now if now.get("appeared", -1) >= appeared and \
                now.get("disappeared", -1) >= disappeared else None
        return wait_for(f"appeared={appeared} disappeared={disappeared}", reached, 120, 0.3)

    def test_counters_exact_and_log_bounded(self):
        self.wait_changes(0, 0)  # the baseline scan is done
        started = time.monotonic()
        for batch in range(1, BATCHES + 1):
            self.command(f"open {self.per_batch}")
            self.wait_changes(batch * self.per_batch, (batch - 1) * self.per_batch)
            self.command("close")
            self.wait_changes(batch * self.per_batch, batch * self.per_batch)
        minutes = (time.monotonic() - started) / 60
        final = self.changes()
        total = BATCHES * self.per_batch
        self.assertEqual(final, {"appeared": total, "disappeared": total})
        lines = self.agent.log_lines()
        one_by_one = [l for l in lines if 'msg="Listener appeared"' in l or
                      'msg="Listener disappeared"' in l]
        summaries = [l for l in lines if "not logged one by one" in l]
        scans = max(1, int(minutes * 60) + 2)  # one scan a second, at most
        print(f"\n{2 * total} listener changes in {minutes * 60:.1f} s: "
              f"{len(one_by_one)} individual lines, {len(summaries)} summary lines, "
              f"{len(lines)} log lines in all", file=sys.stderr)
        # The documented budget: a burst of 100, then 10 a minute; one summary per scan.
        self.assertLessEqual(len(one_by_one), 100 + 10 * minutes + 1)
        self.assertGreater(len(summaries), 0)
        self.assertLessEqual(len(summaries), scans)
        self.assertLess(len(lines), 2 * total / 20)


if __name__ == "__main__":
    privileged_or_skip()
    unittest.main(argv=sys.argv[:1], verbosity=2)
