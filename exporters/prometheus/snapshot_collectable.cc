#include "exporters/prometheus/snapshot_collectable.h"

#include <prometheus/text_serializer.h>

#include "agent/core/process_stats.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

SnapshotCollectable::SnapshotCollectable(SnapshotSource source, std::string proc_path)
    : source_(std::move(source)), proc_path_(std::move(proc_path)) {}

std::vector<prometheus::MetricFamily> SnapshotCollectable::Collect() const {
  const std::shared_ptr<const state::Snapshot> snapshot = source_();
  Families out;
  AppendSelfMetrics(*snapshot, out);
  AppendListenerMetrics(*snapshot, out);
  AppendExposureMetrics(*snapshot, out);
  AppendTlsMetrics(*snapshot, out);
  AppendProcessMetrics(ReadProcessStats(proc_path_), out);
  return out;
}

std::string SerializeText(const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace portwarden::exporters::prom
