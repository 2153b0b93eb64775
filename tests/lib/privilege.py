"""Privileged tests: skip (exit 77, CTest's SKIP_RETURN_CODE) where a privilege is missing,
fail where CI says it is there (PORTWARDEN_REQUIRE_PRIVILEGED=1)."""

import os
import sys

SKIP = 77


def privileges_required():
    return os.environ.get("PORTWARDEN_REQUIRE_PRIVILEGED") == "1"


def skip_unprivileged(reason):
    """Exits 77 with `reason`, or 1 when privileges are required."""
    if privileges_required():
        print(f"FAIL: PORTWARDEN_REQUIRE_PRIVILEGED=1 but: {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {reason}")
    sys.exit(SKIP)
