#include "agent/core/json_escape.h"

#include <array>

#include "agent/core/utf8.h"

namespace portwarden {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";

// Printable ASCII other than the two characters JSON quotes, as a table: the scan below is
// one load and test per byte (a predicate through find_if_not was a call per byte, and the
// largest cost of `scan --output=json` at 10,000 listeners).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int byte = 0x20; byte < 0x7F; ++byte) {
    plain[static_cast<std::size_t>(byte)] = byte != '"' && byte != '\\';
  }
  return plain;
}();

// The length of the Plain prefix of `text`.
std::size_t PlainRun(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && kPlain[static_cast<unsigned char>(text[i])]) {
    ++i;
  }
  return i;
}

void AppendUnicodeEscape(std::string& out, char32_t value) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) {
    out += kHex[(value >> shift) & 0xF];
  }
}

// Appends the code point at the front of `text` (not Plain), escaped; returns its length.
std::size_t AppendEscaped(std::string& out, std::string_view text) {
  switch (text[0]) {
    case '"':
      out += "\\\"";
      return 1;
    case '\\':
      out += "\\\\";
      return 1;
    case '\n':
      out += "\\n";
      return 1;
    case '\r':
      out += "\\r";
      return 1;
    case '\t':
      out += "\\t";
      return 1;
    default:
      break;
  }
  const utf8::CodePoint cp = utf8::Next(text);
  if (!cp.valid) {
    out += utf8::kReplacement;
  } else if (cp.value < 0x20 || (cp.value >= 0x7F && cp.value <= 0x9F) || cp.value == 0x2028 ||
             cp.value == 0x2029) {
    AppendUnicodeEscape(out, cp.value);
  } else {
    out.append(text.substr(0, cp.length));
  }
  return cp.length;
}

}  // namespace

void AppendJsonQuoted(std::string& out, std::string_view text) {
  if (IsJsonPlain(text)) {
    // Fast path (nearly every string): one reservation, three appends. (Not
    // resize_and_overwrite: with libstdc++ 12 it corrupted strings that had to grow.)
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    out.append(text);
    out += '"';
    return;
  }
  out += '"';
  while (!text.empty()) {
    const auto plain = PlainRun(text);
    out.append(text.substr(0, plain));
    text.remove_prefix(plain);
    if (!text.empty()) {
      text.remove_prefix(AppendEscaped(out, text));
    }
  }
  out += '"';
}

bool IsJsonPlain(std::string_view text) {
  return PlainRun(text) == text.size();
}

std::string JsonQuoted(std::string_view text) {
  std::string out;
  AppendJsonQuoted(out, text);
  return out;
}

}  // namespace portwarden
