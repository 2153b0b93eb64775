#include "exporters/prometheus/family_builder.h"

#include <limits>

#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"

namespace portwarden::exporters::prom {
namespace {

// Label values reach here sanitized at the domain's entry points; this is the exporter's own
// guard, because one ill-formed value makes Prometheus reject the whole scrape. (The text
// serializer escapes `\`, `"` and newline; every other byte of valid UTF-8 parses.)
LabelList ValidUtf8(LabelList labels) {
  for (Label& label : labels) {
    if (!utf8::IsValid(label.value)) {
      label.value = text::SanitizeUtf8(label.value, label.value.size() * 3);
    }
  }
  return labels;
}

}  // namespace

FamilyBuilder::FamilyBuilder(std::string name, std::string help, prometheus::MetricType type) {
  family_.name = std::move(name);
  family_.help = std::move(help);
  family_.type = type;
}

FamilyBuilder& FamilyBuilder::Add(LabelList labels, double value) {
  prometheus::ClientMetric metric;
  metric.label = ValidUtf8(std::move(labels));
  switch (family_.type) {
    case prometheus::MetricType::Counter:
      metric.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      metric.gauge.value = value;
      break;
    default:
      metric.untyped.value = value;
      break;
  }
  family_.metric.push_back(std::move(metric));
  return *this;
}

FamilyBuilder& FamilyBuilder::AddHistogram(LabelList labels,
                                           const std::vector<double>& bounds,
                                           const std::vector<std::uint64_t>& cumulative,
                                           std::uint64_t count,
                                           double sum) {
  prometheus::ClientMetric metric;
  metric.label = ValidUtf8(std::move(labels));
  metric.histogram.sample_count = count;
  metric.histogram.sample_sum = sum;
  for (std::size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    metric.histogram.bucket.push_back({cumulative[i], bounds[i]});
  }
  metric.histogram.bucket.push_back({count, std::numeric_limits<double>::infinity()});
  family_.metric.push_back(std::move(metric));
  return *this;
}

void FamilyBuilder::MoveInto(Families& out) {
  out.push_back(std::move(family_));
}

}  // namespace portwarden::exporters::prom
