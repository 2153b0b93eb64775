#pragma once

#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/error.h"

namespace portwarden::exporters::prom {

/// A group of metric families that `--collector.<name>` / `--no-collector.<name>` turns on or
/// off, in the node_exporter manner. The agent's own health (portwarden_build_info,
/// portwarden_collector_*, portwarden_config_*, portwarden_start_time_seconds) is no group: it
/// is always exported.
enum class Collector : std::uint8_t {
  kInventory,     ///< portwarden_listeners, portwarden_inventory_*, series cap
  kListeners,     ///< per listener: portwarden_listener_info, _sockets, _first_seen_*
  kExposure,      ///< portwarden_exposure_violation(s), portwarden_listener_changes_total
  kTls,           ///< per endpoint: probe outcome, phases, counters, negotiated, verify
  kTlsChain,      ///< per certificate: portwarden_tls_cert_*
  kTlsHistogram,  ///< portwarden_tls_handshake_seconds (histogram)
  kHttp,          ///< portwarden_http_*
  kCertFiles,     ///< portwarden_cert_file_*, portwarden_tls_cert_renewed_not_served
  kPosture,       ///< portwarden_tls_protocol_accepted, portwarden_tls_posture_*
  kProcess,       ///< process_*
};

/// How many collectors there are.
inline constexpr std::size_t kCollectorCount = 10;

/// A collector's flag name and what it exports, for --help and docs.
struct CollectorInfo {
  Collector id;
  std::string_view name;
  std::string_view help;
};

/// `--collector.disable-defaults`: start from no collector.
inline constexpr std::string_view kDisableDefaults = "disable-defaults";

/// Every collector, in exposition order.
std::span<const CollectorInfo> AllCollectors();

/// Which collectors are enabled; all by default. Plain value, cheap to copy.
class CollectorSet {
 public:
  CollectorSet() { enabled_.set(); }

  bool Enabled(Collector collector) const { return enabled_.test(Index(collector)); }

  void Set(Collector collector, bool on) { enabled_.set(Index(collector), on); }

  /// Applies "name" → on/off toggles in order (the last one for a name wins); the name
  /// "disable-defaults" (on) turns every collector off first. Fails on an unknown name,
  /// listing the known ones.
  Status Apply(const std::vector<std::pair<std::string, bool>>& toggles);

 private:
  static std::size_t Index(Collector collector) { return static_cast<std::size_t>(collector); }

  std::bitset<kCollectorCount> enabled_;
};

}  // namespace portwarden::exporters::prom
