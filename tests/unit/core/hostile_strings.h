#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace portwarden::testing {

/// Byte strings a hostile peer or local user could produce: fixed nasty cases plus `count`
/// seeded random strings biased towards the bytes that break decoders and parsers
/// (continuation bytes, lead bytes, NUL, ESC, quotes, backslashes, newlines). Deterministic.
inline std::vector<std::string> HostileStrings(int count = 5000) {
  std::vector<std::string> out = {
      "",
      "plain",
      std::string("\0", 1),
      "\xff\xfe",
      "\x1b[31mred\x1b[0m",
      "line\nbreak\r\n",
      "quote\" back\\slash",
      "\xc0\xaf",          // overlong '/'
      "\xed\xa0\x80",      // surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xe2\x82",          // truncated
      "\xc2\x85\xc2\x9b",  // C1 NEL, CSI
      "\xe2\x80\xae"
      "evil",          // RLO
      "\xe2\x80\xa8",  // LINE SEPARATOR
      "caf\xc3\xa9 \xf0\x9f\x94\x92",
      "<script>alert('x')</script>&amp;",
      "a{}%v{0}",
  };
  static constexpr unsigned char kNasty[] = {
      0x00, 0x0a, 0x0d, 0x1b, 0x22, 0x26, 0x27, 0x3c, 0x3e, 0x5c, 0x7f, 0x80, 0x85, 0x9b,
      0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x41, 0x20};
  std::mt19937 rng(20261201);
  std::uniform_int_distribution<int> length(0, 24);
  std::uniform_int_distribution<int> pick(0, 2 * static_cast<int>(sizeof kNasty) - 1);
  std::uniform_int_distribution<int> any_byte(0, 255);
  for (int i = 0; i < count; ++i) {
    std::string s;
    const int n = length(rng);
    for (int j = 0; j < n; ++j) {
      const int p = pick(rng);
      s += static_cast<char>(p < static_cast<int>(sizeof kNasty) ? kNasty[p] : any_byte(rng));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace portwarden::testing
