#pragma once

#include <string>
#include <string_view>

namespace portwarden {

/// `text` with A–Z turned into a–z and every other byte unchanged, whatever the locale (host
/// names, header names and certificate names are compared this way).
inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

/// `text` without leading and trailing spaces and tabs (HTTP's optional white space, OWS).
inline std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace portwarden
