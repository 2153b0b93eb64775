#include "agent/inventory/inventory_settings.h"

namespace portwarden::inventory {

InventorySettings InventorySettingsFrom(const config::Config& config) {
  InventorySettings settings;
  settings.proc_path = config.inventory.proc_path;
  settings.process_walk = config.inventory.process_walk;
  settings.namespaces = config.discovery.namespaces;
  settings.udp = config.inventory.udp;
  settings.max_listener_series = config.inventory.max_listener_series;
  settings.zones = config.exposure.zones;
  settings.connection_tracking_max = config.inventory.connection_tracking_max;
  return settings;
}

}  // namespace portwarden::inventory
