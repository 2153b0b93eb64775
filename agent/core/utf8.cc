#include "agent/core/utf8.h"

namespace portwarden::utf8 {
namespace {

constexpr bool IsContinuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

}  // namespace

// Table 3-7 of the Unicode standard: the lead byte fixes the length and the range of the
// second byte (which is where overlongs, surrogates and values above U+10FFFF are excluded);
// later bytes are any continuation byte.
CodePoint Next(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) {
    return {lead, 1, true};
  }
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  char32_t value = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
    low = lead == 0xE0 ? 0xA0 : 0x80;   // E0 80..9F would be overlong
    high = lead == 0xED ? 0x9F : 0xBF;  // ED A0..BF would be a surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
    low = lead == 0xF0 ? 0x90 : 0x80;   // F0 80..8F would be overlong
    high = lead == 0xF4 ? 0x8F : 0xBF;  // F4 90.. would be above U+10FFFF
  } else {
    return {0xFFFD, 1, false};  // a continuation byte, C0, C1 or F5..FF
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (i >= text.size()) {
      return {0xFFFD, i, false};  // truncated at the end of the input
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool in_range = i == 1 ? byte >= low && byte <= high : IsContinuation(byte);
    if (!in_range) {
      return {0xFFFD, i, false};  // the maximal subpart ends before this byte
    }
    value = (value << 6) | (byte & 0x3F);
  }
  return {value, length, true};
}

void Append(std::string& out, char32_t value) {
  if (value < 0x80) {
    out += static_cast<char>(value);
  } else if (value < 0x800) {
    out += static_cast<char>(0xC0 | (value >> 6));
    out += static_cast<char>(0x80 | (value & 0x3F));
  } else if (value < 0x10000) {
    out += static_cast<char>(0xE0 | (value >> 12));
    out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (value & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (value >> 18));
    out += static_cast<char>(0x80 | ((value >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((value >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (value & 0x3F));
  }
}

bool IsValid(std::string_view text) {
  while (!text.empty()) {
    if (static_cast<unsigned char>(text[0]) < 0x80) {
      text.remove_prefix(1);
      continue;
    }
    const CodePoint cp = Next(text);
    if (!cp.valid) {
      return false;
    }
    text.remove_prefix(cp.length);
  }
  return true;
}

std::size_t CodePointCount(std::string_view text) {
  std::size_t count = 0;
  while (!text.empty()) {
    text.remove_prefix(Next(text).length);
    ++count;
  }
  return count;
}

}  // namespace portwarden::utf8
