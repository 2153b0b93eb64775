# Every dependency comes from a Debian 12 package (.ci/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian's prometheus-cpp config file rejects any version request: ask for none.
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
# The web config (--web.config.file): YAML, bcrypt through the system's crypt library, gzip.
find_package(yaml-cpp CONFIG REQUIRED)
pkg_check_modules(LIBCRYPT REQUIRED IMPORTED_TARGET libcrypt)
find_package(ZLIB REQUIRED)
# The firewall stage: libnftables reads each namespace's ruleset (as JSON); nlohmann-json
# (header-only) parses it in one adapter, agent/firewall/nft_json.cc, and the JSON reader of
# `portwarden report --from` (exporters/json/state_reader.cc).
pkg_check_modules(LIBNFTABLES REQUIRED IMPORTED_TARGET libnftables)
find_package(nlohmann_json CONFIG REQUIRED)
