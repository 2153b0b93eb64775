#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/config/certificates_config.h"
#include "agent/config/endpoint_config.h"
#include "agent/config/exposure_config.h"
#include "agent/core/duration.h"
#include "agent/core/error.h"

namespace portwarden::config {

/// The share of probe_interval that agent.probe_spread = "auto" spreads a cycle over (the rest
/// leaves room for the last probes' timeouts before the next cycle starts).
inline constexpr double kAutoSpreadFraction = 0.8;

/// `[agent]`: the collection schedule.
struct AgentSettings {
  Duration scan_interval = std::chrono::seconds(15);
  Duration probe_interval = std::chrono::seconds(60);
  /// The posture job (accepted protocol versions, certificate-chain findings): a handful of
  /// handshakes per endpoint, so it runs far less often than the probes.
  Duration posture_interval = std::chrono::hours(1);
  Duration probe_timeout = std::chrono::seconds(5);
  int probe_concurrency = 32;
  /// agent.probe_spread: a cycle starts its probes evenly over this window (each target at a
  /// stable offset) instead of all at once; 0 = all at once. At most probe_interval.
  Duration probe_spread{0};
  /// agent.probe_spread = "auto": the window is kAutoSpreadFraction of probe_interval.
  bool probe_spread_auto = false;
  double jitter = 0.1;  ///< Each run starts up to this fraction of its interval late.
};

/// `[web]`: the HTTP endpoint. Command-line flags override these.
struct WebSettings {
  std::vector<std::string> listen_addresses{":19443"};
  std::string telemetry_path = "/metrics";
  int max_connections = 8;  ///< Worker threads serving HTTP.
  Duration read_timeout = std::chrono::seconds(10);
};

enum class NamespaceMode : std::uint8_t { kAll, kHost };

/// `[discovery]`: which local listeners become probe targets, which namespaces to scan.
struct DiscoverySettings {
  bool enabled = true;
  std::vector<std::uint16_t> tls_ports{443, 8443};
  NamespaceMode namespaces = NamespaceMode::kAll;  ///< kAll needs root; see Defaults().
  bool namespaces_set = false;                     ///< true when the config chose explicitly
  std::string server_name;                         ///< SNI for discovered targets; "" = hostname
  std::string ca_file;  ///< Trusted roots for discovered targets; "" = system store.
  std::string ca_path;  ///< Hashed certificate directory for them; "" = system store.
  bool http = false;    ///< Also run the HTTP checks (status, HSTS) on discovered targets.
};

/// How sockets are mapped to processes: kAuto walks every process's fds with one BPF
/// iterator when the kernel and privileges allow it, else /proc/*/fd; kProcfs never uses BPF.
enum class ProcessWalk : std::uint8_t { kAuto, kProcfs };

/// `[inventory]`: the listener inventory.
struct InventorySettings {
  bool udp = true;                         ///< Include bound UDP sockets.
  std::size_t max_listener_series = 2000;  ///< Cap on per-listener series.
  std::string proc_path = "/proc";
  ProcessWalk process_walk = ProcessWalk::kAuto;
  /// Approved-listener file (`portwarden baseline save`); "" = no baseline. Read by the policy
  /// at each scan when it changed (baseline.h).
  std::string baseline;
  /// Most sockets the in-kernel connection tracker follows (BpfConnectionTracker); 0 counts
  /// observed activity with the filtered sock_diag dump only.
  std::size_t connection_tracking_max = 262'144;
};

/// `[revocation]`: CRL checking by the posture job (docs/configuration.md).
struct RevocationSettings {
  bool crl = true;  ///< Download the CRLs the served certificates name (plain HTTP, outbound).
  std::size_t crl_max_bytes = 10 * 1024 * 1024;  ///< Largest CRL downloaded; bigger ones fail.
  std::size_t crl_cache_entries = 32;            ///< CRLs held (each until its nextUpdate).
};

/// The whole configuration. Plain data: copy it freely; the agent swaps whole Configs.
struct Config {
  AgentSettings agent;
  WebSettings web;
  DiscoverySettings discovery;
  InventorySettings inventory;
  RevocationSettings revocation;
  std::vector<EndpointConfig> endpoints;
  ExposureConfig exposure;
  std::vector<CertificateSourceConfig> certificates;  ///< `[[certificates]]`, in file order.
  std::string source;  ///< File it was read from; empty for built-in defaults.
};

/// The built-in defaults (the agent is useful with no config file).
Config Defaults();

/// Reads and validates a TOML file. Errors read "<file>:<line>:<column>: <what>".
Result<Config> LoadFile(const std::string& path);

/// Same as LoadFile for text already in memory; `name` stands in for the file name in errors.
Result<Config> LoadString(std::string_view text, const std::string& name);

}  // namespace portwarden::config
