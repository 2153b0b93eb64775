#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "agent/config/config.h"
#include "agent/core/error.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/inventory_settings.h"
#include "agent/inventory/listener.h"
#include "agent/posture/posture_stage.h"
#include "agent/probe/prober.h"

namespace portwarden::engine {

/// The inventory stage, by role: one scan of the host's listening sockets. Implementations:
/// HostInventoryStage (inventory::Inventory: netlink, /proc, BPF); the fake in
/// tests/unit/engine/fake_stages.h. Called from the inventory job only (one at a time).
class InventoryStage {
 public:
  virtual ~InventoryStage() = default;

  /// New settings (a reload); they take effect at the next Scan().
  virtual void Apply(inventory::InventorySettings settings) = 0;

  /// The local ports whose established connections each Scan() counts (observed activity);
  /// a stage that cannot count them ignores it.
  virtual void SetWatchedPorts(std::vector<inventory::LocalPortRange> ports) { (void)ports; }

  /// One full scan. Never throws; a failure is reported in the result (`success` false).
  virtual inventory::InventoryReport Scan() = 0;
};

/// The real inventory: every network namespace of this host.
class HostInventoryStage final : public InventoryStage {
 public:
  explicit HostInventoryStage(inventory::InventorySettings settings)
      : inventory_(std::move(settings)) {}

  void Apply(inventory::InventorySettings settings) override {
    inventory_.Apply(std::move(settings));
  }

  void SetWatchedPorts(std::vector<inventory::LocalPortRange> ports) override {
    inventory_.SetWatchedPorts(std::move(ports));
  }

  inventory::InventoryReport Scan() override { return inventory_.Scan(); }

 private:
  inventory::Inventory inventory_;
};

/// Reads the configuration again (on Reload), or says why it cannot.
using ConfigLoader = std::function<Result<config::Config>()>;

/// The configuration file at `path` (config::LoadFile), or the built-in defaults when `path`
/// is empty.
ConfigLoader FileConfigLoader(std::string path);

/// What an AgentEngine runs, wired by the composition root (agent/app/daemon.cc) or a test.
struct EngineStages {
  std::string config_source;  ///< Where load_config reads from, for logs; "" = defaults.
  ConfigLoader load_config;
  std::unique_ptr<InventoryStage> inventory;
  std::unique_ptr<probe::Prober> prober;
  std::unique_ptr<posture::PostureStage> posture{};  ///< null: no posture job
};

}  // namespace portwarden::engine
