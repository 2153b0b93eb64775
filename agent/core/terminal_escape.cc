#include "agent/core/terminal_escape.h"

#include <algorithm>

#include "agent/core/utf8.h"

namespace portwarden {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

constexpr bool IsBidiControl(char32_t value) {
  return value == 0x061C || value == 0x200E || value == 0x200F ||
         (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069);
}

void AppendHex(std::string& out, char32_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += kHex[(value >> shift) & 0xF];
  }
}

}  // namespace

void AppendTerminalSafe(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  while (!text.empty()) {
    const utf8::CodePoint cp = utf8::Next(text);
    if (!cp.valid) {
      out += utf8::kReplacement;
    } else if (cp.value < 0x20 || cp.value == 0x7F) {
      out += "\\x";
      AppendHex(out, cp.value, 2);
    } else if ((cp.value >= 0x80 && cp.value <= 0x9F) || IsBidiControl(cp.value)) {
      out += "\\u{";
      AppendHex(out, cp.value, 4);
      out += '}';
    } else {
      out.append(text.substr(0, cp.length));
    }
    text.remove_prefix(cp.length);
  }
}

std::string TerminalSafe(std::string_view text) {
  std::string out;
  AppendTerminalSafe(out, text);
  return out;
}

std::size_t TerminalWidth(std::string_view safe_text) {
  if (std::all_of(safe_text.begin(), safe_text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return safe_text.size();
  }
  return utf8::CodePointCount(safe_text);
}

}  // namespace portwarden
