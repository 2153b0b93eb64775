// The terminal escaper: whatever the bytes, the output is valid UTF-8 holding no C0 control,
// DEL, C1 control or bidirectional formatting character, so printing it does nothing but show
// it; and its width is computable. The checker is the unit tests'
// (tests/unit/core/format_checkers.h).
#include <string>

#include "agent/core/terminal_escape.h"
#include "agent/core/utf8.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/unit/core/format_checkers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string safe = portwarden::TerminalSafe(portwarden::fuzz::AsText(data, size));
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(safe));
  PORTWARDEN_FUZZ_CHECK(!portwarden::testing::HasTerminalControl(safe));
  std::size_t code_points = 0;
  for (std::string_view rest = safe; !rest.empty(); ++code_points) {
    rest.remove_prefix(portwarden::utf8::Next(rest).length);
  }
  PORTWARDEN_FUZZ_CHECK(portwarden::TerminalWidth(safe) <= code_points);
  return 0;
}
