#pragma once

#include <span>
#include <vector>

#include "agent/config/config.h"
#include "agent/core/duration.h"
#include "agent/probe/probe_result.h"

namespace portwarden::probe {

/// What a probe cycle reads from the configuration: the `[agent]` probe keys. Plain data,
/// built from a Config by ProbeSettingsFrom() only, so the prober never sees the whole Config.
struct ProbeSettings {
  Duration timeout = config::AgentSettings{}.probe_timeout;     ///< agent.probe_timeout
  int concurrency = config::AgentSettings{}.probe_concurrency;  ///< agent.probe_concurrency
  /// agent.probe_spread ("auto" resolved against probe_interval): the window over which a
  /// cycle starts its probes (probe_spread.h); 0 = all at once.
  Duration spread{0};
};

/// The probe stage's settings from `config`.
ProbeSettings ProbeSettingsFrom(const config::Config& config);

/// The whole-probe timeout of `target`: its own, else agent.probe_timeout.
Duration TimeoutOf(const ProbeTarget& target, const ProbeSettings& settings);

/// The configured `[[endpoints]]` as probe targets (SNI defaults to the host).
std::vector<ProbeTarget> ConfiguredTargets(std::span<const config::EndpointConfig> endpoints);

}  // namespace portwarden::probe
