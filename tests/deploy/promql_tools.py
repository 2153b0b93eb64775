"""PromQL helpers shared by the dashboard lint (tests/deploy) and the end-to-end test.

Extracts every query from the Grafana dashboards and the rule files, substitutes Grafana's
template variables with values Prometheus accepts, and lists the metric names a query reads.
"""
import json
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))
RULE_FILES = sorted((ROOT / "deploy" / "prometheus").glob("portwarden-*.yml"))

# Grafana variables -> what Prometheus should see. Multi-value variables are used with =~,
# so "match everything" is the honest stand-in for "All".
_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h",
              "${datasource}": "prometheus", "$job": ".*", "$instance": ".*", "$target": ".*"}

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
             "unless", "bool", "offset", "inf", "nan", "atan2"}


def substitute(expr, values=None):
    """Replaces Grafana template variables; `values` overrides the defaults."""
    table = dict(_VARIABLES, **(values or {}))
    for name in sorted(table, key=len, reverse=True):
        expr = expr.replace(name, table[name])
    return expr


def dashboard_queries():
    """Yields (dashboard uid, panel id, panel title, raw expr) for every query and annotation."""
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for t in panel.get("targets", []):
                yield board["uid"], panel["id"], panel["title"], t["expr"]
        for ann in board["annotations"]["list"]:
            if "expr" in ann:
                yield board["uid"], 0, "annotation " + ann["name"], ann["expr"]
        for var in board["templating"]["list"]:
            if var["type"] == "query":
                inner = re.fullmatch(r"label_values\((.*),\s*\w+\)", var["definition"])
                yield board["uid"], -1, "variable " + var["name"], inner.group(1)


def rules():
    """Yields each rule (dict) of every rule file."""
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            yield from group["rules"]


def recorded_names():
    return {r["record"] for r in rules() if "record" in r}


def metric_names(expr):
    """The metric names a PromQL expression reads (a lexical scan, good for our queries)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # string literals
    s = re.sub(r"\{[^}]*\}", "", s)                        # label matchers
    s = re.sub(r"\[[^\]]*\]", "", s)                       # range selectors
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for m in re.finditer(r"(?<![\w:.])([a-zA-Z_:][\w:]*)\b(?!\s*\()", s):
        word = m.group(1)
        if word.lower() in _KEYWORDS or re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names
