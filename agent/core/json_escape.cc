#include "agent/core/json_escape.h"

#include <algorithm>

namespace portwarden {

void AppendJsonQuoted(std::string& out, std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  const auto plain = [](char c) {
    return c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
  };
  const auto run =
      static_cast<std::size_t>(std::find_if_not(text.begin(), text.end(), plain) - text.begin());
  if (run == text.size()) {
    // Fast path (nearly every string): one reservation, three appends. (Not
    // resize_and_overwrite: with libstdc++ 12 it corrupted strings that had to grow.)
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    out.append(text);
    out += '"';
    return;
  }
  out += '"';
  out.append(text.data(), run);
  text.remove_prefix(run);
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
          out += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace portwarden
