#include "agent/probe/probe_settings.h"

namespace portwarden::probe {

ProbeSettings ProbeSettingsFrom(const config::Config& config) {
  return {.timeout = config.agent.probe_timeout, .concurrency = config.agent.probe_concurrency};
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
