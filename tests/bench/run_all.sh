#!/usr/bin/env bash
# Runs every benchmark script in this folder (make bench). Each prints its own ratios.
set -euo pipefail
build=${1:-build/release}
here=$(dirname "$0")
for script in "$here"/*.sh; do
  [[ "$(basename "$script")" == run_all.sh ]] && continue
  echo "== $(basename "$script")"
  "$script" "$build"
done
