#!/usr/bin/env bash
# Idle memory of the agent (default configuration) against two peers measured in the same run:
# the bare-library floor (tests/bench/bare_floor.cc) and Debian's blackbox_exporter.
# Usage: tests/bench/idle_memory.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
build=${1:-build/release}
agent=$build/agent/app/portwarden
floor=$build/tests/bench/bare_floor
settle=${SETTLE_SECONDS:-20}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
report() {
  printf '%-22s RssAnon %6d kB   VmRSS %6d kB\n' "$1" "$(kb "$2" RssAnon)" "$(kb "$2" VmRSS)"
}

"$agent" --web.listen-address=127.0.0.1:0 >"$tmp/agent.log" 2>&1 &
pids+=($!); agent_pid=$!
"$floor" >"$tmp/floor.log" 2>&1 &
pids+=($!); floor_pid=$!
bbe_pid=
if command -v prometheus-blackbox-exporter >/dev/null; then
  prometheus-blackbox-exporter --config.file=/etc/prometheus/blackbox.yml \
    --web.listen-address=127.0.0.1:0 >"$tmp/bbe.log" 2>&1 &
  pids+=($!); bbe_pid=$!
fi
sleep "$settle"   # let the agent finish a few inventory cycles
# Scrape once so every exposition path has been touched.
addr=$(sed -n 's/.*msg="Listening on" address=\([^ ]*\).*/\1/p' "$tmp/agent.log" | head -1)
curl -s "http://$addr/metrics" >/dev/null

echo "idle memory after ${settle}s (default config, $(nproc) cores):"
report portwarden "$agent_pid"
report bare-library-floor "$floor_pid"
[[ -n "$bbe_pid" ]] && report blackbox_exporter "$bbe_pid"
a=$(kb "$agent_pid" RssAnon); f=$(kb "$floor_pid" RssAnon)
echo "portwarden private - floor private: $((a - f)) kB"
if [[ -n "$bbe_pid" ]]; then
  b=$(kb "$bbe_pid" RssAnon); bt=$(kb "$bbe_pid" VmRSS); at=$(kb "$agent_pid" VmRSS)
  awk -v a="$a" -v b="$b" -v at="$at" -v bt="$bt" \
    'BEGIN {printf "ratio vs blackbox_exporter: private %.2fx, total %.2fx\n", a / b, at / bt}'
fi
