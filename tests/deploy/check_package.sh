#!/usr/bin/env bash
# Builds the .deb with CPack (what `make package` does), unpacks it into a scratch root with
# dpkg -x and checks it: the binary runs (--version), the example config is a conffile, the
# systemd unit and environment file are in place, Depends comes from dpkg-shlibdeps and covers
# libssl3 and libcurl4, and the Dockerfile's runtime stage installs every library package the
# .deb depends on.
# Usage: check_package.sh <build dir> <source dir>
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" > "$tmp/cpack.log" 2>&1 \
  || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/out/portwarden_*.deb)
echo "built $(basename "$deb")"

dpkg-deb -x "$deb" "$tmp/root"
dpkg-deb -e "$deb" "$tmp/control"
version=$("$tmp/root/usr/bin/portwarden" --version)
echo "--version: ${version%%$'\n'*}"
grep -q "portwarden" <<<"$version" || { echo "FAIL: unexpected --version output" >&2; exit 1; }

for f in etc/portwarden/portwarden.toml etc/default/portwarden \
         lib/systemd/system/portwarden.service \
         usr/share/portwarden/prometheus/portwarden-alerts.yml \
         usr/share/portwarden/dashboards/portwarden-fleet.json; do
  [[ -f "$tmp/root/$f" ]] || { echo "FAIL: $f missing from the package" >&2; exit 1; }
done
diff <(sort "$tmp/control/conffiles") <(printf '%s\n' /etc/default/portwarden \
  /etc/portwarden/portwarden.toml) || { echo "FAIL: conffiles" >&2; exit 1; }
"$tmp/root/usr/bin/portwarden" --config.check --config.file="$tmp/root/etc/portwarden/portwarden.toml"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libssl3; do
  grep -qw "$lib" <<<"$depends" || { echo "FAIL: Depends lacks $lib" >&2; exit 1; }
done

# The Dockerfile cannot be built here (no Docker engine); check that its runtime stage
# installs every library the binary needs, apart from what debian:bookworm-slim already has.
runtime=$(awk '/^FROM / {stage++} stage == 2' "$src/Dockerfile")
provided=$(for pkg in $(grep -oE '\blib[a-z0-9.+-]+' <<<"$runtime" | sort -u); do
  echo "$pkg"
  apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Provides: //p' \
    | tr ',' '\n' | awk '{print $1}'
done)
for pkg in $(tr ',' '\n' <<<"$depends" | awk '{print $1}'); do
  case "$pkg" in libc6|libgcc-s1|libstdc++6|zlib1g|libasan8|libubsan1) continue ;; esac
  grep -qx -- "$pkg" <<<"$provided" \
    || { echo "FAIL: Dockerfile runtime stage does not install $pkg" >&2; exit 1; }
done
echo "Dockerfile runtime stage covers Depends"
