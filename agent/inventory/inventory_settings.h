#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "agent/config/config.h"

namespace portwarden::inventory {

/// What the inventory reads of the configuration (`[inventory]`, `[discovery] namespaces`,
/// `[exposure] zones`), so that it depends on those fields only. Plain data; built from a
/// Config by InventorySettingsFrom(), the one place that knows where each field comes from.
struct InventorySettings {
  std::string proc_path = "/proc";  ///< /proc tree attribution reads (a fixture in tests)
  config::ProcessWalk process_walk = config::ProcessWalk::kAuto;
  config::NamespaceMode namespaces = config::NamespaceMode::kAll;
  bool udp = true;                          ///< include bound UDP sockets
  std::size_t max_listener_series = 2000;   ///< cap on per-listener series (for the stats)
  std::vector<config::ZoneOverride> zones;  ///< scope overrides by interface or CIDR
  /// Sockets the in-kernel connection tracker may follow; 0 = the filtered dump only.
  std::size_t connection_tracking_max = 262'144;
};

/// The inventory's settings in `config`.
InventorySettings InventorySettingsFrom(const config::Config& config);

}  // namespace portwarden::inventory
