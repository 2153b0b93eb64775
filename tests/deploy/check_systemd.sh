#!/usr/bin/env bash
# Checks deploy/systemd/portwarden.service with systemd's own tools:
#   systemd-analyze verify                      (syntax, directives, referenced binaries)
#   systemd-analyze security --offline=true     (exposure score, must be <= MAX_SCORE)
# The unit's ExecStart names /usr/bin/portwarden, which is not installed here, so it is checked
# as a copy whose ExecStart points at the binary this build produced.
# Usage: check_systemd.sh <unit file> <portwarden binary> [max score, default 3.0]
set -euo pipefail
unit=$1 binary=$2 max=${3:-3.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#/usr/bin/portwarden#$binary#" "$unit" > "$tmp/portwarden.service"

systemd-analyze verify "$tmp/portwarden.service"
echo "verify: clean"

for forbidden in PrivateNetwork ProtectProc ProcSubset PrivateUsers; do
  if grep -q "^$forbidden=" "$unit"; then
    echo "FAIL: $forbidden= would hide other processes or namespaces from the agent" >&2
    exit 1
  fi
done
# RestrictNamespaces=yes is why other namespaces are read through /proc/<pid>/net; pidfd_getfd
# borrows an IPv6 wildcard's fd for its V6ONLY flag (in no systemd 252 group), and EPERM keeps
# a filtered call from killing the agent.
for needed in DynamicUser=yes "CapabilityBoundingSet=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE" \
              "AmbientCapabilities=CAP_DAC_READ_SEARCH CAP_SYS_PTRACE" RestrictNamespaces=yes \
              "SystemCallFilter=@system-service pidfd_getfd" SystemCallErrorNumber=EPERM \
              ProtectSystem=strict "ExecReload=/bin/kill -HUP \$MAINPID" EnvironmentFile=; do
  grep -qF "$needed" "$unit" || { echo "FAIL: unit lacks $needed" >&2; exit 1; }
done

# The threshold is in tenths (30 = 3.0); the command exits 1 above it.
systemd-analyze security --offline=true --no-pager "$tmp/portwarden.service" > "$tmp/score" || true
score=$(sed -n 's/.*Overall exposure level for portwarden.service: \([0-9.]*\).*/\1/p' "$tmp/score")
[[ -n "$score" ]] || { cat "$tmp/score"; echo "FAIL: no score" >&2; exit 1; }
echo "security: exposure score $score (max $max)"
awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' || {
  grep '✗' "$tmp/score" >&2; echo "FAIL: score $score above $max" >&2; exit 1; }
threshold=$(awk -v m="$max" 'BEGIN { printf "%d", m * 10 }')
systemd-analyze security --offline=true --threshold="$threshold" "$tmp/portwarden.service" >/dev/null
