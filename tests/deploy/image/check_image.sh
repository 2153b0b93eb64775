#!/usr/bin/env bash
# Builds the Dockerfile for real and runs the agent in the image (`make test-image`, opt-in:
# it compiles the agent from scratch inside the build stage, about 10-15 minutes on 2 cores).
#  1. mmdebstrap makes a Debian 12 root shaped like the official bookworm-slim (Essential
#     packages, apt and passwd; merged /usr without the usrmerge package, which would drag in
#     perl; no man pages, docs other than copyright, locales or info, also for later installs)
#     from the host's apt sources; buildah commits it as docker.io/library/debian:bookworm-slim,
#     the Dockerfile's base (no registry is needed).
#  2. buildah builds the Dockerfile with chroot isolation (no container runtime is needed).
#  3. The agent runs in the image with `buildah run --isolation=chroot` (host network, the
#     image's non-root user) on a free loopback port; /metrics is scraped and checked.
# Prints the image size and the agent's answer. Usage: check_image.sh [source dir]
set -euo pipefail
src=$(realpath "${1:-$(dirname "$0")/../../..}")
tmp=$(mktemp -d)
image=localhost/portwarden:image-test
base=docker.io/library/debian:bookworm-slim
containers=()
agent_pid=
cleanup() {
  [[ -n "$agent_pid" ]] && kill "$agent_pid" 2>/dev/null || true
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
for tool in buildah mmdebstrap curl python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (make test-image installs it)" >&2; exit 1; }
done

echo "== base image from mmdebstrap (slim, the host's apt sources)"
# The host's own apt sources (mmdebstrap copies a sources file given as a path).
sources=()
[[ -s /etc/apt/sources.list ]] && grep -q '^deb ' /etc/apt/sources.list && sources+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -f "$f" ]] && sources+=("$f")
done
slim=()
for path in /usr/share/man/'*' /usr/share/doc/'*' /usr/share/locale/'*' /usr/share/info/'*'; do
  slim+=(--dpkgopt="path-exclude=$path")
done
slim+=(--dpkgopt='path-include=/usr/share/doc/*/copyright')
slim+=(--dpkgopt='path-include=/usr/share/locale/locale.alias')
mmdebstrap --variant=apt --include=passwd --quiet --format=tar \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr --aptopt='APT::Install-Recommends "false"' \
  "${slim[@]}" bookworm "$tmp/base.tar" "${sources[@]}" > "$tmp/mmdebstrap.log" 2>&1 \
  || { cat "$tmp/mmdebstrap.log"; exit 1; }
ctr=$(buildah from scratch)
containers+=("$ctr")
buildah add --quiet "$ctr" "$tmp/base.tar" / >/dev/null
buildah config --cmd /bin/bash "$ctr"
buildah commit --quiet "$ctr" "$base" >/dev/null

echo "== buildah build (chroot isolation)"
buildah build --isolation=chroot --pull=never --layers=false -t "$image" -f "$src/Dockerfile" \
  "$src" > "$tmp/build.log" 2>&1 || { tail -50 "$tmp/build.log"; exit 1; }
size=$(buildah images --format '{{.Size}}' "$image")
base_size=$(buildah images --format '{{.Size}}' "$base")
echo "image $image: $size (base $base: $base_size)"

echo "== run the agent in the image"
run=$(buildah from --pull=never "$image")
containers+=("$run")
user=$(buildah inspect --format '{{.OCIv1.Config.User}}' "$run")
[[ "$user" == portwarden:portwarden ]] || { echo "FAIL: image user is '$user'" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
buildah run --isolation=chroot "$run" -- /usr/bin/portwarden \
  --config.file=/etc/portwarden/portwarden.toml --web.listen-address="127.0.0.1:$port" \
  > "$tmp/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break
  sleep 0.3
done
curl -fsS "http://127.0.0.1:$port/metrics" > "$tmp/metrics" \
  || { echo "FAIL: no /metrics"; cat "$tmp/agent.log"; exit 1; }
grep -E '^portwarden_build_info' "$tmp/metrics"
grep -qE "^portwarden_listener_info\{.*port=\"$port\"" "$tmp/metrics" \
  || { echo "FAIL: the agent does not list its own listener on $port" >&2; exit 1; }
uid=$(awk '/^Uid:/ {print $2}' "/proc/$(pgrep -f "web.listen-address=127.0.0.1:$port" | tail -1)/status")
[[ "$uid" == 65532 ]] || { echo "FAIL: the agent runs as uid $uid, not 65532" >&2; exit 1; }
echo "agent in the image answered: $(grep -c '^portwarden_' "$tmp/metrics") series, uid $uid"
echo "PASS: image built ($size), agent runs as portwarden and serves /metrics"
