#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// UTF-8 decoding primitives shared by the sanitizer and the output escapers. Pure functions,
/// thread-safe.
namespace portwarden::utf8 {

/// U+FFFD REPLACEMENT CHARACTER, what every invalid sequence becomes.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

/// One step of decoding: the code point at the front of a string and how many bytes it took.
struct CodePoint {
  char32_t value = 0;      ///< The scalar value; U+FFFD when !valid.
  std::size_t length = 0;  ///< Bytes consumed (≥ 1 for non-empty input).
  bool valid = false;      ///< False for an ill-formed sequence.
};

/// Decodes the code point at the front of `text` (which must not be empty). Ill-formed input
/// (a stray continuation byte, a truncated sequence, an overlong form, a surrogate, a value
/// above U+10FFFF, bytes C0, C1, F5–FF) yields valid = false and consumes the "maximal
/// subpart" of the bad sequence, as Unicode §3.9 and the WHATWG decoder do: each bad
/// sequence becomes one U+FFFD and the byte that broke it starts the next step.
CodePoint Next(std::string_view text);

/// Appends `value` (a Unicode scalar value) encoded as UTF-8.
void Append(std::string& out, char32_t value);

/// True when `text` is well-formed UTF-8 (NUL and other control characters are well-formed).
bool IsValid(std::string_view text);

/// The number of code points in `text` (an ill-formed sequence counts as one).
std::size_t CodePointCount(std::string_view text);

}  // namespace portwarden::utf8
