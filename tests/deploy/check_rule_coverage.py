#!/usr/bin/env python3
"""Every alert in deploy/prometheus must be covered by the promtool unit tests: at least one
eval where it must not fire (exp_alerts: []), one where it fires with exact annotations, and
every alert must carry a `for:` guard and the summary/description/runbook/dashboard
annotations. promtool itself runs the tests (deploy_promtool_test_rules)."""
import pathlib
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import promql_tools as pt  # noqa: E402

ANNOTATIONS = {"summary", "description", "runbook", "dashboard"}


def main():
    fired, quiet = set(), set()
    for path in sorted((pt.ROOT / "deploy" / "prometheus" / "tests").glob("*_test.yml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                if not case.get("exp_alerts"):
                    quiet.add(case["alertname"])
                elif all(a.get("exp_annotations") for a in case["exp_alerts"]):
                    fired.add(case["alertname"])
    problems = []
    alerts = [r for r in pt.rules() if "alert" in r]
    for rule in alerts:
        name = rule["alert"]
        if name not in fired:
            problems.append(f"{name}: no test where it fires with exact annotations")
        if name not in quiet:
            problems.append(f"{name}: no test where it must stay quiet")
        if not rule.get("for"):
            problems.append(f"{name}: no for: guard")
        missing = ANNOTATIONS - set(rule.get("annotations", {}))
        if missing:
            problems.append(f"{name}: missing annotations {sorted(missing)}")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    print(f"{len(alerts)} alerts, {len(problems)} coverage problems")
    return 1 if problems or not alerts else 0


if __name__ == "__main__":
    sys.exit(main())
