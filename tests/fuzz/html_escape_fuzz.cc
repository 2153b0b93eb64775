// The HTML escaper, round trip: whatever the bytes, the output is valid UTF-8 with no raw
// `<`, `>`, `"` or `'`, every `&` starts one of the references it writes, and decoding those
// gives back the input whenever the input was valid UTF-8 free of the controls HTML forbids.
// The strict checkers are the unit tests' (tests/unit/core/format_checkers.h).
#include <string>

#include "agent/core/html_escape.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/unit/core/format_checkers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = portwarden::fuzz::AsText(data, size);
  const std::string html = portwarden::HtmlEscaped(input);
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(html));
  const auto decoded = portwarden::testing::UnescapeHtml(html);
  PORTWARDEN_FUZZ_CHECK(decoded.has_value());
  if (!portwarden::testing::HasHtmlForbidden(input)) {
    PORTWARDEN_FUZZ_CHECK(*decoded == input);
  }
  return 0;
}
