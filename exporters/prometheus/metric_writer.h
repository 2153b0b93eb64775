#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include <prometheus/metric_family.h>

#include "exporters/prometheus/family_builder.h"

namespace portwarden::exporters::prom {

/// One label of a sample, borrowed from the snapshot (or a literal) for the call only.
struct LabelView {
  std::string_view name;
  std::string_view value;
};

/// Labels of one sample, in order.
using LabelViews = std::span<const LabelView>;

/// Where a metric group writes its families, one family at a time: Family() starts one (its
/// HELP and TYPE), the samples that follow belong to it. Two implementations: TextWriter
/// (text_writer.h) streams text format 0.0.4 with no intermediate objects, for /metrics;
/// FamiliesWriter builds prometheus-cpp families, for SnapshotCollectable and the tests that
/// compare both. Label values need not be valid UTF-8: each writer sanitizes them. Not
/// thread-safe; one per rendering.
class MetricWriter {
 public:
  virtual ~MetricWriter() = default;

  /// Starts family `name` (announced even if no sample follows).
  virtual void Family(std::string_view name,
                      std::string_view help,
                      prometheus::MetricType type) = 0;

  /// A gauge, counter or untyped sample of the current family, labeled `labels` then `extra`.
  virtual void Sample(LabelViews labels, LabelViews extra, double value) = 0;

  /// A histogram sample. `bounds` exclude +Inf; `cumulative` has one count per bound.
  virtual void Histogram(LabelViews labels,
                         std::span<const double> bounds,
                         std::span<const std::uint64_t> cumulative,
                         std::uint64_t count,
                         double sum) = 0;

  void Sample(LabelViews labels, double value) { Sample(labels, {}, value); }

  void Sample(LabelViews labels, std::initializer_list<LabelView> extra, double value) {
    Sample(labels, LabelViews(extra.begin(), extra.size()), value);
  }

  void Sample(std::initializer_list<LabelView> labels, double value) {
    Sample(LabelViews(labels.begin(), labels.size()), {}, value);
  }
};

/// Builds prometheus-cpp families into `out` (appended, in the order written).
class FamiliesWriter final : public MetricWriter {
 public:
  explicit FamiliesWriter(Families& out) : out_(out) {}

  void Family(std::string_view name, std::string_view help, prometheus::MetricType type) override;
  void Sample(LabelViews labels, LabelViews extra, double value) override;
  void Histogram(LabelViews labels,
                 std::span<const double> bounds,
                 std::span<const std::uint64_t> cumulative,
                 std::uint64_t count,
                 double sum) override;
  using MetricWriter::Sample;

 private:
  Families& out_;
};

}  // namespace portwarden::exporters::prom
