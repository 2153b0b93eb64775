#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/error.h"
#include "agent/core/net_types.h"

namespace portwarden::config {

/// One approved listener of a baseline file (`[[listener]]`). The match key is
/// (netns, proto, address, port, process); the other fields are written for the reviewer
/// and ignored by the match.
struct BaselineEntry {
  std::string netns;  ///< Namespace identity (policy::NetnsIdentity), e.g. "host".
  Protocol protocol = Protocol::kTcp;
  std::string address;  ///< Bind address, canonical text ("0.0.0.0", "::1").
  std::uint16_t port = 0;
  std::optional<std::string> process;  ///< comm; absent = any process.
  /// What `baseline save` recorded for the reviewer (absent when the file does not say):
  /// the owner's unit, the reach, the deciding rule, the exposure verdict ("ok" or
  /// "violation") and the firewall verdicts (key `verdict`, "public:drop private:accept").
  /// Ignored by the match; the audit report shows what changed since.
  std::optional<std::string> unit;
  std::optional<std::string> reach;
  std::optional<std::string> rule;
  std::optional<std::string> exposure;
  std::optional<std::string> firewall;
  int line = 0;  ///< Where it was read, for messages.
};

/// An approved-listener set, as read from a baseline file.
struct Baseline {
  std::vector<BaselineEntry> entries;
  std::string source;  ///< The file it came from.
};

/// Parses a baseline document. Unknown keys, wrong types and bad values are errors that read
/// "<name>:<line>:<column>: <key>: <what>", as config errors do (TomlReader), bounded as the
/// config is (size, nesting): read and parsed through document_reader.h, as the config is.
Result<Baseline> ParseBaseline(std::string_view text, const std::string& name);

/// Reads (bounded, regular file only) and parses a baseline file.
Result<Baseline> LoadBaselineFile(const std::string& path);

}  // namespace portwarden::config
