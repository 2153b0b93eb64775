#!/usr/bin/env bash
# The agent itself validates every configuration the deploy/ artifacts ship: the example
# /etc/portwarden/portwarden.toml and the one inside the Kubernetes ConfigMap.
# Usage: check_agent_configs.sh <portwarden binary> <source dir>
set -euo pipefail
binary=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$src/deploy/kubernetes/configmap.yaml" "$tmp/configmap.toml" <<'PY'
import sys, yaml
open(sys.argv[2], "w").write(yaml.safe_load(open(sys.argv[1]))["data"]["portwarden.toml"])
PY
for config in "$src/deploy/portwarden.toml" "$tmp/configmap.toml"; do
  "$binary" --config.check --config.file="$config"
  # The shipped deployments inventory every namespace (read through /proc where they cannot
  # enter one); "host" would hide every container's and pod's listeners.
  grep -qx 'namespaces = "all"' <(sed 's/^ *//' "$config") ||
    { echo "FAIL: $config does not set namespaces = \"all\"" >&2; exit 1; }
done
