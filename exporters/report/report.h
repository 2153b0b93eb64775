#pragma once

#include <string>

#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

/// Human-readable terminal reports for `portwarden scan` and `portwarden probe`.
namespace portwarden::exporters::report {

/// What `scan` adds to the listener table.
struct TableOptions {
  bool connections = false;  ///< A CONNECTIONS column: established connections by peer scope.
};

/// A table: proto, Recv-Q, Send-Q (a TCP listener's accept queue and its limit, as `ss -ltn`
/// shows them; "-" when unknown), address:port, scope, process, pid, unit, namespace, verdict
/// (with "observed" when a connected peer violates the rule, "unapproved" when a baseline is
/// in force and does not list the listener), and the connections when asked for.
std::string ListenerTable(const inventory::InventoryReport& inventory,
                          const policy::PolicyReport& policy,
                          const TableOptions& options = {});

/// One probe result: chain with days to expiry, verdict, phase timings.
/// `now` is Unix seconds (for days-left arithmetic).
std::string ProbeReportText(const probe::ProbeResult& result, double now);

/// One posture result: the versions accepted or refused, and the findings.
std::string PostureReportText(const posture::PostureResult& result);

/// The key-exchange group and revocation lines of a posture result (revocation_report.cc).
std::string GroupsAndRevocationText(const posture::PostureResult& result);

}  // namespace portwarden::exporters::report
