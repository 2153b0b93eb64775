#include "exporters/prometheus/snapshot_collectable.h"

#include <prometheus/text_serializer.h>

#include "exporters/prometheus/exposition.h"

namespace portwarden::exporters::prom {

SnapshotCollectable::SnapshotCollectable(SnapshotSource source,
                                         std::string proc_path,
                                         CollectorSet collectors)
    : source_(std::move(source)), proc_path_(std::move(proc_path)), collectors_(collectors) {}

std::vector<prometheus::MetricFamily> SnapshotCollectable::Collect() const {
  Families out = CollectSnapshotFamilies(*source_(), collectors_);
  Families scrape = CollectScrapeFamilies(proc_path_, collectors_);
  out.insert(out.end(), std::make_move_iterator(scrape.begin()),
             std::make_move_iterator(scrape.end()));
  return out;
}

std::string SerializeText(const std::vector<prometheus::MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace portwarden::exporters::prom
