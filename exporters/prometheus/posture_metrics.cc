// portwarden_tls_protocol_accepted, portwarden_tls_posture_*: the latest posture run
// (agent.posture_interval), rendered. An address the run could not reach has only
// portwarden_tls_posture_success 0: no version is reported as refused when it was not asked.
#include "agent/posture/posture_report.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {}  // namespace

void AppendPostureMetrics(const state::Snapshot& snapshot, Families& out) {
  auto success = Gauge("portwarden_tls_posture_success",
                       "Whether the last posture run reached the endpoint and some protocol "
                       "version answered (1) or not (0).");
  auto timestamp = Gauge("portwarden_tls_posture_timestamp_seconds",
                         "When the last posture run of this endpoint finished, as Unix time.");
  auto accepted = Gauge("portwarden_tls_protocol_accepted",
                        "Whether the server accepts a handshake at this protocol version (1) or "
                        "refuses it (0), one handshake per version per posture run.");
  auto finding = Gauge("portwarden_tls_posture_finding",
                       "A posture check that fired for this endpoint (closed set of checks, "
                       "see docs/metrics.md); checks that did not fire have no series.");
  for (const auto& result : snapshot.posture->results) {
    const LabelList labels = EndpointLabels(result);
    success.Add(labels, result.reached ? 1 : 0);
    timestamp.Add(labels, result.timestamp);
    if (!result.reached) {
      continue;
    }
    for (const auto& version : result.versions) {
      accepted.Add(With(labels, {{"version", version.version}}), version.accepted ? 1 : 0);
    }
    for (const auto check : result.findings) {
      finding.Add(With(labels, {{"check", std::string(posture::CheckName(check))}}), 1);
    }
  }
  success.MoveInto(out);
  timestamp.MoveInto(out);
  accepted.MoveInto(out);
  finding.MoveInto(out);
}

}  // namespace portwarden::exporters::prom
