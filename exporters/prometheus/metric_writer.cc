#include "exporters/prometheus/metric_writer.h"

#include <string>
#include <vector>

namespace portwarden::exporters::prom {
namespace {

LabelList Owned(LabelViews labels, LabelViews extra) {
  LabelList out;
  out.reserve(labels.size() + extra.size());
  for (const LabelViews part : {labels, extra}) {
    for (const LabelView& label : part) {
      out.push_back({std::string(label.name), std::string(label.value)});
    }
  }
  return out;
}

}  // namespace

// FamilyBuilder does the sanitizing and the per-type value, so both paths agree.
void FamiliesWriter::Family(std::string_view name,
                            std::string_view help,
                            prometheus::MetricType type) {
  FamilyBuilder(std::string(name), std::string(help), type).MoveInto(out_);
}

void FamiliesWriter::Sample(LabelViews labels, LabelViews extra, double value) {
  FamilyBuilder builder(std::move(out_.back()));
  builder.Add(Owned(labels, extra), value);
  out_.back() = std::move(builder).Take();
}

void FamiliesWriter::Histogram(LabelViews labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> cumulative,
                               std::uint64_t count,
                               double sum) {
  FamilyBuilder builder(std::move(out_.back()));
  builder.AddHistogram(Owned(labels, {}), {bounds.begin(), bounds.end()},
                       {cumulative.begin(), cumulative.end()}, count, sum);
  out_.back() = std::move(builder).Take();
}

}  // namespace portwarden::exporters::prom
