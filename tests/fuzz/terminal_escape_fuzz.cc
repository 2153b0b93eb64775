// The terminal escaper: whatever the bytes, the output is valid UTF-8 holding no C0 control,
// DEL, C1 control or bidirectional formatting character, so printing it does nothing but show
// it; and its width is computable.
#include <string>

#include "agent/core/terminal_escape.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// The code point of the valid UTF-8 sequence at text[i], and its length.
char32_t Decode(std::string_view text, std::size_t i, std::size_t& length) {
  const auto c = static_cast<unsigned char>(text[i]);
  length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  char32_t value = length == 1 ? c : c & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    value = (value << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  return value;
}

bool IsUnsafe(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string safe = portwarden::TerminalSafe(portwarden::fuzz::AsText(data, size));
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(safe));
  std::size_t code_points = 0;
  for (std::size_t i = 0, length = 0; i < safe.size(); i += length, ++code_points) {
    PORTWARDEN_FUZZ_CHECK(!IsUnsafe(Decode(safe, i, length)));
  }
  PORTWARDEN_FUZZ_CHECK(portwarden::TerminalWidth(safe) <= code_points);
  return 0;
}
