#include "agent/probe/probe_runner.h"

namespace portwarden::probe {

// Placeholder until the prober issue lands.
struct ProbeRunner::State {};

ProbeRunner::ProbeRunner() : state_(std::make_unique<State>()) {}

ProbeRunner::~ProbeRunner() = default;

std::vector<ProbeTarget> ConfiguredTargets(const config::Config& config) {
  std::vector<ProbeTarget> targets;
  for (const auto& endpoint : config.endpoints) {
    targets.push_back(ProbeTarget{endpoint, TargetSource::kConfig, 0, "", ""});
  }
  return targets;
}

std::vector<ProbeTarget> DiscoveredTargets(const std::vector<inventory::Listener>& /*listeners*/,
                                           const config::Config& /*config*/) {
  return {};
}

void ProbeRunner::Cancel() {}

ProbeReport ProbeRunner::RunCycle(const std::vector<ProbeTarget>& /*targets*/,
                                  const config::Config& /*config*/) {
  return {};
}

}  // namespace portwarden::probe
