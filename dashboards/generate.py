#!/usr/bin/env python3
"""Generates the Grafana dashboards in this folder (classic JSON model, schemaVersion 39).

The JSON files are committed so Grafana provisioning and grafana.com imports work without this
script; tests/deploy runs it with --check so the JSON never drifts from it. Panel ids are
stable: alert annotations in deploy/prometheus/portwarden-alerts.yml link to them with
`viewPanel=<id>` (fleet 7: soonest-expiring certificates, fleet 8: verification failures;
host 2: listeners, host 6: handshake latency per phase, host 14: renewed, not served, host 16:
posture findings, host 18: revocation).

Every query reads the agent's own series, never a recording rule, so the dashboards work
whether or not deploy/prometheus/portwarden-records.yml is loaded (tests/deploy checks it).

Usage: generate.py [--check]
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job",instance=~"$instance"'
TSEL = SEL + ',target=~"$target"'
# Every certificate of every chain, and its lifetime; the expiry windows are the alerts' own
# (docs/alerts.md): warning under min(lifetime / 4, 21 d) left, critical under min(lifetime / 6,
# 7 d).
NOT_AFTER = f"portwarden_tls_cert_not_after_timestamp_seconds{{{TSEL}}}"
NOT_BEFORE = f"portwarden_tls_cert_not_before_timestamp_seconds{{{TSEL}}}"
LEFT = f"({NOT_AFTER} - time())"
LIFETIME = f"({NOT_AFTER} - {NOT_BEFORE})"
WARN_AT = f"clamp_max({LIFETIME} / 4, 21 * 86400)"
CRIT_AT = f"clamp_max({LIFETIME} / 6, 7 * 86400)"
ENDPOINT = "job, instance, target, address, server_name, source"


def target(expr, legend="", instant=False, fmt="time_series", ref="A"):
    t = {"datasource": DS, "expr": expr, "refId": ref, "legendFormat": legend, "range": not instant,
         "instant": instant, "format": fmt}
    return t


def panel(pid, kind, title, grid, targets, description="", unit=None, **extra):
    p = {"id": pid, "type": kind, "title": title, "description": description, "datasource": DS,
         "gridPos": dict(zip("hwxy", grid)), "targets": targets,
         "fieldConfig": {"defaults": {}, "overrides": []}, "options": {}}
    if unit:
        p["fieldConfig"]["defaults"]["unit"] = unit
    for key, value in extra.items():
        p[key] = value
    return p


def stat(pid, title, grid, expr, unit=None, thresholds=None, description=""):
    p = panel(pid, "stat", title, grid, [target(expr, instant=True)], description, unit)
    p["options"] = {"colorMode": "background", "graphMode": "none", "reduceOptions":
                    {"calcs": ["lastNotNull"], "fields": "", "values": False}}
    steps = thresholds or [{"color": "green", "value": None}]
    p["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": steps}
    return p


def table(pid, title, grid, targets, hide=(), rename=None, description=""):
    exclude = {name: True for name in ("Time", "__name__", "job") + tuple(hide)}
    p = panel(pid, "table", title, grid, targets, description)
    p["transformations"] = [{"id": "merge", "options": {}}, {"id": "organize", "options": {
        "excludeByName": exclude, "renameByName": rename or {}}}]
    p["options"] = {"showHeader": True, "cellHeight": "sm"}
    return p


def matrix_table(pid, title, grid, expr, column_label, mappings, description=""):
    """A table with one row per endpoint and one column per value of `column_label` (the
    series' own value in each cell, shown through `mappings`: {"0": "refused", ...})."""
    p = panel(pid, "table", title, grid, [target(expr, instant=True)], description)
    p["transformations"] = [
        {"id": "labelsToFields", "options": {"mode": "columns", "valueLabel": column_label}},
        {"id": "merge", "options": {}},
        {"id": "organize", "options": {"excludeByName": {"Time": True, "__name__": True,
                                                         "job": True}}}]
    p["fieldConfig"]["defaults"]["mappings"] = [{"type": "value", "options": {
        value: {"text": text, "index": i} for i, (value, text) in enumerate(mappings.items())}}]
    p["options"] = {"showHeader": True, "cellHeight": "sm"}
    return p


def timeseries(pid, title, grid, targets, unit=None, description=""):
    p = panel(pid, "timeseries", title, grid, targets, description, unit)
    p["options"] = {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "desc"}}
    return p


