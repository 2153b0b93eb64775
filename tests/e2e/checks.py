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
    print(f"e2e: {alertname} reached {receiver} after {time.monotonic() - ctx.started:.1f} s")
    return alert


def nonempty(labels):
    """Prometheus drops empty label values on ingestion."""
    return {k: v for k, v in labels.items() if v != ""}


def expect_equal(what, got, want):
    if got != want:
        raise AssertionError(f"{what}:\n  got  {got}\n  want {want}")


def expiry_alert(ctx):
    target = ctx.targets["expiring"]
    alert = await_alert(ctx, "pager", "PortwardenTlsCertificateExpiringVerySoon", target=target)
    leaf = [l for l in scrape(ctx.agent_port)["portwarden_tls_cert_not_after_timestamp_seconds"]
            if l["target"] == target and l["chain_pos"] == "0"]
    expect_equal("leaf series for the expiring target", len(leaf), 1)
    want_labels = dict(nonempty(leaf[0]), alertname="PortwardenTlsCertificateExpiringVerySoon",
                       severity="critical", job="portwarden", instance=ctx.instance)
    expect_equal("expiry alert labels", alert["labels"], want_labels)
    days = (ctx.not_after["expiring"] - time.time()) / 86400
    expect_equal("expiry alert annotations", alert["annotations"], {
        "summary": f"TLS certificate of {target} expires in less than 7 days",
        "description": f"The leaf certificate served by {target} (address {leaf[0]['address']}, "
                       f"SNI localhost) expires in {days:.1f} days. Probed by {ctx.instance}.",
        "runbook": "Renew the certificate now and reload the server; clients will fail once it "
                   "expires.",
        "dashboard": f"d/portwarden-fleet/portwarden-fleet-overview?var-target={target}"
                     "&viewPanel=7"})


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
    expect_equal("exposure alert labels", alert["labels"], dict(
        nonempty(v), alertname="PortwardenExposureViolation", severity="critical", job="portwarden",
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
    expect_equal("verification summary", alert["annotations"]["summary"],
                 f"TLS verification of {target} fails: {result}")
    body = json.loads(st.http_get(f"{ctx.prom}/api/v1/alerts"))
    doubled = [a["labels"] for a in body["data"]["alerts"] if a["labels"].get("target") == target
               and a["labels"]["alertname"] == "PortwardenTlsProbeFailing"]
    if doubled:
        raise AssertionError(f"a verification failure also raised ProbeFailing: {doubled}")


def am_alerts(ctx, alertname):
    q = urllib.parse.urlencode({"filter": f'alertname="{alertname}"', "inhibited": "true",
                                "silenced": "true", "active": "true"})
    return json.loads(st.http_get(f"{ctx.am}/api/v2/alerts?{q}"))


def expiry_warning_inhibited(ctx):
    """The 21-day warning also fires in Prometheus; Alertmanager must suppress it."""
    target = ctx.targets["expiring"]

    def suppressed():
        return [a for a in am_alerts(ctx, "PortwardenTlsCertificateExpiringSoon")
                if a["labels"].get("target") == target and a["status"]["inhibitedBy"]]
    st.wait_until("the expiry warning inhibited in Alertmanager", suppressed, ALERT_TIMEOUT)
    if received(ctx, "ops-chat", "PortwardenTlsCertificateExpiringSoon", target=target):
        raise AssertionError("the inhibited warning was delivered")
    print("e2e: expiry warning inhibited by the critical alert")


def healthy_endpoint_quiet(ctx):
    target = ctx.targets["healthy"]
    body = json.loads(st.http_get(f"{ctx.prom}/api/v1/alerts"))
    noisy = [a["labels"] for a in body["data"]["alerts"] if a["labels"].get("target") == target]
    noisy += [a["labels"] for _, a in ctx.webhook.alerts() if a["labels"].get("target") == target]
    if noisy:
        raise AssertionError(f"the healthy endpoint raised alerts: {noisy}")
    print(f"e2e: healthy endpoint {target} raised nothing")


def exported_names(families):
    names = set(families)
    for name in list(names):  # a histogram's series names its family without suffixes
        names.update({name + s for s in ("_bucket", "_sum", "_count")})
    return names


def queries_accepted_and_known(ctx, exported, pt):
    known = exported_names(scrape(ctx.agent_port)) | pt.recorded_names() | {"up", "ALERTS"}
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
    queries = [(f"{u} panel {p} ({t})", pt.substitute(e)) for u, p, t, e in pt.dashboard_queries()]

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
