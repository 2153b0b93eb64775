#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/certfiles/cert_file_report.h"
#include "agent/core/host_identity.h"
#include "agent/discovery/discovery.h"
#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

namespace portwarden::state {

/// The last run of one collector (inventory, exposure, tls, posture).
struct CollectorStatus {
  std::string name;
  bool success = false;
  double duration_seconds = 0;
  double timestamp = 0;  ///< Unix seconds when the run finished.
  std::string error;
};

/// Config reload bookkeeping, for portwarden_config_last_reload_*.
struct ReloadStatus {
  bool last_successful = true;
  double last_success_timestamp = 0;
  std::string last_error;
  std::string source;  ///< Config file in force ("" = built-in defaults).
};

/// Everything the exporters render, immutable once published. Parts are shared between
/// successive snapshots, so publishing a new probe report copies no listener.
struct Snapshot {
  std::shared_ptr<const inventory::InventoryReport> inventory =
      std::make_shared<inventory::InventoryReport>();
  std::shared_ptr<const policy::PolicyReport> policy = std::make_shared<policy::PolicyReport>();
  std::shared_ptr<const probe::ProbeReport> probes = std::make_shared<probe::ProbeReport>();
  /// Certificates read from `[[certificates]]` files, and the files that gave errors.
  std::shared_ptr<const certfiles::CertFileReport> cert_files =
      std::make_shared<certfiles::CertFileReport>();
  /// Drift (disk vs served) and consistency across ports, from `probes` and `cert_files`.
  std::shared_ptr<const certfiles::CrossCheckReport> cross_checks =
      std::make_shared<certfiles::CrossCheckReport>();
  /// The latest posture run (agent.posture_interval), empty until the first one finished.
  std::shared_ptr<const posture::PostureReport> posture =
      std::make_shared<posture::PostureReport>();
  /// Firewall verdicts of the inventory's listeners (listeners[i] ↔ inventory->listeners[i]).
  std::shared_ptr<const firewall::FirewallReport> firewall =
      std::make_shared<firewall::FirewallReport>();
  discovery::DiscoveryStats discovery;  ///< Discovered listeners by state, per inventory scan.
  std::vector<CollectorStatus> collectors;
  ReloadStatus reload;
  double start_timestamp = 0;  ///< When the agent started, Unix seconds.
  HostIdentity host;           ///< Read once at start (status page, /api/state, report).
  /// Set by SnapshotStore: one more than the snapshot it replaced, so a reader can tell a new
  /// snapshot from one it has already rendered without holding on to the old one.
  std::uint64_t generation = 0;
};

/// Holds the current snapshot. Readers get a shared_ptr<const Snapshot> that stays valid
/// however long they hold it; writers publish a modified copy. Thread-safe.
class SnapshotStore {
 public:
  SnapshotStore() : current_(std::make_shared<const Snapshot>()) {}

  std::shared_ptr<const Snapshot> Get() const;

  /// Copies the current snapshot, applies `change`, publishes the result atomically.
  template <typename Change>
  void Update(Change&& change) {
    const std::lock_guard lock(write_mutex_);
    auto next = std::make_shared<Snapshot>(*Get());
    change(*next);
    ++next->generation;
    Publish(std::move(next));
  }

 private:
  void Publish(std::shared_ptr<const Snapshot> next);

  std::mutex write_mutex_;
  mutable std::mutex read_mutex_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace portwarden::state