def variable(name, query, label):
    return {"type": "query", "name": name, "label": label, "datasource": DS,
            "query": {"query": query, "refId": name}, "definition": query, "refresh": 2,
            "includeAll": True, "multi": True, "allValue": ".*", "sort": 1,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}}


def templating():
    return {"list": [
        {"type": "datasource", "name": "datasource", "label": "Data source", "query": "prometheus",
         "current": {}, "refresh": 1, "hide": 0},
        variable("job", "label_values(portwarden_build_info, job)", "Job"),
        variable("instance", 'label_values(portwarden_build_info{job=~"$job"}, instance)', "Host"),
        variable("target", 'label_values(portwarden_tls_probe_success{job=~"$job",'
                 'instance=~"$instance"}, target)', "TLS target"),
    ]}


def dashboard(uid, title, panels, description, links):
    return {
        "id": None, "uid": uid, "title": title, "description": description,
        "tags": ["portwarden"], "timezone": "browser", "editable": True, "graphTooltip": 1,
        "schemaVersion": 39, "version": 1, "refresh": "1m", "time": {"from": "now-6h", "to": "now"},
        "templating": templating(),
        "annotations": {"list": [
            {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
             "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
             "name": "Annotations & Alerts", "type": "dashboard"},
            {"datasource": DS, "enable": True, "iconColor": "red", "name": "portwarden alerts",
             "expr": 'ALERTS{alertstate="firing",alertname=~"Portwarden.*",' + SEL + '}',
             "step": "60s", "titleFormat": "{{alertname}}",
             "textFormat": "{{instance}} {{target}} {{severity}}", "useValueForTime": False},
        ]},
        "links": links, "panels": panels,
    }


RED_AT_0 = [{"color": "red", "value": None}, {"color": "orange", "value": 7},
            {"color": "green", "value": 21}]


