#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {

std::string SnapshotJson(const state::Snapshot& snapshot) {
  JsonWriter out;
  out.BeginObject();
  out.Key("listeners");
  WriteListeners(out, *snapshot.inventory, *snapshot.policy);
  out.Key("probes");
  WriteProbeResults(out, *snapshot.probes);
  out.Key("posture");
  WritePostureResults(out, *snapshot.posture);
  out.Key("collectors").BeginArray();
  for (const auto& collector : snapshot.collectors) {
    out.BeginObject()
        .Field("name", collector.name)
        .Field("success", collector.success)
        .Field("duration_seconds", collector.duration_seconds)
        .Field("timestamp", collector.timestamp)
        .Field("error", collector.error)
        .EndObject();
  }
  out.EndArray();
  out.Key("config")
      .BeginObject()
      .Field("source", snapshot.reload.source)
      .Field("last_reload_successful", snapshot.reload.last_successful)
      .Field("last_reload_error", snapshot.reload.last_error)
      .EndObject();
  out.EndObject();
  return out.str();
}

}  // namespace portwarden::exporters::json
