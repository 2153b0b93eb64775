#!/usr/bin/env bash
# Builds the .deb with CPack (what `make package` does), installs it with dpkg into a scratch
# root (dpkg --root, maintainer scripts run with DPKG_ROOT set so they leave the host alone)
# and checks it: the binary is stripped and runs (--version), the example config is a conffile,
# the systemd unit, environment file, rules, dashboards with their Grafana provisioning files and
# /usr/share/doc/portwarden (README, copyright, changelog) are in place, the unit's
# Documentation= exists, the maintainer scripts follow the --no-enable convention, the
# Maintainer field is real, Depends comes from dpkg-shlibdeps and covers libssl3, and the
# Dockerfile's runtime stage installs every library package the .deb depends on.
# Usage: check_package.sh <build dir> <source dir>
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" > "$tmp/cpack.log" 2>&1 \
  || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/out/portwarden_*.deb)
echo "built $(basename "$deb")"

fail() { echo "FAIL: $*" >&2; exit 1; }
# Install for real into a scratch root: an empty dpkg database, dependencies not checked (the
# root has no other package), scripts run outside a chroot with DPKG_ROOT set.
mkdir -p "$tmp/root/var/lib/dpkg/info" "$tmp/root/var/lib/dpkg/updates"
touch "$tmp/root/var/lib/dpkg/status" "$tmp/root/var/lib/dpkg/available"
dpkg --root="$tmp/root" --log=/dev/null --force-depends --force-script-chrootless \
  --force-not-root -i "$deb" > "$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i"; }
dpkg --root="$tmp/root" -s portwarden | grep -q '^Status: install ok installed' \
  || fail "dpkg does not record portwarden as installed"
dpkg-deb -e "$deb" "$tmp/control"

# Stripped: no symbol table, and small (the unstripped release binary is about 30 MB).
command -v file >/dev/null && file "$tmp/root/usr/bin/portwarden" | grep -q ', stripped' \
  || fail "the binary is not stripped: $(file "$tmp/root/usr/bin/portwarden" 2>&1)"
readelf -S "$tmp/root/usr/bin/portwarden" | grep -q '\.symtab' && fail "the binary has .symtab"
size=$(stat -c %s "$tmp/root/usr/bin/portwarden")
echo "binary: $((size / 1024)) KiB, stripped"
sections() { readelf -S -W "$tmp/root/usr/bin/portwarden" | grep -E '^ +\[' ; }
if readelf -S -W "$tmp/root/usr/bin/portwarden" | grep -qE '\.(z?debug_|symtab)'; then
  sections >&2
  fail "the binary keeps debug or symbol sections"
fi
# A sanitizer build (the asan preset runs this test too) is large even stripped: its
# instrumentation, not debug information. The size bound is for the release binary.
sanitized=$(grep -c '^CMAKE_CXX_FLAGS:STRING=.*-fsanitize' "$build/CMakeCache.txt" || true)
if (( sanitized == 0 && size >= 8 * 1024 * 1024 )); then
  sections >&2
  grep -i strip "$tmp/cpack.log" >&2 || true
  fail "the binary is $size bytes: not stripped?"
fi
version=$("$tmp/root/usr/bin/portwarden" --version)
echo "--version: ${version%%$'\n'*}"
grep -q "portwarden" <<<"$version" || { echo "FAIL: unexpected --version output" >&2; exit 1; }

for f in etc/portwarden/portwarden.toml etc/default/portwarden \
         lib/systemd/system/portwarden.service \
         usr/share/portwarden/prometheus/portwarden-alerts.yml \
         usr/share/portwarden/dashboards/portwarden-fleet.json \
         usr/share/portwarden/dashboards/portwarden-host.json \
         usr/share/portwarden/grafana/provisioning/dashboards/portwarden.yml \
         usr/share/portwarden/grafana/provisioning/datasources/portwarden.yml \
         usr/share/doc/portwarden/README.md usr/share/doc/portwarden/copyright \
         usr/share/doc/portwarden/changelog.Debian.gz usr/share/doc/portwarden/docs/metrics.md; do
  [[ -f "$tmp/root/$f" ]] || fail "$f missing from the package"
done
# Every folder the package ships holds something (no empty provisioning folder).
empty=$(find "$tmp/root/usr" "$tmp/root/etc" "$tmp/root/lib" -type d -empty)
[[ -z "$empty" ]] || fail "empty folders in the package: $empty"
# The dashboards provider points at where the package puts the dashboards.
grep -q 'path: /usr/share/portwarden/dashboards' \
  "$tmp/root/usr/share/portwarden/grafana/provisioning/dashboards/portwarden.yml" \
  || fail "the dashboards provider does not point at /usr/share/portwarden/dashboards"
# The unit's Documentation= names files the package ships.
doc=$(sed -n 's|^Documentation=file:||p' "$tmp/root/lib/systemd/system/portwarden.service")
[[ -n "$doc" && -f "$tmp/root$doc" ]] || fail "Documentation=$doc is not in the package"
# The changelog's top version is the package's upstream version.
deb_version=$(dpkg-deb -f "$deb" Version)
changelog_version=$(gzip -dc "$tmp/root/usr/share/doc/portwarden/changelog.Debian.gz" \
  | sed -n '1s/^portwarden (\(.*\)).*/\1/p')
[[ "$changelog_version" == "$deb_version" ]] \
  || fail "changelog.Debian says $changelog_version, the package is $deb_version"
grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
  "$tmp/root/usr/share/doc/portwarden/copyright" || fail "copyright is not machine-readable"
maintainer=$(dpkg-deb -f "$deb" Maintainer)
echo "Maintainer: $maintainer"
[[ "$maintainer" =~ ^[^@]+\ \<[^@\ ]+@[a-z0-9.-]+\.[a-z]+\>$ && "$maintainer" != *localhost* ]] \
  || fail "Maintainer field '$maintainer'"

# Maintainer scripts: present, executable, valid sh; daemon-reload; never enable or start.
for script in postinst prerm postrm; do
  [[ -x "$tmp/control/$script" ]] || fail "$script missing or not executable"
  sh -n "$tmp/control/$script" || fail "$script is not valid sh"
done
grep -q 'daemon-reload' "$tmp/control/postinst" || fail "postinst does not daemon-reload"
if grep -nE 'systemctl +(--[a-z]+ +)*(enable|start)|deb-systemd-helper +enable|deb-systemd-invoke +start' \
  "$tmp/control/postinst"; then
  fail "postinst enables or starts the service: the administrator does that"
fi
grep -q 'deb-systemd-invoke stop' "$tmp/control/prerm" || fail "prerm does not stop the service"
# Removal and purge in the scratch root run the scripts too and leave only the conffiles' dirs.
dpkg --root="$tmp/root" --log=/dev/null --force-script-chrootless --force-not-root \
  --purge portwarden > "$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "dpkg --purge"; }
[[ ! -e "$tmp/root/usr/bin/portwarden" ]] || fail "the binary survived --purge"
dpkg-deb -x "$deb" "$tmp/root"
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
