// portwarden_discovery_targets: discovered TLS listeners by how they are probed, or why not.
#include <string>

#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

void AppendDiscoveryMetrics(const state::Snapshot& snapshot, Families& out) {
  auto targets = Gauge("portwarden_discovery_targets",
                       "Local listeners on discovery.tls_ports at the last scan, by state: "
                       "probed_inside, probed_via_address, not_probed_loopback, "
                       "not_probed_no_address (see docs/metrics.md).");
  if (snapshot.discovery.enabled) {  // every state present, at 0 when none, for alerts
    for (const auto state : discovery::kAllTargetStates) {
      targets.Add({{"state", std::string(discovery::TargetStateName(state))}},
                  snapshot.discovery.Count(state));
    }
  }
  targets.MoveInto(out);
}

}  // namespace portwarden::exporters::prom
