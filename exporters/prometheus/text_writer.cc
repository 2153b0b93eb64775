#include "exporters/prometheus/text_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"

namespace portwarden::exporters::prom {
namespace {

std::string_view TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    case prometheus::MetricType::Summary:
      return "summary";
    case prometheus::MetricType::Histogram:
      return "histogram";
    default:
      return "untyped";
  }
}

}  // namespace

TextWriter::TextWriter(Sink sink) : sink_(std::move(sink)) {
  buffer_.reserve(kFlushBytes + 4096);
}

TextWriter::~TextWriter() {
  Flush();
}

void TextWriter::Flush() {
  if (!buffer_.empty()) {
    sink_(buffer_);
    buffer_.clear();
  }
}

void TextWriter::Family(std::string_view name, std::string_view help, prometheus::MetricType type) {
  name_.assign(name);
  if (!help.empty()) {
    buffer_.append("# HELP ").append(name).append(" ").append(help).append("\n");
  }
  buffer_.append("# TYPE ").append(name).append(" ").append(TypeName(type)).append("\n");
  MaybeFlush();
}

void TextWriter::Sample(LabelViews labels, LabelViews extra, double value) {
  Head("", labels, extra);
  Double(value);
  EndLine();
}

// The order of prometheus-cpp's SerializeHistogram: _count, _sum, the buckets, +Inf.
void TextWriter::Histogram(LabelViews labels,
                           std::span<const double> bounds,
                           std::span<const std::uint64_t> cumulative,
                           std::uint64_t count,
                           double sum) {
  Head("_count", labels, {});
  Unsigned(count);
  EndLine();
  Head("_sum", labels, {});
  Double(sum);
  EndLine();
  char bound[32];
  for (std::size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    const int n = std::snprintf(bound, sizeof(bound), "%.16g", bounds[i]);
    const LabelView le{"le", std::string_view(bound, static_cast<std::size_t>(n))};
    Head("_bucket", labels, {&le, 1});
    Unsigned(cumulative[i]);
    EndLine();
  }
  const LabelView inf{"le", "+Inf"};
  Head("_bucket", labels, {&inf, 1});
  Unsigned(count);
  EndLine();
}

void TextWriter::Head(std::string_view suffix, LabelViews labels, LabelViews extra) {
  buffer_.append(name_).append(suffix);
  if (!labels.empty() || !extra.empty()) {
    buffer_.push_back('{');
    const char* separator = "";
    for (const LabelViews part : {labels, extra}) {
      for (const LabelView& label : part) {
        buffer_.append(separator).append(label.name).append("=\"");
        LabelValue(label.value);
        buffer_.push_back('"');
        separator = ",";
      }
    }
    buffer_.push_back('}');
  }
  buffer_.push_back(' ');
}

// Label values reach here sanitized at the domain's entry points; this is the exporter's own
// guarantee (as in FamilyBuilder), so a value that is not UTF-8 never reaches a scrape.
void TextWriter::LabelValue(std::string_view value) {
  std::string sanitized;
  if (!utf8::IsValid(value)) {
    sanitized = text::SanitizeUtf8(value, value.size() * 3);
    value = sanitized;
  }
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      buffer_.push_back('\\');
      buffer_.push_back(c);
    } else if (c == '\n') {
      buffer_.append("\\n");
    } else {
      buffer_.push_back(c);
    }
  }
}

void TextWriter::Double(double value) {
  if (std::isnan(value)) {
    buffer_.append("Nan");
  } else if (std::isinf(value)) {
    buffer_.append(value < 0 ? "-Inf" : "+Inf");
  } else {
    char out[32];
    const int n = std::snprintf(out, sizeof(out), "%.16g", value);
    buffer_.append(out, static_cast<std::size_t>(n));
  }
}

void TextWriter::Unsigned(std::uint64_t value) {
  char out[24];
  const auto [end, error] = std::to_chars(out, out + sizeof(out), value);
  buffer_.append(out, end);
}

void TextWriter::EndLine() {
  buffer_.push_back('\n');
  MaybeFlush();
}

void TextWriter::MaybeFlush() {
  if (buffer_.size() >= kFlushBytes) {
    Flush();
  }
}

}  // namespace portwarden::exporters::prom
