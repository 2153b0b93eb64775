#!/usr/bin/env bash
# Checks that a built binary carries the release hardening (cmake/Hardening.cmake):
# PIE (ELF type DYN), full RELRO (GNU_RELRO segment + BIND_NOW), the stack protector
# (__stack_chk_fail) and _FORTIFY_SOURCE (checked __*_chk libc calls).
# usage: check_hardening.sh BINARY
set -euo pipefail
binary=${1:?usage: check_hardening.sh BINARY}
failures=0

check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null; then
    echo "ok:   $what"
  else
    echo "FAIL: $what"
    failures=$((failures + 1))
  fi
}

header=$(readelf -h -W "$binary")
segments=$(readelf -l -W "$binary")
dynamic=$(readelf -d -W "$binary")
symbols=$(readelf --dyn-syms -W "$binary")

check "PIE (ELF type DYN)" grep -Eq 'Type:[[:space:]]+DYN' <<<"$header"
check "RELRO (GNU_RELRO segment)" grep -q 'GNU_RELRO' <<<"$segments"
check "immediate binding (BIND_NOW or FLAGS_1 NOW)" \
  grep -Eq '\(BIND_NOW\)|\(FLAGS_1\).*[[:space:]]NOW|\(FLAGS\).*BIND_NOW' <<<"$dynamic"
check "stack protector (__stack_chk_fail)" grep -q '__stack_chk_fail' <<<"$symbols"
fortified=$(grep -Eo '__[a-z_]+_chk' <<<"$symbols" | grep -v '^__stack_chk' | sort -u || true)
check "_FORTIFY_SOURCE (__*_chk calls: $(echo $fortified | tr '\n' ' '))" test -n "$fortified"
check "no executable stack" bash -c "! grep -A1 GNU_STACK <<<\"\$1\" | grep -q RWE" _ "$segments"

if ((failures > 0)); then
  echo "$binary: $failures hardening check(s) failed"
  exit 1
fi
echo "$binary: hardened"
