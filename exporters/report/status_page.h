#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "agent/config/config.h"
#include "agent/state/snapshot.h"

namespace portwarden::exporters::report {

/// What the status page shows besides the snapshot: the configuration in force.
struct StatusPageInput {
  const state::Snapshot* snapshot = nullptr;
  const config::Config* config = nullptr;
  /// The exposure rules in force, in evaluation order (user rules, then built-ins).
  std::vector<config::ExposureRule> rules;
  std::set<std::string> builtin_rules;  ///< names of the rules above that are built in
  config::DefaultAction default_action = config::DefaultAction::kReport;
  std::string telemetry_path = "/metrics";
  double now = 0;  ///< Unix seconds, for days left
  /// At most this many listener rows (violations are always all shown); the rest are
  /// counted and left to /api/state.
  std::size_t max_listener_rows = 2000;
};

/// The status page served at "/": summary, violations, listeners, endpoints, collectors,
/// configuration in force, links. Server-side HTML with an embedded stylesheet, no script,
/// every value escaped (html::AppendText). Pure; thread-safe.
std::string RenderStatusPage(const StatusPageInput& input);

}  // namespace portwarden::exporters::report
