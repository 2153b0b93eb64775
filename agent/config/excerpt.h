#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace portwarden::config {

/// The most characters of a config value or key an error message quotes.
inline constexpr std::size_t kExcerptChars = 64;

/// The most characters of a whole config error message.
inline constexpr std::size_t kMessageChars = 1024;

/// `text` made safe to quote in an error message: made valid UTF-8 by text::SanitizeUtf8
/// (ill-formed sequences and NUL become U+FFFD), at most `max_chars` characters (code points),
/// then "…" when cut, control characters written as "\xNN" so a message stays one line.
/// Pure; valid input of up to `max_chars` without controls comes back unchanged.
std::string Excerpt(std::string_view text, std::size_t max_chars = kExcerptChars);

/// `"` + Excerpt(text) + `"`: how config errors quote what the user wrote.
std::string Quote(std::string_view text);

}  // namespace portwarden::config
