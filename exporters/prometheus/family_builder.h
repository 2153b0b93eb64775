#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace portwarden::exporters::prom {

using Label = prometheus::ClientMetric::Label;
using LabelList = std::vector<Label>;
using Families = std::vector<prometheus::MetricFamily>;

/// Builds one MetricFamily sample by sample. Labels keep the order given, so give them in a
/// stable order; the serializer escapes values, and a value that is not valid UTF-8 (which
/// would make Prometheus reject the scrape) is sanitized here. Not thread-safe; one per scrape.
class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type);

  /// Continues `family`, keeping its samples.
  explicit FamilyBuilder(prometheus::MetricFamily family) : family_(std::move(family)) {}

  /// Adds a gauge, counter or untyped sample, according to the family's type.
  FamilyBuilder& Add(LabelList labels, double value);

  /// Adds a histogram sample. `bounds` exclude +Inf; `cumulative` has one count per bound.
  FamilyBuilder& AddHistogram(LabelList labels,
                              const std::vector<double>& bounds,
                              const std::vector<std::uint64_t>& cumulative,
                              std::uint64_t count,
                              double sum);

  bool empty() const { return family_.metric.empty(); }

  /// Appends the family to `out`. Empty families are kept (HELP/TYPE still announce them).
  void MoveInto(Families& out);

  /// The family built so far.
  prometheus::MetricFamily Take() && { return std::move(family_); }

 private:
  prometheus::MetricFamily family_;
};

inline FamilyBuilder Gauge(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Gauge};
}

inline FamilyBuilder Counter(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Counter};
}

inline FamilyBuilder Histogram(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Histogram};
}

}  // namespace portwarden::exporters::prom
