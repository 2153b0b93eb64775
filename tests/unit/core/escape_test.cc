// The output escapers against hostile input: whatever goes in, what comes out parses in its
// format (checked by small strict decoders written here from the specifications).
#include <optional>

#include <gtest/gtest.h>

#include "agent/core/html_escape.h"
#include "agent/core/json_escape.h"
#include "agent/core/terminal_escape.h"
#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"
#include "tests/unit/core/hostile_strings.h"

namespace portwarden {
namespace {

// Decodes one JSON string literal as RFC 8259 defines it (no raw control characters, only
// the defined escapes, valid UTF-8 in and out); nullopt if a strict parser would refuse it.
std::optional<std::string> DecodeJsonString(std::string_view json) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"' || !utf8::IsValid(json)) {
    return std::nullopt;
  }
  json = json.substr(1, json.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (c < 0x20 || c == '"') {
      return std::nullopt;
    }
    if (c != '\\') {
      out += json[i];
      continue;
    }
    if (++i >= json.size()) {
      return std::nullopt;
    }
    switch (json[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        if (i + 4 >= json.size() || json.substr(i + 1, 4).find_first_not_of(
                                        "0123456789abcdefABCDEF") != std::string_view::npos) {
          return std::nullopt;
        }
        const auto value = std::stoul(std::string(json.substr(i + 1, 4)), nullptr, 16);
        if (value >= 0xD800 && value <= 0xDFFF) {
          return std::nullopt;  // the escaper never needs surrogate pairs
        }
        utf8::Append(out, static_cast<char32_t>(value));
        i += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

// The input with ill-formed sequences replaced (the JSON and HTML escapers keep NUL as data).
std::string Repaired(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    const auto cp = utf8::Next(raw);
    out.append(cp.valid ? raw.substr(0, cp.length) : utf8::kReplacement);
    raw.remove_prefix(cp.length);
  }
  return out;
}

TEST(JsonEscapeTest, EscapesControlsAndSeparators) {
  EXPECT_EQ(JsonQuoted("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuoted(std::string("a\"\\\n\r\t\x1b\x7f\0", 9)),
            R"("a\"\\\n\r\t\u001b\u007f\u0000")");
  EXPECT_EQ(JsonQuoted("\xC2\x85\xE2\x80\xA8"), R"("\u0085\u2028")");
  EXPECT_EQ(JsonQuoted("caf\xC3\xA9 \xFF"), "\"caf\xC3\xA9 \xEF\xBF\xBD\"");
}

TEST(JsonEscapeTest, RoundTripsWhateverTheInput) {
  for (const std::string& raw : testing::HostileStrings()) {
    const std::string quoted = JsonQuoted(raw);
    const auto decoded = DecodeJsonString(quoted);
    ASSERT_TRUE(decoded) << ::testing::PrintToString(raw) << " -> " << quoted;
    EXPECT_EQ(*decoded, Repaired(raw)) << ::testing::PrintToString(raw);
    EXPECT_EQ(quoted.find_first_of("\n\r"), std::string::npos);
  }
}

// Undoes the five references AppendHtmlEscaped writes; nullopt for a raw `<`, `>`, quote or
// a bare `&`, which would let text leave its element or attribute.
std::optional<std::string> UnescapeHtml(std::string_view html) {
  std::string out;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<' || html[i] == '>' || html[i] == '"' || html[i] == '\'') {
      return std::nullopt;
    }
    if (html[i] != '&') {
      out += html[i];
      continue;
    }
    bool matched = false;
    for (const auto& [ref, ch] :
         {std::pair{"&amp;", '&'}, std::pair{"&lt;", '<'}, std::pair{"&gt;", '>'},
          std::pair{"&quot;", '"'}, std::pair{"&#39;", '\''}}) {
      if (html.substr(i).starts_with(ref)) {
        out += ch;
        i += std::string_view(ref).size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) {
      return std::nullopt;
    }
  }
  return out;
}

// Ill-formed UTF-8 or a control character HTML does not allow in text.
bool HasHtmlForbidden(std::string_view text) {
  while (!text.empty()) {
    const auto cp = utf8::Next(text);
    if (!cp.valid ||
        (cp.value < 0x20 && cp.value != '\t' && cp.value != '\n' && cp.value != '\r') ||
        (cp.value >= 0x7F && cp.value <= 0x9F)) {
      return true;
    }
    text.remove_prefix(cp.length);
  }
  return false;
}

TEST(HtmlEscapeTest, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscaped("/metrics\"><script>alert('x')</script>&"),
            "/metrics&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;");
  EXPECT_EQ(HtmlEscaped(std::string("a\0\x1b\xC2\x85\xFF\tb", 8)),
            "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\tb");
}

TEST(HtmlEscapeTest, NothingLeavesTheAttributeWhateverTheInput) {
  for (const std::string& raw : testing::HostileStrings()) {
    const std::string html = HtmlEscaped(raw);
    EXPECT_TRUE(utf8::IsValid(html));
    const auto text = UnescapeHtml(html);
    ASSERT_TRUE(text) << ::testing::PrintToString(raw);
    // Back to the input, unless it held characters that had to become U+FFFD.
    if (!HasHtmlForbidden(raw)) {
      EXPECT_EQ(*text, raw);
    }
  }
}

// Every code point a terminal could act on instead of showing.
bool HasTerminalControl(std::string_view text) {
  while (!text.empty()) {
    const auto cp = utf8::Next(text);
    if (!cp.valid || cp.value < 0x20 || (cp.value >= 0x7F && cp.value <= 0x9F) ||
        cp.value == 0x061C || cp.value == 0x200E || cp.value == 0x200F ||
        (cp.value >= 0x202A && cp.value <= 0x202E) || (cp.value >= 0x2066 && cp.value <= 0x2069)) {
      return true;
    }
    text.remove_prefix(cp.length);
  }
  return false;
}

TEST(TerminalEscapeTest, ShowsControlsVisibly) {
  EXPECT_EQ(TerminalSafe("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(TerminalSafe("a\nb\tc\x7f"), "a\\x0ab\\x09c\\x7f");
  EXPECT_EQ(TerminalSafe("\xC2\x9B"
                         "2J"),
            "\\u{009b}2J");
  EXPECT_EQ(TerminalSafe("\xE2\x80\xAE"
                         "gpj.exe"),
            "\\u{202e}gpj.exe");
  EXPECT_EQ(TerminalSafe("\xFF"
                         "caf\xC3\xA9"),
            "\xEF\xBF\xBD"
            "caf\xC3\xA9");
  EXPECT_EQ(TerminalWidth("caf\xC3\xA9"), 4U);
  EXPECT_EQ(TerminalWidth("\xEF\xBF\xBD\xEF\xBF\xBD"), 2U);
}

TEST(TerminalEscapeTest, NoControlReachesTheTerminalWhateverTheInput) {
  for (const std::string& raw : testing::HostileStrings()) {
    const std::string safe = TerminalSafe(raw);
    EXPECT_FALSE(HasTerminalControl(safe)) << ::testing::PrintToString(raw);
    if (!HasTerminalControl(raw)) {
      EXPECT_EQ(safe, raw);  // nothing to show differently
    }
  }
}

}  // namespace
}  // namespace portwarden