def fleet():
    panels = [
        stat(1, "Endpoints probed", (4, 4, 0, 0),
             f"count(portwarden_tls_probe_success{{{TSEL}}})"),
        stat(2, "Probe success", (4, 4, 4, 0), f"avg(portwarden_tls_probe_success{{{TSEL}}})",
             "percentunit", [{"color": "red", "value": None}, {"color": "green", "value": 1}]),
        stat(3, "Soonest expiry", (4, 4, 8, 0), f"min({LEFT} / 86400)", "d", RED_AT_0,
             "Days until the earliest-expiring certificate of any chain (leaf or intermediate) "
             "expires."),
        stat(4, "Verification failures", (4, 4, 12, 0),
             f'count(portwarden_tls_verify_result_info{{result!="ok",{TSEL}}} == 1) or vector(0)',
             None, [{"color": "green", "value": None}, {"color": "red", "value": 1}]),
        stat(5, "Exposure violations", (4, 4, 16, 0),
             f"count(portwarden_exposure_violation{{{SEL}}} == 1) or vector(0)",
             None, [{"color": "green", "value": None}, {"color": "red", "value": 1}]),
        panel(6, "bargauge", "Certificates by expiry window", (4, 4, 20, 0), [
            target(f"count({LEFT} <= 0) or vector(0)", "expired", True, ref="A"),
            target(f"count(({LEFT} < {CRIT_AT}) > 0) or vector(0)", "critical window", True,
                   ref="B"),
            target(f"count(({LEFT} < {WARN_AT}) >= {CRIT_AT}) or vector(0)", "warning window",
                   True, ref="C"),
            target(f"count({LEFT} >= {WARN_AT}) or vector(0)", "ok", True, ref="D")],
            description="Every certificate of every chain, by the alerts' windows: warning "
                        "under min(lifetime / 4, 21 days) left, critical under min(lifetime / 6, "
                        "7 days).",
            options={"displayMode": "basic", "orientation": "horizontal"}),
        table(7, "Soonest-expiring certificates (every chain position)", (10, 14, 0, 4), [
            target(f"sort({LEFT} / 86400 * on ({ENDPOINT}, chain_pos) group_left (subject_cn, "
                   f"issuer_cn) portwarden_tls_cert_info{{{TSEL}}})", instant=True, fmt="table"),
            target(f"{LIFETIME} / 86400", instant=True, fmt="table", ref="B")],
            rename={"Value #A": "days left", "Value #B": "lifetime (days)",
                    "chain_pos": "chain position"},
            description="Every certificate of every probed chain, soonest first; chain position "
                        "0 is the leaf."),
        table(8, "Verification failures", (10, 10, 14, 4), [target(
            f'portwarden_tls_verify_result_info{{result!="ok",{TSEL}}} == 1', instant=True,
            fmt="table")], hide=("Value",)),
        table(9, "Exposure violations", (8, 14, 0, 14), [target(
            f"portwarden_exposure_violation{{{SEL}}} == 1", instant=True, fmt="table")],
            hide=("Value",)),
        timeseries(10, "Probe success ratio", (8, 10, 14, 14), [
            target('avg by (job) (portwarden_tls_probe_success{job=~"$job"})', "{{job}}"),
            target(f"avg by (instance) (portwarden_tls_probe_success{{{TSEL}}})", "{{instance}}",
                   ref="B")], "percentunit"),
        timeseries(11, "Probe failures by reason", (8, 24, 0, 22), [target(
            f"sum by (reason) (increase(portwarden_tls_probe_failures_total{{{TSEL}}}"
            "[$__rate_interval]))", "{{reason}}")], "short"),
        *fleet_posture(),
    ]
    links = [{"title": "Host drill-down", "type": "link", "url": "/d/portwarden-host/portwarden-"
              "host-drill-down?${__url_time_range}&${job:queryparam}&${instance:queryparam}",
              "icon": "dashboard", "targetBlank": False}]
    return dashboard("portwarden-fleet", "portwarden fleet overview", panels,
                     "Certificates, verification, exposure, probe health and TLS posture across the fleet.",
                     links)


RED_AT_1 = [{"color": "green", "value": None}, {"color": "red", "value": 1}]


def fleet_posture():
    """The posture row of the fleet overview: findings by check, revoked certificates, hosts
    whose ports disagree (the posture job's series, docs/metrics.md "TLS posture")."""
    return [
        panel(12, "bargauge", "Posture findings by check", (8, 12, 0, 30), [target(
            f"sort_desc(count by (check) (portwarden_tls_posture_finding{{{TSEL}}} == 1))",
            "{{check}}", True)],
            description="Endpoints (addresses) with each posture finding in their last posture "
                        "run (agent.posture_interval). The checks: docs/metrics.md, TLS posture.",
            options={"displayMode": "basic", "orientation": "horizontal"}),
        stat(13, "Revoked certificates", (4, 6, 12, 30),
             f"count(portwarden_tls_cert_revoked{{{TSEL}}} == 1) or vector(0)", None, RED_AT_1,
             "Served certificates a verified CRL or stapled OCSP response says are revoked."),
        stat(14, "Stale CRLs", (4, 6, 18, 30),
             f"count(portwarden_tls_crl_stale{{{TSEL}}} == 1) or vector(0)", None,
             [{"color": "green", "value": None}, {"color": "orange", "value": 1}],
             "CRLs held past their nextUpdate: the CA published no newer one, or the download "
             "failed."),
        stat(15, "Hosts with inconsistent ports", (4, 12, 12, 34),
             f"count(count by (job, instance, host, server_name) "
             f"(portwarden_tls_posture_inconsistent{{{SEL}}} == 1)) or vector(0)", None,
             [{"color": "green", "value": None}, {"color": "orange", "value": 1}],
             "(host, server name) pairs whose ports differ in leaf certificate, protocols, "
             "suites or key-exchange groups."),
    ]


