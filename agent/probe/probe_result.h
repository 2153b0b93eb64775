#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "agent/config/endpoint_config.h"

namespace portwarden::probe {

/// Most client-CA names kept from one CertificateRequest.
inline constexpr std::size_t kMaxClientCaNames = 32;

/// Where a probe target came from.
enum class TargetSource : std::uint8_t { kConfig, kDiscovered };

/// One thing to probe: a configured endpoint or a discovered local listener.
struct ProbeTarget {
  config::EndpointConfig endpoint;  ///< target/host/port/server_name/... filled in either case.
  TargetSource source = TargetSource::kConfig;
  std::string netns;       ///< Discovered targets: label of the netns to probe from.
  std::string netns_path;  ///< Path to open it with (setns); empty = own netns.
};

/// One certificate of the presented chain.
struct CertificateInfo {
  int chain_pos = 0;  ///< 0 = leaf.
  double not_before = 0;
  double not_after = 0;
  std::string subject_cn;
  std::string issuer_cn;
  std::string serial;              ///< lowercase hex
  std::string fingerprint_sha256;  ///< lowercase hex
  std::string san;                 ///< comma-separated DNS/IP names
  std::string key_algorithm;       ///< "RSA", "EC", "ED25519", ...
  int key_bits = 0;
  std::string signature_algorithm;  ///< e.g. "sha256WithRSAEncryption"
};

/// What a posture handshake keeps for the posture checks (agent/posture/), beyond what the
/// metrics carry: only contexts built with TlsContextKey::evidence capture it.
struct HandshakeEvidence {
  std::vector<std::string> chain_der;  ///< The presented chain as sent, DER; [0] = leaf.
  std::string ocsp_response;           ///< The stapled OCSP response, DER; "" = none.
  int handshake_scts = 0;  ///< SCTs from the TLS extension and the stapled OCSP response.
};

/// Phase durations in seconds; a phase that did not run is absent.
struct PhaseTimings {
  std::optional<double> resolve;
  std::optional<double> connect;
  std::optional<double> handshake;
  std::optional<double> http;
};

/// The outcome of probing one address of one target.
struct ProbeResult {
  std::string target;   ///< As configured or discovered ("host:port").
  std::string address;  ///< IP:port actually probed ("" when resolution failed).
  std::string server_name;
  TargetSource source = TargetSource::kConfig;
  double timestamp = 0;  ///< Unix seconds when the probe finished.
  bool success = false;
  std::string failure_reason;  ///< From the closed set in docs/metrics.md; "" on success.
  std::string failure_detail;  ///< OpenSSL / system text for logs and the CLI.
  std::string failure_phase;   ///< resolve|connect|handshake|verify|http; "" on success.
  PhaseTimings phases;
  std::string tls_version;  ///< "TLS 1.3"
  std::string cipher;
  std::string group;  ///< Key-exchange group, e.g. "X25519".
  std::string alpn;   ///< ALPN protocol the server selected ("h2", "http/1.1"); "" = none.
  std::vector<CertificateInfo> chain;
  /// The chain as PEM, chain_pos order; only when the endpoint asked (capture_pem).
  std::vector<std::string> chain_pem;
  /// Distinguished names (RFC 2253) of the client-certificate CAs the server named in its
  /// CertificateRequest, when it asked for a client certificate and the handshake failed or
  /// none was sent: which certificate it wants. At most kMaxClientCaNames.
  std::vector<std::string> client_ca_names;
  bool verified = false;
  std::string verify_result;  ///< "ok", "expired", "self_signed", ...
  std::string verify_detail;  ///< OpenSSL's own text.
  int verify_depth = -1;      ///< chain_pos where verification first failed; -1 = none.
  std::optional<int> http_status;
  std::optional<bool> hsts;
  std::optional<double> hsts_max_age;
  /// The plain-HTTP companion, when it answered: "192.0.2.1:80" / "[2001:db8::1]:80" (the
  /// probed IP, the companion port), its status, and its Location resolved against the request
  /// URL ("" when none).
  std::string companion_address;
  std::optional<int> companion_status;
  std::string companion_location;
  std::optional<bool> companion_redirects_to_https;
  /// Posture handshakes only (TlsContextKey::evidence); null for the probes.
  std::shared_ptr<const HandshakeEvidence> evidence;
};

/// Cumulative counters and histogram for one (target, address, server_name, source).
struct ProbeCounters {
  std::string target;
  std::string address;
  std::string server_name;
  TargetSource source = TargetSource::kConfig;
  std::uint64_t probes_total = 0;
  std::map<std::string, std::uint64_t> failures_by_reason;
  std::vector<std::uint64_t> handshake_bucket_counts;  ///< Cumulative, one per bound.
  std::uint64_t handshake_count = 0;
  double handshake_sum = 0;
  std::string last_failure_reason;  ///< "" when the last probe succeeded; drives change logs.
};

/// All probe output of the latest cycle.
struct ProbeReport {
  std::vector<ProbeResult> results;
  /// Histogram bounds for portwarden_tls_handshake_seconds.
  std::vector<double> handshake_bounds;
  /// Keyed by CountersKey(result); only series still probed are kept.
  std::map<std::string, ProbeCounters> counters;
};

/// "config" or "discovered", the `source` label.
inline const char* SourceName(TargetSource source) {
  return source == TargetSource::kDiscovered ? "discovered" : "config";
}

/// The key of a result's counters in ProbeReport::counters.
inline std::string CountersKey(const ProbeResult& result) {
  return result.target + '|' + result.address + '|' + result.server_name + '|' +
         SourceName(result.source);
}

/// The earliest not_after over a chain; nullopt for an empty chain.
inline std::optional<double> EarliestNotAfter(const std::vector<CertificateInfo>& chain) {
  std::optional<double> earliest;
  for (const auto& cert : chain) {
    if (!earliest || cert.not_after < *earliest) {
      earliest = cert.not_after;
    }
  }
  return earliest;
}

}  // namespace portwarden::probe
