// portwarden_tls_group_supported, portwarden_tls_group_probe_error: key-exchange group
// detection of the latest posture run (TLS 1.3 endpoints only). A group whose support could
// not be determined has an error series instead of a supported one: never a false 0.
// Up to 10 series per endpoint, so written through a MetricWriter (streamed for /metrics).
#include "agent/posture/posture_report.h"
#include "agent/probe/group_verdict.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

void WriteGroupMetrics(const state::Snapshot& snapshot, MetricWriter& out) {
  const auto& results = snapshot.posture->results;
  out.Family("portwarden_tls_group_supported",
             "Whether the server selects this TLS 1.3 key-exchange group when it is "
             "the only one offered (1) or refuses it (0); IANA group names.",
             prometheus::MetricType::Gauge);
  for (const auto& result : results) {
    for (const auto& verdict : result.groups) {
      if (verdict.supported) {
        out.Sample(EndpointLabelViews(result), {{"group", verdict.group}},
                   *verdict.supported ? 1 : 0);
      }
    }
  }
  out.Family("portwarden_tls_group_probe_error",
             "Why the support of this key-exchange group could not be determined in the "
             "last posture run (closed set of reasons, see docs/metrics.md).",
             prometheus::MetricType::Gauge);
  for (const auto& result : results) {
    for (const auto& verdict : result.groups) {
      if (!verdict.supported) {
        out.Sample(EndpointLabelViews(result),
                   {{"group", verdict.group}, {"reason", verdict.error_reason}}, 1);
      }
    }
  }
}

void AppendGroupMetrics(const state::Snapshot& snapshot, Families& out) {
  FamiliesWriter writer(out);
  WriteGroupMetrics(snapshot, writer);
}

}  // namespace portwarden::exporters::prom