def host_posture():
    """The posture panels of the host drill-down (y from 58): accepted protocols and groups per
    endpoint, findings, revocation, CRL age. Consistency across ports is panel 13."""
    findings = f"portwarden_tls_posture_finding{{{TSEL}}} == 1"
    return [
        matrix_table(15, "Accepted protocols per endpoint", (8, 12, 0, 58),
                     f"portwarden_tls_protocol_accepted{{{TSEL}}}", "version",
                     {"0": "refused", "1": "accepted"},
                     "One pinned-version handshake per TLS version in the last posture run; "
                     "TLS 1.0 and 1.1 accepted is the legacy_protocol finding."),
        table(16, "Posture findings", (8, 12, 12, 58), [target(findings, instant=True,
                                                                fmt="table")],
              hide=("Value",),
              description="One row per endpoint and finding of its last posture run."),
        panel(17, "bargauge", "Posture findings by check", (8, 6, 0, 66), [target(
            f"sort_desc(count by (check) ({findings}))", "{{check}}", True)],
            options={"displayMode": "basic", "orientation": "horizontal"}),
        table(18, "Revocation (CRL) and stapled OCSP", (8, 18, 6, 66), [
            target(f"portwarden_tls_cert_revoked{{{TSEL}}}", instant=True, fmt="table"),
            target(f"portwarden_tls_crl_stale{{{TSEL}}}", instant=True, fmt="table", ref="B"),
            target(f"(time() - portwarden_tls_crl_this_update_timestamp_seconds{{{TSEL}}}) "
                   "/ 86400", instant=True, fmt="table", ref="C"),
            target(f"portwarden_tls_ocsp_staple_info{{{TSEL}}}", instant=True, fmt="table",
                   ref="D")],
            hide=("Value #D",),
            rename={"Value #A": "revoked", "Value #B": "CRL stale", "Value #C": "CRL age (days)",
                    "chain_pos": "chain position", "status": "OCSP staple"},
            description="Per chain position: revoked (1) by a verified CRL or, for the leaf, the "
                        "stapled OCSP response; whether the CRL held is past its nextUpdate; "
                        "its age. Rows with an OCSP staple status are the leaf's staple."),
        timeseries(19, "CRL age", (8, 12, 0, 74), [
            target(f"time() - portwarden_tls_crl_this_update_timestamp_seconds{{{TSEL}}}",
                   "{{target}} {{chain_pos}} age"),
            target(f"portwarden_tls_crl_next_update_timestamp_seconds{{{TSEL}}} - time()",
                   "{{target}} {{chain_pos}} until nextUpdate", ref="B")], "s",
            "Time since the thisUpdate of each CRL held, and until its nextUpdate (negative: "
            "stale)."),
        matrix_table(20, "Key-exchange groups per endpoint", (8, 12, 12, 74),
                     f"portwarden_tls_group_supported{{{TSEL}}}", "group",
                     {"0": "refused", "1": "supported"},
                     "Groups a TLS 1.3 ClientHello offering only that group got selected with; "
                     "X25519MLKEM768 and the other MLKEM hybrids are post-quantum."),
    ]


