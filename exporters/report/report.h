#pragma once

#include <string>

#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"
#include "agent/probe/probe_result.h"

/// Human-readable terminal reports for `portwarden scan` and `portwarden probe`.
namespace portwarden::exporters::report {

/// A table: proto, address:port, scope, process, pid, unit, namespace, verdict.
std::string ListenerTable(const inventory::InventoryReport& inventory,
                          const policy::PolicyReport& policy);

/// One probe result: chain with days to expiry, verdict, phase timings.
/// `now` is Unix seconds (for days-left arithmetic).
std::string ProbeReportText(const probe::ProbeResult& result, double now);

}  // namespace portwarden::exporters::report
