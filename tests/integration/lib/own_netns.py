"""Runs a test in a network namespace of its own, so that what other processes on the host
listen on (other tests, other sessions running the same tests at the same time) cannot enter
what it counts or matches. Standard library and util-linux's `unshare` only."""

import os
import sys

ISOLATED = "PW_ISOLATED"


def isolate():
    """Re-executes this script (same interpreter, same arguments) in a fresh network
    namespace with loopback up, as root (as in CI); without root, or once inside, it returns
    and the test runs where it is. An agent that inventories only its own namespace
    (`namespaces = "host"`) then sees the test's listeners and no others."""
    if os.environ.get(ISOLATED) == "1" or os.geteuid() != 0:
        return
    env = dict(os.environ, **{ISOLATED: "1"})
    os.execvpe("unshare", ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"',
                           "sh", sys.executable, *sys.argv], env)


def isolated():
    """Whether this process runs in the namespace isolate() made."""
    return os.environ.get(ISOLATED) == "1"
