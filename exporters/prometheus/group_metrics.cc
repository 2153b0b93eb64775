// portwarden_tls_group_supported, portwarden_tls_group_probe_error: key-exchange group
// detection of the latest posture run (TLS 1.3 endpoints only). A group whose support could
// not be determined has an error series instead of a supported one: never a false 0.
#include "agent/posture/posture_report.h"
#include "agent/probe/group_verdict.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

LabelList GroupLabels(const posture::PostureResult& result, const std::string& group) {
  return With(EndpointLabels(result), {{"group", group}});
}

}  // namespace

void AppendGroupMetrics(const state::Snapshot& snapshot, Families& out) {
  auto supported = Gauge("portwarden_tls_group_supported",
                         "Whether the server selects this TLS 1.3 key-exchange group when it is "
                         "the only one offered (1) or refuses it (0); IANA group names.");
  auto error = Gauge("portwarden_tls_group_probe_error",
                     "Why the support of this key-exchange group could not be determined in the "
                     "last posture run (closed set of reasons, see docs/metrics.md).");
  for (const auto& result : snapshot.posture->results) {
    for (const auto& verdict : result.groups) {
      LabelList labels = GroupLabels(result, verdict.group);
      if (verdict.supported) {
        supported.Add(std::move(labels), *verdict.supported ? 1 : 0);
      } else {
        labels.push_back({"reason", verdict.error_reason});
        error.Add(std::move(labels), 1);
      }
    }
  }
  supported.MoveInto(out);
  error.MoveInto(out);
}

}  // namespace portwarden::exporters::prom
