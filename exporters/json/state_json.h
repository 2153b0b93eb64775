#pragma once

#include <cstdio>
#include <string>

#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"
#include "agent/state/snapshot.h"
#include "exporters/json/json_writer.h"

/// JSON renderings of the snapshot, for /api/state and `--output=json`.
namespace portwarden::exporters::json {

/// A JSON array of listeners with their process, scope and verdict.
/// `policy` may have fewer verdicts than listeners (then verdict fields are omitted).
void WriteListeners(JsonWriter& out,
                    const inventory::InventoryReport& inventory,
                    const policy::PolicyReport& policy);

/// WriteListeners printed to `file` followed by a newline, streamed in chunks of about
/// 64 KiB: at 10,000 listeners a 4 MB string cost more in fresh pages than it took to fill.
void PrintListeners(std::FILE* file,
                    const inventory::InventoryReport& inventory,
                    const policy::PolicyReport& policy);

/// The members that name one probed address, first in every probe and posture result:
/// "target", "address", "server_name", "source", "timestamp". `R` is probe::ProbeResult or
/// posture::PostureResult. Returns `out`, so more fields can follow.
template <typename R>
JsonWriter& WriteTargetFields(JsonWriter& out, const R& result) {
  return out.Field("target", result.target)
      .Field("address", result.address)
      .Field("server_name", result.server_name)
      .Field("source", probe::SourceName(result.source))
      .Field("timestamp", result.timestamp);
}

/// A JSON array of probe results with chain, verdict and phase timings.
void WriteProbeResults(JsonWriter& out, const probe::ProbeReport& report);

/// A JSON array of posture results: per address the versions tried and the findings.
void WritePostureResults(JsonWriter& out, const posture::PostureReport& report);

/// The "groups" and "revocation" members of one posture result (revocation_json.cc).
void WriteGroupsAndRevocation(JsonWriter& out, const posture::PostureResult& result);

/// The whole snapshot: {"listeners":[...],"inventory":{...},"probes":[...],"collectors":[...]}.
/// Also "agent" (version, revision, start time, generation) and "host" (hostname,
/// machine_id, kernel, os) first.
std::string SnapshotJson(const state::Snapshot& snapshot);

/// SnapshotJson, indented when `pretty` (IndentJson).
std::string SnapshotJson(const state::Snapshot& snapshot, bool pretty);

}  // namespace portwarden::exporters::json
