#!/usr/bin/env bash
# Installs every Debian 12 package portwarden needs to build, test and benchmark.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail

# What to install: `build` — what building and running the agent needs (`make run`, the
# Dockerfile's build stage); `all` (default) — that plus every test, benchmark and lint tool
# (`make test`, `.ci/run`); `image` — the tools of the opt-in container image test
# (`make test-image`).
mode=${1:-all}

build_packages=(
  cmake ninja-build g++ pkg-config make git ca-certificates
  prometheus-cpp-dev libssl-dev libcurl4-openssl-dev libtomlplusplus-dev libspdlog-dev
  libyaml-cpp-dev libcrypt-dev zlib1g-dev
  # the firewall stage: libnftables (reads the ruleset), nlohmann-json (parses its JSON)
  libnftables-dev nlohmann-json3-dev
)
test_packages=(
  # unit tests; the bare-floor memory benchmark's peer HTTP server
  libgtest-dev libgmock-dev libcpp-httplib-dev
  # tests: real peers and cross-checks
  prometheus prometheus-alertmanager prometheus-blackbox-exporter
  openssl iproute2 curl python3 procps util-linux clang-format
  apache2-utils
  # firewall integration tests: rulesets loaded by nft -f, iptables-nft and iptables-legacy
  # (the iptables package ships both)
  nftables iptables
  # the status page in a real browser (tests/integration/status_page: chromedriver's
  # WebDriver API from Python's standard library)
  chromium chromium-driver
  # static analysis (.ci/clang-tidy.sh): 16, as 14 cannot parse libstdc++ 12's <expected>
  clang-tidy-16
  systemd
  # the package test: cpack's dpkg-shlibdeps (dpkg-dev) and its `file` probe
  dpkg-dev file
  # real web servers for the HTTP/TLS check tests (nginx: ssl and http2 built in; apache2:
  # mod_ssl, mod_headers, mod_rewrite, mod_alias in apache2-bin's module directory)
  nginx apache2
  # Java keystores for the [[certificates]] tests (keytool makes JKS and PKCS12 keystores)
  openjdk-17-jre-headless
  # the posture cross-check (tests/integration/posture/testssl_test.py): an independent TLS
  # scanner whose protocol and cipher-category verdicts are compared with `probe --posture`
  testssl.sh
  # benchmarks: load generator and a peer exporter (tests/bench/scrape_bench.py)
  wrk prometheus-node-exporter
  # fuzzing: libFuzzer. clang 19, not 14: libstdc++ 12 offers std::expected only to compilers
  # that announce C++20 concepts in full (__cpp_concepts >= 202002), which clang 14-18 do not.
  clang-19 libclang-rt-19-dev
  # deploy checks: compose config, Kubernetes schema validation (npm), dashboards/rules tooling
  docker-compose nodejs python3-yaml python3-cryptography
)
# The container image test: buildah builds the Dockerfile (chroot isolation) from a base image
# made locally by mmdebstrap.
image_packages=(buildah mmdebstrap uidmap)

case "$mode" in
  build) packages=("${build_packages[@]}") ;;
  all) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  image) packages=("${image_packages[@]}") ;;
  *)
    echo "usage: $0 [build|all|image]" >&2
    exit 2
    ;;
esac

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

# Kubernetes API schemas for tests/deploy (npm packages pinned by package-lock.json).
install_k8s_schemas() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/deploy/kubernetes"
  if [[ -f "$dir/package.json" && ! -d "$dir/node_modules/kubernetes-models" ]]; then
    command -v npm >/dev/null || "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if [[ $(id -u) -eq 0 ]]; then
  sudo_cmd=()
else
  sudo_cmd=(sudo)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  if [[ "$mode" == all ]]; then
    install_k8s_schemas
  fi
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# The Debian prometheus packages start their services on install where systemd runs;
# policy-rc.d keeps them from binding fixed ports on developer machines and CI.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
  remove_policy=1
fi
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [[ -n "${remove_policy:-}" ]]; then
  "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d
fi
if [[ "$mode" == all ]]; then
  install_k8s_schemas
fi
