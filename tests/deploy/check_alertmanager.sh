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
route pager alertname=PortwardenTlsCertificateExpired severity=critical target=a:443 chain_pos=1
route ops-chat alertname=PortwardenTlsCertificateExpiringSoon severity=warning target=a:443
# The rules set the severity from the source; routing follows the severity alone.
route pager alertname=PortwardenTlsVerificationFailing severity=critical source=config
route ops-chat alertname=PortwardenTlsVerificationFailing severity=warning source=discovered
route pager alertname=PortwardenTlsVerificationFailing severity=critical source=discovered page=true
route pager alertname=PortwardenExposureViolation severity=critical
route security alertname=PortwardenNewPublicListener severity=warning
route pager alertname=PortwardenAgentDown severity=critical
route ops-chat alertname=PortwardenCollectorFailing severity=warning
# Inhibition: within one endpoint (whatever the chain position), the critical expiry alert
# silences the warning and "expired" silences both (the end-to-end test proves Alertmanager
# really does it).
/usr/bin/python3 - "$config" <<'PY'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))["inhibit_rules"]
identity = {"instance", "target", "address", "server_name"}
def inhibits(source, target):
    return any(f'alertname="{source}"' in r["source_matchers"] and any(
        m in (f'alertname="{target}"', 'alertname=~"PortwardenTlsCertificateExpiring(Very)?Soon"')
        for m in r["target_matchers"]) and set(r["equal"]) == identity for r in rules)
pairs = [("PortwardenTlsCertificateExpiringVerySoon", "PortwardenTlsCertificateExpiringSoon"),
         ("PortwardenTlsCertificateExpired", "PortwardenTlsCertificateExpiringSoon"),
         ("PortwardenTlsCertificateExpired", "PortwardenTlsCertificateExpiringVerySoon")]
missing = [p for p in pairs if not inhibits(*p)]
sys.exit(f"FAIL: missing inhibitions (equal on {sorted(identity)}): {missing}" if missing else 0)
PY
echo "inhibition: critical expiry silences the warning, expired silences both, per endpoint"
