#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {

void WritePostureResults(JsonWriter& out, const posture::PostureReport& report) {
  out.BeginArray();
  for (const auto& result : report.results) {
    WriteTargetFields(out.BeginObject(), result).Field("reached", result.reached);
    if (!result.reached) {
      out.Field("failure_reason", result.failure_reason);
    }
    out.Key("versions").BeginArray();
    for (const auto& version : result.versions) {
      out.BeginObject()
          .Field("version", version.version)
          .Field("accepted", version.accepted)
          .Field("cipher", version.cipher)
          .Field("failure_reason", version.failure_reason)
          .EndObject();
    }
    out.EndArray().Key("findings").BeginArray();
    for (const auto check : result.findings) {
      out.String(posture::CheckName(check));
    }
    out.EndArray();
    WriteGroupsAndRevocation(out, result);
    out.EndObject();
  }
  out.EndArray();
}

}  // namespace portwarden::exporters::json
