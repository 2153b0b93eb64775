#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "agent/state/snapshot.h"
#include "exporters/prometheus/collector_set.h"

namespace portwarden::exporters::prom {

/// Renders the current snapshot as metric families at each Collect(), for callers that want
/// prometheus-cpp's interface. /metrics uses ExpositionCache instead, which renders once per
/// snapshot. Holds no metric state itself, so vanished listeners and targets vanish from the
/// output at once. Thread-safe: Collect() may run on several threads at the same time.
class SnapshotCollectable : public prometheus::Collectable {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const state::Snapshot>()>;

  SnapshotCollectable(SnapshotSource source, std::string proc_path, CollectorSet collectors = {});

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  SnapshotSource source_;
  std::string proc_path_;
  CollectorSet collectors_;
};

/// Text exposition format 0.0.4 of `families`.
std::string SerializeText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace portwarden::exporters::prom
