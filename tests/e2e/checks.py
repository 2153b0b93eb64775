"""The assertions of the end-to-end test (see e2e_alerts.py for the scenario)."""
import dataclasses
import json
import re
import time
import urllib.parse

import stack as st

ALERT_TIMEOUT = 90  # seconds, per awaited notification (about 15 s are typical)


@dataclasses.dataclass
class Context:
    prom: str
    am: str
    agent_port: int
    targets: dict
    ports: dict
    not_after: dict
    webhook: st.Webhook
    started: float

    @property
    def instance(self):
        return f"127.0.0.1:{self.agent_port}"


def parse_exposition(text):
    """{family name: [label dict, ...]} from the text format (enough for our label values)."""
    series = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"([a-zA-Z_:][\w:]*)(\{(.*)\})?\s", line)
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        series.setdefault(m.group(1), []).append(labels)
    return series


def scrape(port):
    return parse_exposition(st.http_get(f"http://127.0.0.1:{port}/metrics"))


def wait_for_modules(agent_port, targets):
    """The agent's series once every endpoint was probed and the inventory has run."""
    def ready():
        s = scrape(agent_port)
        probed = {l.get("target") for l in s.get("portwarden_tls_probe_success", [])}
        return s if set(targets.values()) <= probed and "portwarden_listener_info" in s else None
    return st.wait_until("every endpoint probed and the inventory scanned", ready, 15)


def received(ctx, receiver, alertname, **labels):
    for path, alert in ctx.webhook.alerts():
        l = alert["labels"]
        if (path == f"/{receiver}" and l.get("alertname") == alertname and alert["status"] ==
                "firing" and all(l.get(k) == v for k, v in labels.items())):
            return alert
    return None


def await_alert(ctx, receiver, alertname, **labels):
    alert = st.wait_until(f"{alertname} {labels} at receiver {receiver}",
                          lambda: received(ctx, receiver, alertname, **labels), ALERT_TIMEOUT)
    print(f"e2e: {alertname} {labels} reached {receiver} after "
          f"{time.monotonic() - ctx.started:.1f} s")
    return alert


def nonempty(labels):
    """Prometheus drops empty label values on ingestion."""
    return {k: v for k, v in labels.items() if v != ""}


def expect_equal(what, got, want):
    if got != want:
        raise AssertionError(f"{what}:\n  got  {got}\n  want {want}")


def cert_series(ctx, target, chain_pos):
    series = [l for l in scrape(ctx.agent_port)["portwarden_tls_cert_not_after_timestamp_seconds"]
              if l["target"] == target and l["chain_pos"] == chain_pos]
    expect_equal(f"chain_pos {chain_pos} series for {target}", len(series), 1)
    return series[0]


def critical_expiry(ctx, name, chain_pos, not_after):
    """The critical expiry alert of one certificate at the pager: exact labels, annotations."""
    target = ctx.targets[name]
    alert = await_alert(ctx, "pager", "PortwardenTlsCertificateExpiringVerySoon", target=target,
                        chain_pos=chain_pos)
    cert = cert_series(ctx, target, chain_pos)
    want_labels = dict(nonempty(cert), alertname="PortwardenTlsCertificateExpiringVerySoon",
                       severity="critical", job="portwarden", instance=ctx.instance)
    expect_equal("expiry alert labels", alert["labels"], want_labels)
    days = (not_after - time.time()) / 86400
    leaf = chain_pos == "0"
    what = "leaf certificate" if leaf else f"certificate at chain position {chain_pos}"
    expect_equal("expiry alert annotations", alert["annotations"], {
        "summary": f"{'TLS certificate' if leaf else 'Chain certificate ' + chain_pos} of "
                   f"{target} expires in {days:.1f} days",
        "description": f"The {what} served by {target} (address {cert['address']}, SNI "
                       f"localhost) expires in {days:.1f} days, inside its critical window (the "
                       "last sixth of its lifetime, at most 7 days); every client fails once it "
                       f"expires. Probed by {ctx.instance}.",
        "runbook": "Renew the certificate now and reload the server." if leaf else
                   "Serve the CA's current intermediate (update the chain file) now and reload "
                   "the server.",
        "dashboard": f"d/portwarden-fleet/portwarden-fleet-overview?var-target={target}"
                     "&viewPanel=7"})


def expiry_alert(ctx):
    critical_expiry(ctx, "expiring", "0", ctx.not_after["expiring"])


def prometheus_alerts(ctx, target):
    body = json.loads(st.http_get(f"{ctx.prom}/api/v1/alerts"))
    return [a["labels"] for a in body["data"]["alerts"] if a["labels"].get("target") == target]


def chain_expiry_alert(ctx):
    """Intermediate with 2 days left, leaf with 150: a page about chain position 1 only."""
    critical_expiry(ctx, "chain", "1", ctx.not_after["chain_intermediate"])
    about_leaf = [l for l in prometheus_alerts(ctx, ctx.targets["chain"])
                  if l.get("chain_pos") != "1"]
    if about_leaf:
        raise AssertionError(f"the chain endpoint raised alerts beyond its intermediate: "
                             f"{about_leaf}")


