#include "exporters/json/state_json.h"

#include "agent/core/version_info.h"
#include "exporters/json/json_indent.h"

namespace portwarden::exporters::json {
namespace {

// Who produced this state: what an audit report read from /api/state names as its source.
void WriteAgent(JsonWriter& out, const state::Snapshot& snapshot) {
  out.Key("agent")
      .BeginObject()
      .Field("version", build::kVersion)
      .Field("revision", build::kRevision)
      .Field("start_timestamp", snapshot.start_timestamp)
      .Field("generation", snapshot.generation)
      .EndObject();
  out.Key("host")
      .BeginObject()
      .Field("hostname", snapshot.host.hostname)
      .Field("machine_id", snapshot.host.machine_id)
      .Field("kernel", snapshot.host.kernel)
      .Field("os", snapshot.host.os)
      .EndObject();
}

}  // namespace

std::string SnapshotJson(const state::Snapshot& snapshot) {
  JsonWriter out;
  out.BeginObject();
  WriteAgent(out, snapshot);
  out.Key("listeners");
  WriteListeners(out, *snapshot.inventory, *snapshot.policy);
  const policy::BaselineStatus& baseline = snapshot.policy->baseline;
  out.Key("baseline")
      .BeginObject()
      .Field("file", baseline.file)
      .Field("loaded", baseline.loaded)
      .Field("last_load_ok", baseline.last_load_ok)
      .Field("error", baseline.error)
      .Field("entries", static_cast<std::int64_t>(baseline.entries))
      .Field("load_timestamp", baseline.load_timestamp)
      .EndObject();
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

std::string SnapshotJson(const state::Snapshot& snapshot, bool pretty) {
  std::string compact = SnapshotJson(snapshot);
  return pretty ? IndentJson(compact) : compact;
}

}  // namespace portwarden::exporters::json
