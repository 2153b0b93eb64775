#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace portwarden {

/// Appends `text` to `out` so that printing it to a terminal shows it and does nothing
/// else: C0 controls (newline and tab included, so a table cell stays one cell) and DEL are
/// written visibly as `\xNN` (ESC is `\x1b`), C1 controls and the bidirectional formatting
/// characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, which can make text
/// display in another order than it is stored) as `\u{NNNN}`; ill-formed UTF-8 becomes U+FFFD.
/// Thread-safe.
void AppendTerminalSafe(std::string& out, std::string_view text);

/// AppendTerminalSafe into a new string.
std::string TerminalSafe(std::string_view text);

/// The columns a terminal-safe string takes, counted as one per code point (wide East Asian
/// characters are counted as one: good enough to align tables of names and addresses).
std::size_t TerminalWidth(std::string_view safe_text);

}  // namespace portwarden
