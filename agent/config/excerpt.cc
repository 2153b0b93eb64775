#include "agent/config/excerpt.h"

#include <cstdio>

#include "agent/core/text_sanitize.h"

namespace portwarden::config {
namespace {

// Bytes of the code point a valid UTF-8 lead byte starts.
std::size_t SequenceLength(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

std::string Excerpt(std::string_view text, std::size_t max_chars) {
  // The one UTF-8 gate (text::SanitizeUtf8) first, on a prefix: a character takes at most 4
  // bytes, so 4 * max_chars + 4 bytes hold more characters than are kept, and a sequence cut
  // at the prefix's end can only spoil characters past those.
  const std::string_view prefix = text.substr(0, 4 * max_chars + 4);
  const std::string valid = text::SanitizeUtf8(prefix, 3 * prefix.size());
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < valid.size(); ++chars) {
    if (chars == max_chars) {
      out += text::kTruncationMark;
      return out;
    }
    const auto c = static_cast<unsigned char>(valid[i]);
    const std::size_t length = SequenceLength(c);
    if (c < 0x20 || c == 0x7F) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out.append(valid, i, length);
    }
    i += length;
  }
  return out;
}

std::string Quote(std::string_view text) {
  return "\"" + Excerpt(text) + "\"";
}

}  // namespace portwarden::config
