#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/certfiles/cert_file_collector.h"
#include "agent/config/config.h"
#include "agent/core/clock.h"
#include "agent/discovery/discovery.h"
#include "agent/engine/scheduler.h"
#include "agent/engine/stages.h"
#include "agent/firewall/firewall.h"
#include "agent/policy/policy.h"
#include "agent/state/snapshot.h"

namespace portwarden::engine {

/// The daemon's collection loop: the inventory job (scan + policy + discovery), the TLS probe
/// job and the posture job (agent.posture_interval) run on their own schedules and publish
/// into the SnapshotStore; exporters only read it. The stages come in through interfaces
/// (EngineStages: the inventory, the Prober, the PostureStage, the config loader) and time through
/// `clock`, so the loop is unit-tested with fakes. Thread-safe: Reload() may be called from any
/// thread while the jobs run.
class AgentEngine {
 public:
  /// `config` is the one loaded at start; `stages.load_config` is called again on Reload().
  /// `store` and `clock` must outlive the engine.
  AgentEngine(config::Config config,
              EngineStages stages,
              state::SnapshotStore& store,
              const Clock& clock);
  ~AgentEngine();
  AgentEngine(const AgentEngine&) = delete;
  AgentEngine& operator=(const AgentEngine&) = delete;

  void Start();
  void Stop();

  /// True once the first inventory scan and the first probe cycle have been published.
  bool Ready() const { return inventory_done_.load() && probes_done_.load(); }

  /// Re-reads the config file. On success the new config takes effect at once (the jobs
  /// are woken); on failure the running config stays and the error is returned.
  Status Reload();

  std::shared_ptr<const config::Config> CurrentConfig() const;

 private:
  void RunInventory();
  void RunProbes();
  std::shared_ptr<const certfiles::CertFileReport> ReadCertificateFiles(
      const config::Config& config, double& seconds);
  void RunPosture();
  /// The configured targets plus, when discovery is on, the latest discovered ones.
  std::vector<probe::ProbeTarget> TargetsNow(const config::Config& config) const;

  std::string config_source_;
  ConfigLoader load_config_;
  state::SnapshotStore& store_;
  const Clock& clock_;

  mutable std::mutex config_mutex_;
  std::shared_ptr<const config::Config> config_;
  std::mutex reload_mutex_;

  std::unique_ptr<InventoryStage> inventory_;
  firewall::FirewallStage firewall_;
  policy::PolicyEngine policy_;
  std::unique_ptr<probe::Prober> prober_;
  certfiles::CertFileCollector cert_files_;         // only the inventory job touches it
  bool cert_files_seen_ = false;                    // [[certificates]] configured, now or before
  std::unique_ptr<posture::PostureStage> posture_;  // null: no posture job
  std::shared_ptr<const config::Config> inventory_config_;  // last applied to inventory_
  discovery::UnprobedLog unprobed_log_;                     // only the inventory job touches it
  std::string discovered_key_;  // identity of the discovered target set, to spot changes
  std::shared_ptr<const config::Config> discovered_config_;  // config of the last discovery
  // The inventory job's discovered targets, handed to the probe job (not via the snapshot).
  mutable std::mutex discovered_mutex_;
  std::shared_ptr<const std::vector<probe::ProbeTarget>> discovered_ =
      std::make_shared<const std::vector<probe::ProbeTarget>>();

  std::atomic<bool> inventory_done_{false};
  bool first_scan_logged_ = false;  // only the inventory job reads and writes it
  std::atomic<bool> probes_done_{false};
  Scheduler scheduler_{clock_};
};

}  // namespace portwarden::engine
