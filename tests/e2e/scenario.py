"""Configuration files for the end-to-end scenario: agent TOML, Prometheus, Alertmanager and
the rule files from deploy/prometheus/ with their `for:` guards shortened (nothing else changes:
the expressions, labels and annotations under test are the shipped ones)."""
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADMIN_RULE = "admin-https-internal-only"
FOR_IN_TEST = "2s"


def agent_toml(endpoints, admin_port, redirect_port, healthy, discovered_ports):
    """endpoints: list of (target, ca_file). The healthy one also gets the HTTP checks. Local
    listeners on discovered_ports are discovered (system trust store, SNI localhost)."""
    ports = ", ".join(str(p) for p in discovered_ports)
    lines = ['[agent]', 'scan_interval = "1s"', 'probe_interval = "2s"', 'probe_timeout = "2s"',
             'jitter = 0.0', '', '[discovery]', 'enabled = true', 'namespaces = "host"',
             f'tls_ports = [{ports}]', 'server_name = "localhost"', '']
    for target, ca_file in endpoints:
        lines += ['[[endpoints]]', f'target = "{target}"', 'server_name = "localhost"',
                  f'ca_file = "{ca_file}"']
        if target == healthy:
            lines += ['http = true', f'plain_http_companion = {redirect_port}']
        lines.append('')
    lines += ['[[exposure.rules]]', f'name = "{ADMIN_RULE}"', f'ports = [{admin_port}]',
              'allow = ["loopback", "private"]', '',
              # The scenario's own network namespace has a dummy interface standing for the
              # public network: a wildcard bind reaches it.
              '[[exposure.zones]]', 'interface = "pw0"', 'scope = "public"', '']
    return "\n".join(lines)


def test_rule_files(directory):
    """Copies deploy/prometheus/portwarden-*.yml with every `for:` set to FOR_IN_TEST."""
    paths = []
    for src in sorted((ROOT / "deploy" / "prometheus").glob("portwarden-*.yml")):
        text = re.sub(r"^(\s+for: )\S+$", rf"\g<1>{FOR_IN_TEST}", src.read_text(), flags=re.M)
        dst = directory / src.name
        dst.write_text(text)
        paths.append(dst)
    return paths


def prometheus_yml(rule_files, agent_port, am_port, paged_target):
    """The agent's scrape job opts the discovered listener paged_target into paging the way
    docs/alerts.md tells users to: metric relabeling that adds page="true"."""
    instance = f"127.0.0.1:{agent_port}"
    page = {"source_labels": ["instance", "target"],
            "regex": re.escape(instance) + ";" + re.escape(paged_target),
            "target_label": "page", "replacement": "true"}
    return yaml.safe_dump({
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in rule_files],
        "alerting": {"alertmanagers": [
            {"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]},
        "scrape_configs": [{"job_name": "portwarden",
                            "static_configs": [{"targets": [instance]}],
                            "metric_relabel_configs": [page]}],
    })


def alertmanager_yml(hook_port):
    """deploy/alertmanager/alertmanager.yml with its receivers pointed at the test's webhook
    (path = receiver name) and short grouping timers; routes and inhibitions are unchanged."""
    config = yaml.safe_load((ROOT / "deploy" / "alertmanager" / "alertmanager.yml").read_text())
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = f"http://127.0.0.1:{hook_port}/{receiver['name']}"

    def shorten(route):
        route.update({"group_wait": "1s", "group_interval": "2s"})
        for child in route.get("routes", []):
            shorten(child)

    shorten(config["route"])
    return yaml.safe_dump(config)