def exposure_alert(ctx):
    port = str(ctx.ports["admin"])
    alert = await_alert(ctx, "pager", "PortwardenExposureViolation", port=port)
    series = [l for l in scrape(ctx.agent_port)["portwarden_exposure_violation"]
              if l["port"] == port]
    expect_equal("violation series for the admin port", len(series), 1)
    v = series[0]
    expect_equal("violation identity", (v["address"], v["scope"], v["rule"], v["proto"]),
                 ("0.0.0.0", "public", "admin-https-internal-only", "tcp"))
    if not v["process"].startswith("python"):
        raise AssertionError(f"admin listener attributed to {v['process']!r}, not the server")
    # The alert is per listener and rule, whichever bases found it: the series' labels but basis.
    labels = {k: val for k, val in nonempty(v).items() if k != "basis"}
    expect_equal("exposure alert labels", alert["labels"], dict(
        labels, alertname="PortwardenExposureViolation", severity="critical", job="portwarden",
        instance=ctx.instance))
    expect_equal("exposure alert annotations", alert["annotations"], {
        "summary": f"tcp port {port} on {ctx.instance} is exposed against rule "
                   "admin-https-internal-only",
        "description": f"Process {v['process']} listens on 0.0.0.0 port {port} (tcp, scope public, "
                       f"netns {v['netns']}) on {ctx.instance}, which exposure rule "
                       "admin-https-internal-only forbids.",
        "runbook": "Bind the service to loopback or a private address, or firewall the port; if "
                   "the exposure is intended, add an [[exposure.rules]] entry that allows it.",
        "dashboard": f"d/portwarden-host/portwarden-host-drill-down?var-instance={ctx.instance}"
                     "&viewPanel=2"})


def verification_alert(ctx):
    target = ctx.targets["failing"]
    alert = await_alert(ctx, "pager", "PortwardenTlsVerificationFailing", target=target)
    result = alert["labels"]["result"]
    if result in ("ok", "expired", "hostname_mismatch"):
        raise AssertionError(f"verification alert with result {result}")
    expect_equal("verification severity and source",
                 (alert["labels"]["severity"], alert["labels"]["source"]), ("critical", "config"))
    expect_equal("verification summary", alert["annotations"]["summary"],
                 f"TLS verification of {target} fails: {result}")
    doubled = [l for l in prometheus_alerts(ctx, target)
               if l["alertname"] == "PortwardenTlsProbeFailing"]
    if doubled:
        raise AssertionError(f"a verification failure also raised ProbeFailing: {doubled}")


def discovered_verification_alerts(ctx):
    """A discovered self-signed listener is a ticket; the one relabeled page="true" pages."""
    target = ctx.targets["selfsigned"]
    verdicts = [l["result"] for l in scrape(ctx.agent_port)["portwarden_tls_verify_result_info"]
                if l["target"] == target]
    expect_equal(f"verification result of the discovered {target}", verdicts, ["self_signed"])
    alert = await_alert(ctx, "ops-chat", "PortwardenTlsVerificationFailing", target=target)
    expect_equal("discovered listener's alert",
                 {k: alert["labels"].get(k) for k in ("severity", "source", "result", "page")},
                 {"severity": "warning", "source": "discovered", "result": "self_signed",
                  "page": None})
    expect_equal("its description", alert["annotations"]["description"],
                 f"The certificate chain served by {target} (address {target}, SNI localhost) "
                 f"does not verify: self_signed. Probed by {ctx.instance}; a discovered listener, "
                 "hence a warning (docs/alerts.md: paging on a discovered listener).")
    paged = ctx.targets["paged"]
    alert = await_alert(ctx, "pager", "PortwardenTlsVerificationFailing", target=paged)
    expect_equal("opted-in discovered listener's alert",
                 {k: alert["labels"].get(k) for k in ("severity", "source", "page")},
                 {"severity": "critical", "source": "discovered", "page": "true"})


def one_notification_per_broken_certificate(ctx):
    """Checked last: for each endpoint with one expiring certificate, the only alert delivered
    anywhere is its critical one (the warning twin stayed inhibited)."""
    for name, chain_pos in (("expiring", "0"), ("chain", "1")):
        target = ctx.targets[name]
        delivered = {(path, a["labels"]["alertname"], a["labels"].get("chain_pos"))
                     for path, a in ctx.webhook.alerts() if a["labels"].get("target") == target}
        expect_equal(f"alerts delivered for {name}", delivered,
                     {("/pager", "PortwardenTlsCertificateExpiringVerySoon", chain_pos)})
    print("e2e: one broken certificate, one notification (expiring leaf, expiring intermediate)")


