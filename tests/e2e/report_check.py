"""The audit report of the e2e scenario (issue 16): `portwarden report --from` the running
agent, as HTML and CSV, read back with real parsers and checked against what the scenario
set up: the admin port's violation, every configured and discovered endpoint with its
verdict, the chains. Standard library only."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from report_parsing import parse_csv, parse_html  # noqa: E402


def audit_report(ctx, agent, out_dir):
    url = f"http://127.0.0.1:{ctx.agent_port}"
    paths = {}
    for fmt in ("html", "csv"):
        paths[fmt] = os.path.join(out_dir, f"e2e-report.{fmt}")
        subprocess.run([agent, "report", f"--from={url}", f"--format={fmt}", "-o", paths[fmt]],
                       check=True, timeout=60, capture_output=True)
    with open(paths["csv"], encoding="utf-8", newline="") as f:
        rows = parse_csv(f.read())
    admin = [r for r in rows if r["record"] == "listener" and r["port"] == str(ctx.ports["admin"])
             and r["address"] == "0.0.0.0"]
    if len(admin) != 1 or (admin[0]["verdict"], admin[0]["rule"], admin[0]["reach"]) != (
            "violation", "admin-https-internal-only", "public"):
        raise AssertionError(f"report: admin listener rows {admin}")
    endpoints = {r["target"]: r for r in rows if r["record"] == "endpoint"}
    missing = set(ctx.targets.values()) - set(endpoints)
    if missing:
        raise AssertionError(f"report: endpoints missing: {sorted(missing)}")
    if endpoints[ctx.targets["healthy"]]["probe_verdict"] != "ok":
        raise AssertionError(f"report: healthy endpoint {endpoints[ctx.targets['healthy']]}")
    if endpoints[ctx.targets["failing"]]["probe_verdict"] == "ok":
        raise AssertionError("report: the failing endpoint reads ok")
    certificates = [r for r in rows if r["record"] == "certificate"
                    and r["target"] == ctx.targets["chain"]]
    if len(certificates) < 2:
        raise AssertionError(f"report: chain of {ctx.targets['chain']}: {certificates}")
    with open(paths["html"], encoding="utf-8") as f:
        page = parse_html(f.read())
    if "script" in page.tags or len(page.tables["endpoints"]) != len(endpoints) + 1:
        raise AssertionError("report: HTML endpoints table does not match the CSV")
    print(f"e2e: audit report: {len(rows)} CSV rows, {len(endpoints)} endpoints, "
          f"{sum(1 for name in page.tables if name.startswith('chain-'))} chains")
