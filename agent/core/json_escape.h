#pragma once

#include <string>
#include <string_view>

namespace portwarden {

/// Appends `text` to `out` as a quoted JSON string (RFC 8259) that any strict parser
/// accepts, whatever `text` holds: `"` and `\` escaped; C0 controls, DEL, C1 controls and
/// U+2028/U+2029 written as \uXXXX (\n, \r, \t as such); ill-formed UTF-8 replaced by U+FFFD.
/// Also used for logfmt values, whose quoting rules are the same. Thread-safe.
void AppendJsonQuoted(std::string& out, std::string_view text);

/// True when `text` is printable ASCII other than `"` and `\`, which AppendJsonQuoted writes
/// unchanged between its quotes: writers can then copy it as is (false for other text, even
/// valid UTF-8 that is also copied unchanged). Thread-safe.
bool IsJsonPlain(std::string_view text);

/// AppendJsonQuoted into a new string.
std::string JsonQuoted(std::string_view text);

}  // namespace portwarden
