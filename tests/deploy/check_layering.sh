#!/usr/bin/env bash
# The layering rules of docs/architecture.md ("Layering"), checked on the source tree:
#  1. Below agent/, only the composition root agent/app/ includes exporters/ or a Prometheus
#     header (<prometheus/...>), and only its CMakeLists links an exporter or prometheus-cpp.
#  2. exporters/ includes no collection code: from agent/ only the core vocabulary
#     (agent/core/), the config types (agent/config/), the snapshot (agent/state/) and the
#     data types the snapshot carries (listed in kSnapshotTypes below).
#  3. tests/unit/ mirrors the code: every tests/unit/<dir> has a source folder agent/<dir>
#     or <dir> (for exporters/...).
# Usage: check_layering.sh [source-root]. Prints every offence; exits 1 if there is any.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"

# Headers of agent/ that exporters/ may include besides agent/{core,config,state}/: the types
# a snapshot holds and pure functions over them. Nothing here may reach a socket or a file.
kSnapshotTypes=(
  agent/inventory/listener.h
  agent/firewall/verdict.h
  agent/inventory/inventory_summary.h
  agent/policy/policy.h
  agent/policy/baseline_diff.h
  agent/probe/probe_result.h
  agent/certfiles/cert_file_report.h
  agent/posture/posture_report.h
  agent/probe/group_verdict.h
  agent/probe/revocation_result.h
)

failures=0
fail() {
  echo "layering: $*" >&2
  failures=$((failures + 1))
}

sources() { find "$@" -type f \( -name '*.h' -o -name '*.cc' \) | sort; }

# Rule 1: the domain never sees an exporter or Prometheus.
while IFS= read -r file; do
  while IFS= read -r hit; do
    fail "$file:$hit: the domain includes an exporter or Prometheus header (only agent/app/ may)"
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](exporters/|prometheus/)' \
    "$file" || true)
done < <(sources agent -not -path 'agent/app/*')
while IFS= read -r cmake; do
  while IFS= read -r hit; do
    fail "$cmake:$hit: a domain library links an exporter or prometheus-cpp (only agent/app/ may)"
  done < <(grep -nE 'prometheus-cpp|portwarden::[a-z_]*exporter' "$cmake" || true)
done < <(find agent -name CMakeLists.txt -not -path 'agent/app/*' | sort)

# Rule 2: exporters render the snapshot; they hold no collection logic.
allowed_include() {
  local header="$1"
  case "$header" in
    agent/core/* | agent/config/* | agent/state/*) return 0 ;;
  esac
  local type
  for type in "${kSnapshotTypes[@]}"; do
    [[ "$header" == "$type" ]] && return 0
  done
  return 1
}
while IFS= read -r file; do
  while IFS=: read -r line text; do
    [[ "$text" =~ \"(agent/[^\"]+)\" ]] || continue
    header="${BASH_REMATCH[1]}"
    allowed_include "$header" ||
      fail "$file:$line: exporters/ includes collection code \"$header\"" \
        "(allowed: agent/core/, agent/config/, agent/state/, ${kSnapshotTypes[*]})"
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"agent/' "$file" || true)
done < <(sources exporters)

# Rule 3: tests/unit/<dir> mirrors agent/<dir> or <dir>.
while IFS= read -r dir; do
  rel="${dir#tests/unit/}"
  [[ -d "agent/$rel" || -d "$rel" ]] ||
    fail "$dir has no matching source folder (agent/$rel or $rel)"
done < <(find tests/unit -mindepth 1 -type d | sort)

if ((failures > 0)); then
  echo "layering: $failures offence(s); see docs/architecture.md, section Layering" >&2
  exit 1
fi
echo "layering: ok"
