#!/usr/bin/env bash
# Checks deploy/alertmanager/alertmanager.yml with Debian's amtool: the config parses, and the
# routing tree sends each portwarden alert to the receiver the comments promise.
# Usage: check_alertmanager.sh <alertmanager.yml>
set -euo pipefail
config=$1
amtool check-config "$config"
route() {  # route <expected receiver> <label=value>...
  local want=$1; shift
  local got
  got=$(amtool config routes test --config.file="$config" "$@" 2>/dev/null)
  if [[ "$got" != "$want" ]]; then
    echo "FAIL: $* routed to '$got', want '$want'" >&2
    exit 1
  fi
  echo "route: $* -> $got"
}
route pager alertname=PortwardenTlsCertificateExpiringVerySoon severity=critical target=a:443
route ops-chat alertname=PortwardenTlsCertificateExpiringSoon severity=warning target=a:443
route pager alertname=PortwardenExposureViolation severity=critical
route security alertname=PortwardenNewPublicListener severity=warning
route pager alertname=PortwardenAgentDown severity=critical
route ops-chat alertname=PortwardenCollectorFailing severity=warning
# Inhibition: the critical expiry alert must silence the warning for the same target
# (the end-to-end test proves Alertmanager really does it).
/usr/bin/python3 - "$config" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))["inhibit_rules"]
ok = any('alertname="PortwardenTlsCertificateExpiringVerySoon"' in r["source_matchers"]
         and 'alertname="PortwardenTlsCertificateExpiringSoon"' in r["target_matchers"]
         and "target" in r["equal"] for r in rules)
sys.exit(0 if ok else "FAIL: no inhibition of the expiry warning by the critical alert")
PY
echo "inhibition: critical expiry silences the warning"
