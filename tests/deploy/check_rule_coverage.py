#!/usr/bin/env python3
"""Every alert in deploy/prometheus must be covered by the promtool unit tests: at least one
eval where it must not fire (exp_alerts: []), and one where it fires with exact annotations at
each severity it has (an alert name can be two rules, e.g. critical for configured endpoints
and warning for discovered listeners). Every alert must carry a `for:` guard, a severity and
the summary/description/runbook/dashboard annotations. promtool itself runs the tests
(deploy_promtool_test_rules)."""
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
                    continue
                for alert in case["exp_alerts"]:
                    if alert.get("exp_annotations"):
                        severity = alert.get("exp_labels", {}).get("severity")
                        fired.add((case["alertname"], severity))
    problems = []
    alerts = [r for r in pt.rules() if "alert" in r]
    for rule in alerts:
        name = rule["alert"]
        severity = rule.get("labels", {}).get("severity")
        if severity not in ("warning", "critical"):
            problems.append(f"{name}: severity {severity!r}, want warning or critical")
        if (name, severity) not in fired:
            problems.append(f"{name} ({severity}): no test where it fires with exact annotations")
        if name not in quiet:
            problems.append(f"{name}: no test where it must stay quiet")
        if not rule.get("for"):
            problems.append(f"{name}: no for: guard")
        missing = ANNOTATIONS - set(rule.get("annotations", {}))
        if missing:
            problems.append(f"{name}: missing annotations {sorted(missing)}")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    print(f"{len(alerts)} alert rules, {len(problems)} coverage problems")
    return 1 if problems or not alerts else 0


if __name__ == "__main__":
    sys.exit(main())
