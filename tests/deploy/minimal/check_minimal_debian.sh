#!/usr/bin/env bash
# `make test` on a minimal Debian 12 (`make test-minimal`, opt-in: it installs every dependency
# into a fresh root and builds from scratch, 15-30 minutes on 2 cores).
# mmdebstrap makes a minbase root (what `debootstrap --variant=minbase` gives) plus git, make,
# sudo and ca-certificates, from the machine's apt sources; the source tree is cloned into it
# and `make test` runs there in a chroot with /proc, /sys and /dev mounted, as root (the suite's
# privileged tests need it). `TESTS=regex` limits ctest (e.g. TESTS=deploy for the packaging
# checks). Usage: check_minimal_debian.sh [source dir]
set -euo pipefail
src=$(realpath "${1:-$(dirname "$0")/../../..}")
root=$(mktemp -d /var/tmp/portwarden-minimal.XXXXXX)
mounts=()
cleanup() {
  local m
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
[[ $(id -u) -eq 0 ]] || { echo "FAIL: run as root (chroot, mounts)" >&2; exit 1; }

sources=()
[[ -s /etc/apt/sources.list ]] && grep -q '^deb ' /etc/apt/sources.list && sources+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] && sources+=("$f")
done
echo "== minbase Debian 12 + git make sudo ca-certificates"
mmdebstrap --variant=minbase --include=git,make,sudo,ca-certificates --quiet bookworm "$root" \
  "${sources[@]}"

git clone --quiet "$src" "$root/src"
for m in proc sys dev dev/pts; do
  mount --bind "/$m" "$root/$m"
  mounts+=("$root/$m")
done
mount -t tmpfs tmpfs "$root/run"
mounts+=("$root/run")
mkdir -p "$root/run/netns"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Certificate authorities this machine adds for its own network (an egress proxy's, say):
# any host on this network needs them, a minimal one too.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi

echo "== make test in the minimal root"
ctest_args=()
[[ -n "${TESTS:-}" ]] && ctest_args=("CTEST_ARGS=-R ${TESTS}")
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  PORTWARDEN_REQUIRE_PRIVILEGED="${PORTWARDEN_REQUIRE_PRIVILEGED:-}" \
  bash -c 'cd /src && make test "$@"' make-test "${ctest_args[@]}"
echo "PASS: make test on a minimal Debian 12"
