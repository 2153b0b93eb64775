// The "groups" and "revocation" members of a posture result (key-exchange groups, CRLs,
// stapled OCSP), in the JSON of /api/state and `portwarden probe --posture -o json`.
#include "agent/probe/group_verdict.h"
#include "agent/probe/revocation_result.h"
#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {
namespace {

void OptionalNumber(JsonWriter& out, std::string_view key, const std::optional<double>& value) {
  out.Key(key);
  if (value) {
    out.Number(*value);
  } else {
    out.Null();
  }
}

void OptionalBool(JsonWriter& out, std::string_view key, const std::optional<bool>& value) {
  out.Key(key);
  if (value) {
    out.Bool(*value);
  } else {
    out.Null();
  }
}

}  // namespace

void WriteGroupsAndRevocation(JsonWriter& out, const posture::PostureResult& result) {
  out.Key("groups").BeginArray();
  for (const auto& verdict : result.groups) {
    out.BeginObject().Field("group", verdict.group);
    OptionalBool(out, "supported", verdict.supported);
    out.Field("error_reason", verdict.error_reason).Field("detail", verdict.detail).EndObject();
  }
  out.EndArray().Key("revocation").BeginObject().Key("crls").BeginArray();
  for (const auto& crl : result.revocation.crls) {
    out.BeginObject().Field("chain_pos", crl.chain_pos).Field("url", crl.url);
    OptionalBool(out, "revoked", crl.revoked);
    OptionalNumber(out, "this_update", crl.this_update);
    OptionalNumber(out, "next_update", crl.next_update);
    OptionalNumber(out, "fetched_at", crl.fetched_at);
    out.Field("stale", crl.stale).Field("error", crl.error).Field("detail", crl.detail).EndObject();
  }
  const auto& staple = result.revocation.staple;
  out.EndArray().Key("ocsp_staple").BeginObject().Field("status", staple.status);
  OptionalNumber(out, "this_update", staple.this_update);
  OptionalNumber(out, "next_update", staple.next_update);
  out.Field("detail", staple.detail).EndObject();
  OptionalBool(out, "leaf_revoked", probe::Revoked(result.revocation, 0));
  out.EndObject();
}

}  // namespace portwarden::exporters::json
