#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/core/error.h"
#include "agent/state/snapshot.h"

namespace portwarden::exporters::json {

/// A snapshot read back from another agent's /api/state (SnapshotJson's format), with the
/// agent that wrote it.
struct StateDocument {
  state::Snapshot snapshot;
  std::string agent_version;
  std::string agent_revision;
};

/// Most bytes ReadStateJson accepts, and the deepest nesting: /api/state of 12,500 listeners
/// is about 6 MB and 5 levels deep.
inline constexpr std::size_t kMaxStateBytes = 64 * 1024 * 1024;
inline constexpr int kMaxStateDepth = 16;

/// Parses /api/state JSON into a snapshot (listeners with verdicts, probe results with chains,
/// collectors, host, agent). The document is from outside: its size and depth are bounded,
/// every string is made valid bounded UTF-8 (text::Sanitize, the caps of the kinds it holds),
/// a number out of range or a wrong type is an error naming the field, unknown fields are
/// ignored (a newer agent may add some). Thread-safe.
Result<StateDocument> ReadStateJson(std::string_view text);

}  // namespace portwarden::exporters::json