def discovered_never_paged(ctx):
    """Checked last, long after the warning arrived: nothing about it reached the pager."""
    target = ctx.targets["selfsigned"]
    paged = [a["labels"] for path, a in ctx.webhook.alerts()
             if path == "/pager" and a["labels"].get("target") == target]
    critical = [l for l in prometheus_alerts(ctx, target) if l.get("severity") != "warning"]
    if paged or critical:
        raise AssertionError(f"the discovered self-signed listener paged: {paged or critical}")
    print(f"e2e: discovered self-signed listener {target} reached Alertmanager only as a warning")


def am_alerts(ctx, alertname):
    q = urllib.parse.urlencode({"filter": f'alertname="{alertname}"', "inhibited": "true",
                                "silenced": "true", "active": "true"})
    return json.loads(st.http_get(f"{ctx.am}/api/v2/alerts?{q}"))


def expiry_warning_inhibited(ctx, name, chain_pos):
    """The warning also fires in Prometheus; Alertmanager must suppress it."""
    target = ctx.targets[name]

    def suppressed():
        return [a for a in am_alerts(ctx, "PortwardenTlsCertificateExpiringSoon")
                if a["labels"].get("target") == target and a["labels"].get("chain_pos") ==
                chain_pos and a["status"]["inhibitedBy"]]
    st.wait_until(f"the expiry warning of {name} inhibited in Alertmanager", suppressed,
                  ALERT_TIMEOUT)
    if received(ctx, "ops-chat", "PortwardenTlsCertificateExpiringSoon", target=target):
        raise AssertionError(f"the inhibited warning of {name} was delivered")
    print(f"e2e: expiry warning of {name} (chain_pos {chain_pos}) inhibited by the critical alert")


def healthy_endpoint_quiet(ctx):
    target = ctx.targets["healthy"]
    noisy = prometheus_alerts(ctx, target)
    noisy += [a["labels"] for _, a in ctx.webhook.alerts() if a["labels"].get("target") == target]
    if noisy:
        raise AssertionError(f"the healthy endpoint raised alerts: {noisy}")
    print(f"e2e: healthy endpoint {target} raised nothing")


def exported_names(families):
    names = set(families)
    for name in list(names):  # a histogram's series names its family without suffixes
        names.update({name + s for s in ("_bucket", "_sum", "_count")})
    return names


# Series the agent exports only for inputs this scenario does not have: each still has to be
# accepted by Prometheus below, and each has its own integration test that sees it exported.
NOT_IN_THIS_SCENARIO = {
    "portwarden_tls_cert_renewed_not_served",  # [[certificates]] files (certfiles_test.py)
    "portwarden_cert_file_error",  # [[certificates]] files (certfiles_test.py)
    "portwarden_tls_cert_revoked",  # CRL distribution points or a staple (revocation_test.py)
    # CRLs: no certificate of this scenario names a distribution point (revocation_test.py)
    "portwarden_tls_crl_stale", "portwarden_tls_crl_this_update_timestamp_seconds",
    "portwarden_tls_crl_next_update_timestamp_seconds",
}


def queries_accepted_and_known(ctx, exported, pt):
    known = (exported_names(scrape(ctx.agent_port)) | pt.recorded_names() | {"up", "ALERTS"}
             | NOT_IN_THIS_SCENARIO)
    problems = []
    exprs = [(f"{u} panel {p} ({t})", pt.substitute(e)) for u, p, t, e in pt.dashboard_queries()]
    exprs += [(f"rule {r.get('alert') or r.get('record')}", r["expr"]) for r in pt.rules()]
    for where, expr in exprs:
        status, result = st.query(ctx.prom, expr)
        if status != "success":
            problems.append(f"{where}: Prometheus rejects it: {result}")
        unknown = pt.metric_names(expr) - known
        if unknown:
            problems.append(f"{where}: reads metrics the agent does not export: {sorted(unknown)}")
    if problems:
        raise AssertionError("\n  ".join(["queries:"] + problems))
    print(f"e2e: {len(exprs)} rule and dashboard expressions accepted, all metric names exported")


def panels_have_data(ctx, pt):
    # A panel that reads only series this scenario cannot have (NOT_IN_THIS_SCENARIO) is
    # checked for acceptance above, not for data.
    queries = [(f"{u} panel {p} ({t})", pt.substitute(e)) for u, p, t, e in pt.dashboard_queries()
               if not pt.metric_names(e) or pt.metric_names(e) - NOT_IN_THIS_SCENARIO]

    def empty():
        return [w for w, e in queries if not st.query(ctx.prom, e)[1]]
    try:
        st.wait_until("every dashboard query to return data", lambda: not empty() or None, 40, 2)
    except AssertionError:
        raise AssertionError("panels left without data:\n  " + "\n  ".join(empty())) from None
    print(f"e2e: all {len(queries)} dashboard queries return data")


def memory_summary(pid):
    """VmRSS / RssAnon / VmHWM of a process, for sizing the DaemonSet's requests and limits."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return ", ".join(f"{k} {fields.get(k, '?')}" for k in ("VmRSS", "RssAnon", "VmHWM"))
