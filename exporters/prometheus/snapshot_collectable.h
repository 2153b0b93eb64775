#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "agent/state/snapshot.h"

namespace portwarden::exporters::prom {

/// Renders the current snapshot as metric families at scrape time. Holds no metric state
/// itself, so vanished listeners and targets vanish from the output at once.
/// Thread-safe: Collect() may run on several HTTP worker threads at the same time.
class SnapshotCollectable : public prometheus::Collectable {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const state::Snapshot>()>;

  SnapshotCollectable(SnapshotSource source, std::string proc_path);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  SnapshotSource source_;
  std::string proc_path_;
};

/// Text exposition format 0.0.4 of `families`.
std::string SerializeText(const std::vector<prometheus::MetricFamily>& families);

/// The Content-Type that goes with SerializeText.
inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace portwarden::exporters::prom
