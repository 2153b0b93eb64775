#pragma once

#include <string>
#include <string_view>

namespace portwarden {

/// Appends `text` to `out` as a quoted JSON string: `"`, `\` and control characters escaped.
/// Also used for logfmt values, whose quoting rules are the same.
void AppendJsonQuoted(std::string& out, std::string_view text);

}  // namespace portwarden
