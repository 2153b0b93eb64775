#include "agent/inventory/inventory.h"

namespace portwarden::inventory {

// Placeholder until the inventory issue lands.
struct Inventory::State {
  config::Config config;
};

Inventory::Inventory(const config::Config& config) : state_(std::make_unique<State>()) {
  ApplyConfig(config);
}

Inventory::~Inventory() = default;

void Inventory::ApplyConfig(const config::Config& config) {
  state_->config = config;
}

InventoryReport Inventory::Scan() {
  InventoryReport report;
  report.success = true;
  return report;
}

}  // namespace portwarden::inventory
