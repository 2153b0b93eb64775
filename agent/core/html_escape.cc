#include "agent/core/html_escape.h"

#include "agent/core/utf8.h"

namespace portwarden {
namespace {

constexpr bool Forbidden(char32_t value) {
  return (value < 0x20 && value != '\t' && value != '\n' && value != '\r') ||
         (value >= 0x7F && value <= 0x9F);
}

}  // namespace

void AppendHtmlEscaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  while (!text.empty()) {
    switch (text[0]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default: {
        const utf8::CodePoint cp = utf8::Next(text);
        if (!cp.valid || Forbidden(cp.value)) {
          out += utf8::kReplacement;
        } else {
          out.append(text.substr(0, cp.length));
        }
        text.remove_prefix(cp.length);
        continue;
      }
    }
    text.remove_prefix(1);
  }
}

std::string HtmlEscaped(std::string_view text) {
  std::string out;
  AppendHtmlEscaped(out, text);
  return out;
}

}  // namespace portwarden
