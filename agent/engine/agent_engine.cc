#include "agent/engine/agent_engine.h"

#include <chrono>
#include <string>
#include <utility>

#include "agent/certfiles/cross_check.h"
#include "agent/core/duration.h"
#include "agent/core/log.h"
#include "agent/inventory/inventory_summary.h"

namespace portwarden::engine {
namespace {

// The one line an operator reads after start-up: what the first scan saw, how, and what it
// could not see (a partial view names its reasons; docs/metrics.md lists the states).
void LogFirstScan(const inventory::InventoryReport& report, const policy::PolicyReport& verdicts) {
  int violations = 0;
  for (const auto& verdict : verdicts.verdicts) {
    violations += verdict.violation ? 1 : 0;
  }
  const auto& stats = report.stats;
  const bool partial = inventory::ViewPartial(stats);
  (partial ? log::Warn : log::Info)(
      "First inventory scan",
      {{"listeners", static_cast<int>(report.listeners.size())},
       {"namespaces", inventory::NamespaceSummary(stats)},
       {"violations", violations},
       {"attribution_partial", stats.attribution_partial},
       {"partial_view", partial ? inventory::PartialReasons(stats) : std::string("no")}});
}

constexpr const char* kInventoryJob = "inventory";
constexpr const char* kProbeJob = "tls";
constexpr const char* kPostureJob = "posture";

void SetCollector(state::Snapshot& snapshot, state::CollectorStatus status) {
  for (auto& existing : snapshot.collectors) {
    if (existing.name == status.name) {
      existing = std::move(status);
      return;
    }
  }
  snapshot.collectors.push_back(std::move(status));
}

// The probe results and what is derived from them.
void SetProbes(state::Snapshot& snapshot, std::shared_ptr<const probe::ProbeReport> report) {
  snapshot.cross_checks = std::make_shared<const certfiles::CrossCheckReport>(
      certfiles::CrossCheck(*report, *snapshot.cert_files, *snapshot.posture));
  snapshot.probes = std::move(report);
}

// Identity of a target list, to notice when discovery found or lost a listener.
std::string TargetsKey(const std::vector<probe::ProbeTarget>& targets) {
  std::string key;
  for (const auto& target : targets) {
    key += target.endpoint.target + "|" + target.netns + ";";
  }
  return key;
}

}  // namespace

AgentEngine::AgentEngine(config::Config config,
                         EngineStages stages,
                         state::SnapshotStore& store,
                         const Clock& clock)
    : config_source_(std::move(stages.config_source)),
      load_config_(std::move(stages.load_config)),
      store_(store),
      clock_(clock),
      config_(std::make_shared<const config::Config>(std::move(config))),
      inventory_(std::move(stages.inventory)),
      prober_(std::move(stages.prober)),
      posture_(std::move(stages.posture)),
      inventory_config_(config_),
      discovered_config_(config_) {
  const double now = ToUnixSeconds(clock_.Now());
  store_.Update([&](state::Snapshot& snapshot) {
    snapshot.start_timestamp = now;
    snapshot.reload.last_successful = true;
    snapshot.reload.last_success_timestamp = now;
    snapshot.reload.source = config_->source;
  });
  scheduler_.Add({kInventoryJob, [this] { return CurrentConfig()->agent.scan_interval; },
                  [this] { return CurrentConfig()->agent.jitter; }, [this] { RunInventory(); }});
  scheduler_.Add({kProbeJob, [this] { return CurrentConfig()->agent.probe_interval; },
                  [this] { return CurrentConfig()->agent.jitter; }, [this] { RunProbes(); }});
  if (posture_) {
    scheduler_.Add({kPostureJob, [this] { return CurrentConfig()->agent.posture_interval; },
                    [this] { return CurrentConfig()->agent.jitter; }, [this] { RunPosture(); }});
  }
}

AgentEngine::~AgentEngine() {
  Stop();
}

void AgentEngine::Start() {
  scheduler_.Start();
}

void AgentEngine::Stop() {
  prober_->Cancel();  // A probe cycle in flight returns within ~50 ms.
  if (posture_) {
    posture_->Cancel();
  }
  scheduler_.Stop();
}

std::shared_ptr<const config::Config> AgentEngine::CurrentConfig() const {
  const std::lock_guard lock(config_mutex_);
  return config_;
}

Status AgentEngine::Reload() {
  const std::lock_guard reload_lock(reload_mutex_);
  log::Info("Loading configuration file",
            {{"file", config_source_.empty() ? "(defaults)" : config_source_}});
  auto loaded = load_config_();
  const double now = ToUnixSeconds(clock_.Now());
  if (!loaded) {
    log::Error("Error reloading configuration; keeping the running one",
               {{"file", config_source_}, {"err", loaded.error().message}});
    store_.Update([&](state::Snapshot& snapshot) {
      snapshot.reload.last_successful = false;
      snapshot.reload.last_error = loaded.error().message;
    });
    return std::unexpected(loaded.error());
  }
  {
    const std::lock_guard lock(config_mutex_);
    config_ = std::make_shared<const config::Config>(std::move(*loaded));
  }
  store_.Update([&](state::Snapshot& snapshot) {
    snapshot.reload.last_successful = true;
    snapshot.reload.last_success_timestamp = now;
    snapshot.reload.last_error.clear();
    snapshot.reload.source = config_source_;
  });
  log::Info("Completed loading of configuration file", {{"file", config_source_}});
  prober_->Interrupt();               // a spread cycle in progress starts what it has left now
  scheduler_.Trigger(kInventoryJob);  // which wakes the probe job with the new targets
  scheduler_.Trigger(kPostureJob);
  return {};
}

void AgentEngine::RunInventory() {
  const auto config = CurrentConfig();
  if (config != inventory_config_) {
    inventory_->Apply(inventory::InventorySettingsFrom(*config));
    inventory_config_ = config;
  }
  inventory_->SetWatchedPorts(policy::WatchedPorts(*config));
  const auto started = clock_.SteadyNow();
  auto report = std::make_shared<inventory::InventoryReport>(inventory_->Scan());
  const double scan_seconds = SecondsSince(clock_, started);
  auto firewall = std::make_shared<firewall::FirewallReport>(firewall_.Assess(*report));
  const auto policy_started = clock_.SteadyNow();
  auto verdicts = std::make_shared<policy::PolicyReport>(
      policy_.Evaluate(*report, policy::PolicySettingsFrom(*config), clock_.Now(), firewall.get()));
  const double policy_seconds = SecondsSince(clock_, policy_started);
  const double now = ToUnixSeconds(clock_.Now());
  if (!report->success) {
    log::Error("Inventory scan failed", {{"err", report->error}});
  }
  if (!first_scan_logged_) {
    first_scan_logged_ = true;
    LogFirstScan(*report, *verdicts);
  }
  // Discovery follows the inventory: its targets go straight to the probe job.
  auto discovered = discovery::DiscoverTargets(report->listeners, report->namespaces,
                                               config->discovery, discovery::HostName());
  unprobed_log_.Note(discovered.unprobed);
  const std::string discovered_key = TargetsKey(discovered.targets);
  {
    const std::lock_guard lock(discovered_mutex_);
    discovered_ =
        std::make_shared<const std::vector<probe::ProbeTarget>>(std::move(discovered.targets));
  }
  double cert_seconds = 0;
  auto cert_files = ReadCertificateFiles(*config, cert_seconds);
  store_.Update([&](state::Snapshot& snapshot) {
    snapshot.inventory = report;
    snapshot.policy = verdicts;
    snapshot.firewall = firewall;
    snapshot.discovery = discovered.stats;
    SetCollector(snapshot, {"inventory", report->success, scan_seconds, now, report->error});
    SetCollector(snapshot, {"exposure", report->success, policy_seconds, now, ""});
    if (cert_files) {
      snapshot.cert_files = cert_files;
      snapshot.cross_checks = std::make_shared<const certfiles::CrossCheckReport>(
          certfiles::CrossCheck(*snapshot.probes, *cert_files, *snapshot.posture));
      SetCollector(snapshot, {"certfiles", true, cert_seconds, now, ""});
    }
    SetCollector(snapshot,
                 {"firewall", true, firewall->read_seconds + firewall->evaluate_seconds, now, ""});
  });
  if (!inventory_done_.exchange(true) && posture_) {
    scheduler_.Trigger(kPostureJob);  // its first run waited for the discovered targets
  }
  // Probe new listeners now, drop gone ones now; after a reload, probe with the new config now.
  if (discovered_key != discovered_key_ || config != discovered_config_) {
    scheduler_.Trigger(kProbeJob);
  }
  discovered_key_ = discovered_key;
  discovered_config_ = config;
}

// Certificate files are re-read on the inventory's schedule, each only when a stat() says it
// changed (cert_file_collector.h). Null when none are configured and none were (the snapshot
// keeps its empty report, and no "certfiles" collector series appears).
std::shared_ptr<const certfiles::CertFileReport> AgentEngine::ReadCertificateFiles(
    const config::Config& config, double& seconds) {
  if (config.certificates.empty() && !cert_files_seen_) {
    return nullptr;
  }
  cert_files_seen_ = true;
  const auto started = clock_.SteadyNow();
  auto report =
      std::make_shared<const certfiles::CertFileReport>(cert_files_.Collect(config.certificates));
  seconds = SecondsSince(clock_, started);
  return report;
}

std::vector<probe::ProbeTarget> AgentEngine::TargetsNow(const config::Config& config) const {
  auto targets = probe::ConfiguredTargets(config.endpoints);
  if (config.discovery.enabled) {  // a reload may have turned it off since the last scan
    std::shared_ptr<const std::vector<probe::ProbeTarget>> discovered;
    {
      const std::lock_guard lock(discovered_mutex_);
      discovered = discovered_;
    }
    targets.insert(targets.end(), discovered->begin(), discovered->end());
  }
  return targets;
}

void AgentEngine::RunProbes() {
  const auto config = CurrentConfig();
  const auto targets = TargetsNow(*config);
  auto settings = probe::ProbeSettingsFrom(*config);
  if (!probes_done_.load()) {
    settings.spread = Duration(0);  // the first cycle bursts, so /-/ready comes quickly
  }
  // A spread cycle publishes as it goes, so a result is not held back for the window.
  const probe::CycleProgress progress{
      .previous = store_.Get()->probes,
      .publish =
          [this](std::shared_ptr<const probe::ProbeReport> so_far) {
            store_.Update(
                [&](state::Snapshot& snapshot) { SetProbes(snapshot, std::move(so_far)); });
          },
      // A reload stores its config before it calls Interrupt(), so one that lands before
      // the window is armed is seen here.
      .superseded = [this, config] { return CurrentConfig() != config; }};
  const auto started = clock_.SteadyNow();
  auto report =
      std::make_shared<probe::ProbeReport>(prober_->RunCycle(targets, settings, progress));
  const double seconds = SecondsSince(clock_, started);
  const double now = ToUnixSeconds(clock_.Now());
  store_.Update([&](state::Snapshot& snapshot) {
    SetProbes(snapshot, report);
    SetCollector(snapshot, {"tls", true, seconds, now, ""});
  });
  probes_done_.store(true);
}

// The posture job runs on its own (slow) schedule over the same targets as the probes. Its
// first run waits for the first scan's discovered targets: the inventory job triggers it.
void AgentEngine::RunPosture() {
  if (!inventory_done_.load()) {
    return;
  }
  const auto config = CurrentConfig();
  const auto started = clock_.SteadyNow();
  auto report =
      std::make_shared<posture::PostureReport>(posture_->Run(TargetsNow(*config), *config));
  const double seconds = SecondsSince(clock_, started);
  const double now = ToUnixSeconds(clock_.Now());
  store_.Update([&](state::Snapshot& snapshot) {
    snapshot.posture = report;
    snapshot.cross_checks = std::make_shared<const certfiles::CrossCheckReport>(
        certfiles::CrossCheck(*snapshot.probes, *snapshot.cert_files, *report));
    SetCollector(snapshot, {"posture", true, seconds, now, ""});
  });
}

}  // namespace portwarden::engine
