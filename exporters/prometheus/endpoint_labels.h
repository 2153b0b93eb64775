#pragma once

#include <array>
#include <initializer_list>

#include "agent/probe/probe_result.h"
#include "exporters/prometheus/family_builder.h"
#include "exporters/prometheus/metric_writer.h"

namespace portwarden::exporters::prom {

/// The endpoint label set `E` shared by every per-endpoint series of the probes and of the
/// posture job (portwarden_tls_*, portwarden_http_*), in this order: target, address,
/// server_name, source. One definition so the series join in PromQL. `Result` is anything
/// with those four members: a probe result or its counters, a posture result, a drift entry.
template <typename Result>
LabelList EndpointLabels(const Result& result) {
  return {{"target", result.target},
          {"address", result.address},
          {"server_name", result.server_name},
          {"source", probe::SourceName(result.source)}};
}

/// EndpointLabels as views into `result`, for a MetricWriter (no copy of the values).
template <typename Result>
std::array<LabelView, 4> EndpointLabelViews(const Result& result) {
  return {{{"target", result.target},
           {"address", result.address},
           {"server_name", result.server_name},
           {"source", probe::SourceName(result.source)}}};
}

/// `labels` followed by `extra`.
inline LabelList With(LabelList labels, std::initializer_list<Label> extra) {
  labels.insert(labels.end(), extra.begin(), extra.end());
  return labels;
}

}  // namespace portwarden::exporters::prom
