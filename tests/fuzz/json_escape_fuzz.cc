// The JSON (and logfmt) string escaper, round trip: whatever the bytes, the output is one
// strict JSON string (RFC 8259 grammar: quotes, escapes, no raw control characters, valid
// UTF-8), and for valid UTF-8 input its decoding gives the input back byte for byte.
// The strict decoder is the unit tests' (tests/unit/core/format_checkers.h).
#include <string>

#include "agent/core/json_escape.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/unit/core/format_checkers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = portwarden::fuzz::AsText(data, size);
  std::string out = "prefix";
  portwarden::AppendJsonQuoted(out, input);
  PORTWARDEN_FUZZ_CHECK(out.starts_with("prefix"));
  const std::string_view json = std::string_view(out).substr(6);
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(json));
  const auto decoded = portwarden::testing::DecodeJsonString(json);
  PORTWARDEN_FUZZ_CHECK(decoded.has_value());
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(*decoded));
  if (portwarden::fuzz::IsValidUtf8(input)) {
    PORTWARDEN_FUZZ_CHECK(*decoded == input);
  }
  return 0;
}
