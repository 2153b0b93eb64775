#include "agent/probe/probe_settings.h"

#include <chrono>

namespace portwarden::probe {

ProbeSettings ProbeSettingsFrom(const config::Config& config) {
  const auto& agent = config.agent;
  const Duration spread =
      agent.probe_spread_auto
          ? std::chrono::duration_cast<Duration>(agent.probe_interval * config::kAutoSpreadFraction)
          : agent.probe_spread;
  return {.timeout = agent.probe_timeout, .concurrency = agent.probe_concurrency, .spread = spread};
}

Duration TimeoutOf(const ProbeTarget& target, const ProbeSettings& settings) {
  return target.endpoint.timeout.value_or(settings.timeout);
}

std::vector<ProbeTarget> ConfiguredTargets(std::span<const config::EndpointConfig> endpoints) {
  std::vector<ProbeTarget> targets;
  targets.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) {
    ProbeTarget target{endpoint, TargetSource::kConfig, "", ""};
    if (target.endpoint.server_name.empty()) {
      target.endpoint.server_name = target.endpoint.host;
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace portwarden::probe
