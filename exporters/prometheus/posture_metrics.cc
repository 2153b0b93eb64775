// portwarden_tls_protocol_accepted, portwarden_tls_posture_*: the latest posture run
// (agent.posture_interval), rendered. An address the run could not reach has only
// portwarden_tls_posture_success 0: no version is reported as refused when it was not asked.
// Per endpoint, so written through a MetricWriter (streamed as text for /metrics).
#include "agent/posture/posture_report.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

void WritePostureMetrics(const state::Snapshot& snapshot, MetricWriter& out) {
  const auto& results = snapshot.posture->results;
  out.Family("portwarden_tls_posture_success",
             "Whether the last posture run reached the endpoint and some protocol "
             "version answered (1) or not (0).",
             prometheus::MetricType::Gauge);
  for (const auto& result : results) {
    out.Sample(EndpointLabelViews(result), result.reached ? 1 : 0);
  }
  out.Family("portwarden_tls_posture_timestamp_seconds",
             "When the last posture run of this endpoint finished, as Unix time.",
             prometheus::MetricType::Gauge);
  for (const auto& result : results) {
    out.Sample(EndpointLabelViews(result), result.timestamp);
  }
  out.Family("portwarden_tls_protocol_accepted",
             "Whether the server accepts a handshake at this protocol version (1) or "
             "refuses it (0), one handshake per version per posture run.",
             prometheus::MetricType::Gauge);
  for (const auto& result : results) {
    for (const auto& version : result.versions) {
      if (result.reached) {
        out.Sample(EndpointLabelViews(result), {{"version", version.version}},
                   version.accepted ? 1 : 0);
      }
    }
  }
  out.Family("portwarden_tls_posture_finding",
             "A posture check that fired for this endpoint (closed set of checks, "
             "see docs/metrics.md); checks that did not fire have no series.",
             prometheus::MetricType::Gauge);
  for (const auto& result : results) {
    for (const auto check : result.findings) {
      if (result.reached) {
        out.Sample(EndpointLabelViews(result), {{"check", posture::CheckName(check)}}, 1);
      }
    }
  }
}

void AppendPostureMetrics(const state::Snapshot& snapshot, Families& out) {
  FamiliesWriter writer(out);
  WritePostureMetrics(snapshot, writer);
}

}  // namespace portwarden::exporters::prom
