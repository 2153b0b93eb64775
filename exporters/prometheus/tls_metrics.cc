#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

// Placeholder: filled in by the issue that builds this metric group.
void AppendTlsMetrics(const state::Snapshot& /*snapshot*/, Families& /*out*/) {}

}  // namespace portwarden::exporters::prom
