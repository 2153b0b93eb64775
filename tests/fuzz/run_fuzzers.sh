#!/usr/bin/env bash
# Runs every libFuzzer target of a `fuzz` preset build for a bounded time, FUZZ_JOBS at a
# time, each seeded from its committed corpus (tests/fuzz/corpus/<name>/, read only: new
# inputs go to BUILD_DIR/fuzz-out/<name>/new). Fails, printing the reproducer, if any target
# crashes, leaks, times out on one input, or breaks one of its checks.
#   usage: run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]    (default 45 s; FUZZ_JOBS=2)
# Reproduce a failure:  BUILD_DIR/tests/fuzz/<name>_fuzz BUILD_DIR/fuzz-out/<name>/crash-…
# Grow the committed corpus from a run (keep it small):
#   BUILD_DIR/tests/fuzz/<name>_fuzz -merge=1 tests/fuzz/corpus/<name> BUILD_DIR/fuzz-out/<name>/new
set -euo pipefail
build=$(cd "${1:?usage: run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]}" && pwd)
seconds=${2:-${FUZZ_SECONDS:-45}}
jobs=${FUZZ_JOBS:-2}
corpus_root=$(cd "$(dirname "$0")" && pwd)/corpus
out=$build/fuzz-out
rm -rf "$out"
mkdir -p "$out"

mapfile -t fuzzers < <(find "$build/tests/fuzz" -maxdepth 1 -name '*_fuzz' -type f -perm -u+x | sort)
if ((${#fuzzers[@]} == 0)); then
  echo "run_fuzzers: no *_fuzz executables under $build/tests/fuzz (cmake --build --preset fuzz)" >&2
  exit 1
fi

run_one() {
  local binary=$1 name
  name=$(basename "$binary" _fuzz)
  mkdir -p "$out/$name/new"
  local started=$SECONDS
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1536 -print_final_stats=1 \
    -artifact_prefix="$out/$name/" "$out/$name/new" "$corpus_root/$name" >"$out/$name.log" 2>&1; then
    echo ok >"$out/$name.status"
  else
    echo failed >"$out/$name.status"
  fi
  echo $((SECONDS - started)) >"$out/$name.seconds"
}

echo "run_fuzzers: ${#fuzzers[@]} targets, ${seconds}s each, $jobs at a time"
running=0
for binary in "${fuzzers[@]}"; do
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
  run_one "$binary" &
  running=$((running + 1))
done
wait

failures=0
for binary in "${fuzzers[@]}"; do
  name=$(basename "$binary" _fuzz)
  runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$out/$name.log" | grep -Eo '[0-9]+$' || echo "?")
  cov=$(grep -Eo 'cov: [0-9]+' "$out/$name.log" | tail -1 | grep -Eo '[0-9]+' || echo "?")
  printf '%-14s %-6s %8s runs  cov %5s  corpus %4d  %ss\n' "$name" "$(cat "$out/$name.status")" \
    "$runs" "$cov" "$(find "$corpus_root/$name" "$out/$name/new" -type f | wc -l)" \
    "$(cat "$out/$name.seconds")"
  if [[ $(cat "$out/$name.status") != ok ]]; then
    failures=$((failures + 1))
    echo "---- $name: last lines of $out/$name.log"
    tail -40 "$out/$name.log"
    for artifact in "$out/$name"/crash-* "$out/$name"/leak-* "$out/$name"/timeout-* \
      "$out/$name"/oom-*; do
      [[ -f $artifact ]] || continue
      echo "---- $name: reproducer $artifact (base64):"
      base64 -w 100 "$artifact" | head -c 20000
      echo
    done
  fi
done
if ((failures > 0)); then
  echo "run_fuzzers: $failures target(s) failed"
  exit 1
fi
echo "run_fuzzers: all targets ran ${seconds}s without a finding"