def host():
    panels = [
        panel(1, "bargauge", "Listeners by scope", (6, 8, 0, 0), [target(
            f"sum by (scope) (portwarden_listeners{{{SEL}}})", "{{scope}}", True)],
            options={"displayMode": "basic", "orientation": "horizontal"}),
        table(2, "Listeners", (10, 16, 8, 0), [target(
            f"portwarden_listener_info{{{SEL}}}", instant=True, fmt="table")], hide=("Value",),
            description="Every listening socket with its reach (scope) and owning process."),
        table(3, "Exposure violations", (6, 8, 0, 6), [target(
            f"portwarden_exposure_violation{{{SEL}}} == 1", instant=True, fmt="table")],
            hide=("Value",)),
        timeseries(4, "Listener changes", (8, 12, 0, 12), [target(
            f"sum by (instance, change) (increase(portwarden_listener_changes_total{{{SEL}}}"
            "[$__rate_interval]))", "{{instance}} {{change}}")], "short"),
        timeseries(5, "Listeners by protocol and scope", (8, 12, 12, 12), [target(
            f"sum by (instance, proto, scope) (portwarden_listeners{{{SEL}}})",
            "{{instance}} {{proto}} {{scope}}")], "short"),
        timeseries(6, "Probe latency per phase", (8, 12, 0, 20), [target(
            f"portwarden_tls_probe_duration_seconds{{{TSEL}}}", "{{target}} {{phase}}")], "s"),
        panel(7, "heatmap", "TLS handshake time distribution", (8, 12, 12, 20), [target(
            f"sum by (le) (increase(portwarden_tls_handshake_seconds_bucket{{{TSEL}}}"
            "[$__rate_interval]))", "{{le}}", fmt="heatmap")],
            options={"calculate": False, "yAxis": {"unit": "s"}, "color": {"scheme": "Oranges"},
                     "cellGap": 1}),
        table(8, "Negotiated TLS", (8, 12, 0, 28), [target(
            f"portwarden_tls_version_info{{{TSEL}}} * on ({ENDPOINT})"
            f" group_left (cipher) portwarden_tls_cipher_info{{{TSEL}}}", instant=True,
            fmt="table")], hide=("Value",)),
        timeseries(9, "Chain days left", (8, 12, 12, 28), [target(
            f"min without (chain_pos) ({LEFT} / 86400)", "{{target}} {{server_name}}")], "d",
            "Days left of the earliest-expiring certificate of each endpoint's chain."),
        timeseries(10, "Time since last probe", (8, 12, 0, 36), [target(
            f"time() - portwarden_tls_probe_timestamp_seconds{{{TSEL}}}",
            "{{target}} {{address}}")], "s"),
        table(11, "HTTP checks", (8, 12, 12, 36), [
            target(f"portwarden_http_status_code{{{TSEL}}}", instant=True, fmt="table"),
            target(f"portwarden_http_redirects_to_https{{{SEL}}}", instant=True, fmt="table",
                   ref="B")]),
        table(12, "Agent", (6, 24, 0, 44), [
            target(f"portwarden_collector_success{{{SEL}}}", instant=True, fmt="table"),
            target(f"portwarden_config_last_reload_successful{{{SEL}}}", instant=True,
                   fmt="table", ref="B"),
            target(f"portwarden_build_info{{{SEL}}}", instant=True, fmt="table", ref="C")]),
        table(13, "Consistency across ports", (8, 12, 0, 50), [target(
            f"portwarden_tls_posture_inconsistent{{{SEL}}}", instant=True, fmt="table")],
            rename={"Value": "inconsistent"},
            description="Endpoints of one host and server name on several ports (443 and 8443): "
                        "1 when the ports differ in the aspect: leaf_certificate (the leaf "
                        "served), protocols (versions accepted), ciphers (suite chosen for one "
                        "offer), groups (key-exchange groups supported). docs/metrics.md."),
        table(14, "Certificates on disk: renewed, not served; unreadable files", (8, 12, 12, 50), [
            target(f"portwarden_tls_cert_renewed_not_served{{{TSEL}}} == 1", instant=True,
                   fmt="table"),
            target(f"portwarden_cert_file_error{{{SEL}}}", instant=True, fmt="table", ref="B")],
            hide=("Value #A", "Value #B"),
            description="Rows of the first query: a [[certificates]] file holds a newer "
                        "certificate for the endpoint's server name than the one served (the "
                        "server was not reloaded). Rows of the second: files that gave no "
                        "certificate, by reason."),
        *host_posture(),
    ]
    links = [{"title": "Fleet overview", "type": "link", "url": "/d/portwarden-fleet/portwarden-"
              "fleet-overview?${__url_time_range}&${job:queryparam}", "icon": "dashboard",
              "targetBlank": False}]
    return dashboard("portwarden-host", "portwarden host drill-down", panels,
                     "Listeners, exposure, listener changes, TLS latency and TLS posture of one host.", links)


def main(argv):
    stale = []
    for name, board in (("portwarden-fleet.json", fleet()), ("portwarden-host.json", host())):
        text = json.dumps(board, indent=2) + "\n"
        path = HERE / name
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"out of date: {', '.join(stale)}; run python3 dashboards/generate.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
