#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "exporters/prometheus/metric_writer.h"

namespace portwarden::exporters::prom {

/// Writes text exposition format 0.0.4 straight to `sink`, byte for byte what prometheus-cpp's
/// TextSerializer writes for the same families (exposition_cache_test and text_writer_test
/// compare them): HELP and TYPE once per family, label values escaped (\\, \", \n) after
/// invalid UTF-8 is replaced, doubles as "%.16g" ("+Inf", "-Inf", "Nan"), histograms as
/// _count, _sum, then _bucket with `le`. Nothing per sample is allocated: lines go into one
/// buffer handed to `sink` whenever it passes kFlushBytes, and at Flush() or destruction, so
/// a rendering holds no families and at most one buffer of text. Not thread-safe.
class TextWriter final : public MetricWriter {
 public:
  using Sink = std::function<void(std::string_view)>;

  /// Bytes buffered before they are handed on.
  static constexpr std::size_t kFlushBytes = 32 * 1024;

  explicit TextWriter(Sink sink);
  ~TextWriter() override;
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  void Family(std::string_view name, std::string_view help, prometheus::MetricType type) override;
  void Sample(LabelViews labels, LabelViews extra, double value) override;
  void Histogram(LabelViews labels,
                 std::span<const double> bounds,
                 std::span<const std::uint64_t> cumulative,
                 std::uint64_t count,
                 double sum) override;
  using MetricWriter::Sample;

  /// Hands what is buffered to the sink.
  void Flush();

 private:
  void Head(std::string_view suffix, LabelViews labels, LabelViews extra);
  void LabelValue(std::string_view value);
  void Double(double value);
  void Unsigned(std::uint64_t value);
  void EndLine();
  void MaybeFlush();

  Sink sink_;
  std::string buffer_;
  std::string name_;  ///< the current family's name
};

}  // namespace portwarden::exporters::prom
