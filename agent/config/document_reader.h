#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "agent/config/excerpt.h"
#include "agent/core/error.h"

namespace portwarden::config {

/// Reads a regular file of at most kMaxConfigBytes (a FIFO or device is refused before a
/// byte is read), as the config loader does; for other documents the agent loads (baseline).
/// Errors name the path and read "cannot open/stat/read config file", "is a FIFO; ...", or
/// "... bytes is more than a config file may have (4 MiB)", bounded like BoundedMessage.
Result<std::string> ReadBoundedFile(const std::string& path);

/// `text` parsed as TOML, for every TOML document the agent loads (config, baseline):
/// CheckDocumentBounds first, then toml++, whose parse_error (caught here, and nowhere
/// else) becomes "<name>:<line>:<column>: <description>". The message is not yet bounded:
/// callers pass their whole result through BoundedMessage.
Result<toml::table> ParseTomlDocument(std::string_view text, const std::string& name);

/// `result` with its error message as a bounded, valid UTF-8 excerpt (Excerpt to
/// kMessageChars), whatever was in the file; a value passes unchanged.
template <typename T>
Result<T> BoundedMessage(Result<T> result) {
  if (!result) {
    result.error().message = Excerpt(result.error().message, kMessageChars);
  }
  return result;
}

}  // namespace portwarden::config
