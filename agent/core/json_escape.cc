#include "agent/core/json_escape.h"

namespace portwarden {

void AppendJsonQuoted(std::string& out, std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out += '"';
  // Fast path: the leading run that needs no escaping (usually all of it) in one append.
  std::size_t run = 0;
  while (run < text.size() && text[run] != '"' && text[run] != '\\' &&
         static_cast<unsigned char>(text[run]) >= 0x20) {
    ++run;
  }
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
