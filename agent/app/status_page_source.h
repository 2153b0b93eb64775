#pragma once

#include <memory>
#include <string>

#include "agent/config/config.h"
#include "agent/state/snapshot.h"

namespace portwarden::app {

/// The status page for `snapshot` under `config` (the rules in force, built-in ones marked),
/// rendered now. What the daemon's PageCache calls once per snapshot generation.
std::string RenderStatusPage(const state::Snapshot& snapshot,
                             const config::Config& config,
                             const std::string& telemetry_path);

}  // namespace portwarden::app
