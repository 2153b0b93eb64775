#!/usr/bin/env python3
"""Checks the Grafana dashboards without Grafana (not packaged in Debian 12):

- generated JSON is up to date (dashboards/generate.py --check);
- structure: uid, schemaVersion, stable unique panel ids inside the 24-column grid, the
  datasource/job/instance/target template variables, every target on the ${datasource} variable;
- every query and variable is valid PromQL for Debian's promtool (each is written into a
  recording rule and `promtool check rules` parses it);
- every metric a dashboard query reads is in the metric contract (docs/metrics.md, design),
  never a recording rule: the dashboards work whether or not deploy/prometheus/portwarden-
  records.yml is loaded (docs/alerts.md); rules may read the contract or recording rules;
- every `viewPanel=N` link in an alert annotation points at a panel that exists;
- the contract above names only metrics docs/metrics.md documents, and the posture panel set
  (REQUIRED_PANELS) is there: each of those metrics is read by some panel of its dashboard.
"""
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import promql_tools as pt  # noqa: E402

CONTRACT = {  # the design brief's "Metric contract" and docs/metrics.md
    "portwarden_listener_info", "portwarden_listeners",
    "portwarden_listener_first_seen_timestamp_seconds", "portwarden_listener_changes_total",
    "portwarden_exposure_violation", "portwarden_tls_probe_success",
    "portwarden_tls_probe_timestamp_seconds", "portwarden_tls_probe_duration_seconds",
    "portwarden_tls_handshake_seconds_bucket", "portwarden_tls_handshake_seconds_sum",
    "portwarden_tls_handshake_seconds_count", "portwarden_tls_probe_failures_total",
    "portwarden_tls_version_info", "portwarden_tls_cipher_info",
    "portwarden_tls_cert_not_after_timestamp_seconds",
    "portwarden_tls_cert_not_before_timestamp_seconds", "portwarden_tls_cert_info",
    "portwarden_tls_chain_earliest_not_after_timestamp_seconds", "portwarden_tls_cert_verified",
    "portwarden_tls_verify_result_info", "portwarden_http_status_code",
    "portwarden_http_redirects_to_https", "portwarden_collector_success",
    "portwarden_config_last_reload_successful", "portwarden_build_info",
    "portwarden_start_time_seconds", "up", "ALERTS",
    # [[certificates]] files and the cross-checks (docs/metrics.md)
    "portwarden_cert_file_error", "portwarden_tls_cert_renewed_not_served",
    "portwarden_tls_posture_inconsistent",
    # TLS posture (docs/metrics.md, "TLS posture")
    "portwarden_tls_protocol_accepted", "portwarden_tls_posture_finding",
    "portwarden_tls_posture_success", "portwarden_tls_posture_timestamp_seconds",
    # Key-exchange groups and revocation (docs/metrics.md, same names)
    "portwarden_tls_group_supported", "portwarden_tls_group_probe_error",
    "portwarden_tls_cert_revoked", "portwarden_tls_crl_this_update_timestamp_seconds",
    "portwarden_tls_crl_next_update_timestamp_seconds", "portwarden_tls_crl_fetch_timestamp_seconds",
    "portwarden_tls_crl_stale", "portwarden_tls_crl_check_error", "portwarden_tls_ocsp_staple_info",
    "portwarden_tls_ocsp_staple_next_update_timestamp_seconds"}


# Metrics each dashboard must show (issue 15's posture panels): uid -> names some panel reads.
REQUIRED_PANELS = {
    "portwarden-host": {"portwarden_tls_protocol_accepted", "portwarden_tls_posture_finding",
                        "portwarden_tls_cert_revoked",
                        "portwarden_tls_crl_this_update_timestamp_seconds",
                        "portwarden_tls_posture_inconsistent", "portwarden_tls_group_supported",
                        "portwarden_tls_ocsp_staple_info"},
    "portwarden-fleet": {"portwarden_tls_posture_finding", "portwarden_tls_cert_revoked",
                         "portwarden_tls_posture_inconsistent"},
}


