#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/core/duration.h"

namespace portwarden::config {

/// Which address families a probe may use for a hostname.
enum class IpFamily : std::uint8_t { kAny, kIpv4, kIpv6 };

/// One `[[endpoints]]` entry: an HTTPS/TLS endpoint to probe.
struct EndpointConfig {
  std::string target;       ///< "host:port" as written; "[v6]:port" for IPv6 literals.
  std::string host;         ///< Host part of target (brackets removed).
  std::uint16_t port = 0;   ///< Port part of target.
  std::string server_name;  ///< SNI and hostname to verify; defaults to host.
  std::string ca_file;      ///< PEM bundle of trusted roots; empty = system store.
  std::string ca_path;      ///< Hashed certificate directory; empty = system store.
  std::string cert_file;    ///< Client certificate (mTLS), PEM.
  std::string key_file;     ///< Client key (mTLS), PEM.
  IpFamily ip_family = IpFamily::kAny;
  std::optional<Duration> timeout;  ///< Overrides agent.probe_timeout.
  bool http = false;                ///< Also GET http_path through libcurl.
  std::string http_path = "/";
  std::optional<std::uint16_t> plain_http_companion;  ///< Port expected to redirect to https.
  int max_addresses = 4;  ///< A hostname is probed on at most this many resolved addresses.
  /// Keep the presented chain as PEM (ProbeResult::chain_pem). Not a config key: `probe
  /// --show-certs` sets it; the daemon never holds the certificates themselves.
  bool capture_pem = false;
};

}  // namespace portwarden::config
