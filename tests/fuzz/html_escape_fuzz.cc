// The HTML escaper, round trip: whatever the bytes, the output is valid UTF-8 with no raw
// `<`, `>`, `"` or `'`, every `&` starts one of the references it writes, and decoding those
// gives back the input whenever the input was valid UTF-8 free of the controls HTML forbids.
#include <string>

#include "agent/core/html_escape.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr std::string_view kReferences[][2] = {
    {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};

std::string Unescape(std::string_view html) {
  std::string out;
  for (std::size_t i = 0; i < html.size();) {
    PORTWARDEN_FUZZ_CHECK(html[i] != '<' && html[i] != '>' && html[i] != '"' && html[i] != '\'');
    if (html[i] != '&') {
      out += html[i++];
      continue;
    }
    bool known = false;
    for (const auto& [reference, text] : kReferences) {
      if (html.substr(i).starts_with(reference)) {
        out += text;
        i += reference.size();
        known = true;
        break;
      }
    }
    PORTWARDEN_FUZZ_CHECK(known);
  }
  return out;
}

// C0 other than tab, LF and CR; DEL; C1 (U+0080-U+009F, encoded C2 80 - C2 9F); NUL.
bool HasForbiddenControl(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      return true;
    }
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = portwarden::fuzz::AsText(data, size);
  const std::string html = portwarden::HtmlEscaped(input);
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(html));
  const std::string decoded = Unescape(html);
  if (portwarden::fuzz::IsValidUtf8(input) && !HasForbiddenControl(input)) {
    PORTWARDEN_FUZZ_CHECK(decoded == input);
  }
  return 0;
}