def coverage_errors():
    documented = set(re.findall(r"`(portwarden_\w+)`", (pt.ROOT / "docs" / "metrics.md").read_text()))
    histogram = {n for n in CONTRACT if re.search(r"_(bucket|sum|count)$", n)}
    errors = [f"contract metric {name} is not in docs/metrics.md"
              for name in sorted(CONTRACT - documented - histogram)
              if name.startswith("portwarden_")]
    read = {}
    for uid, _, _, expr in pt.dashboard_queries():
        read.setdefault(uid, set()).update(pt.metric_names(expr))
    for uid, names in REQUIRED_PANELS.items():
        for name in sorted(names - read.get(uid, set())):
            errors.append(f"{uid}: no panel reads {name}")
    return errors


def structure_errors():
    errors = []
    for path in pt.DASHBOARDS:
        b = json.loads(path.read_text())
        where = path.name
        if b.get("schemaVersion", 0) < 36 or not b.get("uid"):
            errors.append(f"{where}: needs uid and schemaVersion >= 36")
        names = [v["name"] for v in b["templating"]["list"]]
        if names[:4] != ["datasource", "job", "instance", "target"]:
            errors.append(f"{where}: template variables are {names}")
        ids = [p["id"] for p in b["panels"]]
        if len(ids) != len(set(ids)):
            errors.append(f"{where}: duplicate panel ids {ids}")
        for p in b["panels"]:
            g = p["gridPos"]
            if g["x"] + g["w"] > 24 or not p["targets"]:
                errors.append(f"{where}: panel {p['id']} off the grid or without queries")
            for t in p["targets"]:
                if t["datasource"]["uid"] != "${datasource}":
                    errors.append(f"{where}: panel {p['id']} not on the datasource variable")
    return errors


def link_errors():
    panels = {}
    for path in pt.DASHBOARDS:
        b = json.loads(path.read_text())
        panels[b["uid"]] = {p["id"] for p in b["panels"]}
    errors = []
    for rule in pt.rules():
        link = rule.get("annotations", {}).get("dashboard", "")
        m = re.match(r"d/([\w-]+)/", link)
        if "alert" in rule and not m:
            errors.append(f"{rule['alert']}: no dashboard annotation")
            continue
        if m and m.group(1) not in panels:
            errors.append(f"{rule['alert']}: unknown dashboard {m.group(1)}")
        v = re.search(r"viewPanel=(\d+)", link)
        if m and v and int(v.group(1)) not in panels.get(m.group(1), set()):
            errors.append(f"{rule['alert']}: panel {v.group(1)} missing in {m.group(1)}")
    return errors


def promql_errors():
    recorded = pt.recorded_names()
    errors, records = [], []
    for uid, pid, title, expr in pt.dashboard_queries():
        records.append({"record": f"dashboard_query_{len(records)}", "expr": pt.substitute(expr),
                        "labels": {"panel": f"{uid}/{pid} {title}"}})
        names = pt.metric_names(expr)
        if names & recorded:
            errors.append(f"{uid} panel {pid} ({title}) reads recording rules "
                          f"{sorted(names & recorded)}: dashboards must work without them")
        unknown = names - CONTRACT - recorded
        if unknown:
            errors.append(f"{uid} panel {pid} ({title}) reads unknown metrics {sorted(unknown)}")
    with tempfile.NamedTemporaryFile("w", suffix=".yml") as f:
        yaml.safe_dump({"groups": [{"name": "dashboards", "rules": records}]}, f)
        f.flush()
        run = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True,
                             text=True)
        if run.returncode != 0:
            errors.append("promtool rejects a dashboard query:\n" + run.stdout + run.stderr)
    for rule in pt.rules():
        unknown = pt.metric_names(rule["expr"]) - CONTRACT - recorded
        if unknown:
            errors.append(f"rule {rule.get('alert') or rule.get('record')} reads {sorted(unknown)}")
    print(f"{len(records)} dashboard queries parsed by promtool")
    return errors


def main():
    gen = subprocess.run([sys.executable, str(pt.ROOT / "dashboards" / "generate.py"), "--check"])
    errors = [] if gen.returncode == 0 else ["dashboards/*.json out of date"]
    errors += structure_errors() + link_errors() + promql_errors() + coverage_errors()
    for e in errors:
        print("FAIL:", e, file=sys.stderr)
    print(f"{len(pt.DASHBOARDS)} dashboards checked, {len(errors)} problems")
    return 1 if errors or not pt.DASHBOARDS else 0


if __name__ == "__main__":
    sys.exit(main())
