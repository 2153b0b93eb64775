#include "exporters/prometheus/exposition.h"

#include "agent/core/process_stats.h"
#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"
#include "exporters/prometheus/text_writer.h"

namespace portwarden::exporters::prom {
namespace {

struct Group {
  Collector collector;
  void (*append)(const state::Snapshot&, Families&);
  /// The same families through a MetricWriter, when the group has that form (the
  /// per-endpoint groups): RenderSnapshot streams those as text, with no families built.
  void (*write)(const state::Snapshot&, MetricWriter&) = nullptr;
};

// Exposition order; a collector may own several groups.
constexpr Group kGroups[] = {
    {Collector::kListeners, AppendPerListenerMetrics},
    {Collector::kInventory, AppendInventoryMetrics},
    {Collector::kExposure, AppendExposureViolationMetrics},
    {Collector::kExposure, AppendFirewallMetrics},
    {Collector::kListeners, AppendListenerFirstSeen},
    {Collector::kListeners, AppendListenerActivityMetrics},
    {Collector::kInventory, AppendConnectionDumpMetrics},
    {Collector::kExposure, AppendBaselineMetrics},
    {Collector::kTls, AppendTlsProbeMetrics, WriteTlsProbeMetrics},
    {Collector::kTls, AppendDiscoveryMetrics},
    {Collector::kTlsHistogram, AppendTlsHistogramMetrics, WriteTlsHistogramMetrics},
    {Collector::kTlsChain, AppendTlsChainMetrics, WriteTlsChainMetrics},
    {Collector::kHttp, AppendHttpMetrics, WriteHttpMetrics},
    {Collector::kTls, AppendConsistencyMetrics},
    {Collector::kCertFiles, AppendCertFileMetrics},
    {Collector::kPosture, AppendPostureMetrics, WritePostureMetrics},
    {Collector::kPosture, AppendGroupMetrics, WriteGroupMetrics},
    {Collector::kPosture, AppendRevocationMetrics},
};

}  // namespace

Families CollectSnapshotFamilies(const state::Snapshot& snapshot, const CollectorSet& collectors) {
  Families out;
  AppendSelfMetrics(snapshot, out);
  for (const Group& group : kGroups) {
    if (collectors.Enabled(group.collector)) {
      group.append(snapshot, out);
    }
  }
  return out;
}

void RenderSnapshot(const state::Snapshot& snapshot,
                    const CollectorSet& collectors,
                    const std::function<void(std::string_view)>& sink) {
  Families part;
  AppendSelfMetrics(snapshot, part);
  sink(SerializeText(part));
  for (const Group& group : kGroups) {
    if (!collectors.Enabled(group.collector)) {
      continue;
    }
    part.clear();
    part.shrink_to_fit();
    if (group.write != nullptr) {
      TextWriter writer(sink);
      group.write(snapshot, writer);
    } else {
      group.append(snapshot, part);
      sink(SerializeText(part));
    }
  }
}

std::string RenderSnapshotText(const state::Snapshot& snapshot, const CollectorSet& collectors) {
  std::string text;
  RenderSnapshot(snapshot, collectors, [&text](std::string_view piece) { text += piece; });
  return text;
}

Families CollectScrapeFamilies(const std::string& proc_path, const CollectorSet& collectors) {
  Families out;
  if (collectors.Enabled(Collector::kProcess)) {
    AppendProcessMetrics(ReadProcessStats(proc_path), out);
  }
  return out;
}

}  // namespace portwarden::exporters::prom
