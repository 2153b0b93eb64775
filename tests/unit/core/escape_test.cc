// The output escapers against hostile input: whatever goes in, what comes out parses in its
// format (checked by the strict decoders of format_checkers.h, written from the specifications).
#include <optional>

#include <gtest/gtest.h>

#include "agent/core/html_escape.h"
#include "agent/core/json_escape.h"
#include "agent/core/terminal_escape.h"
#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"
#include "tests/unit/core/format_checkers.h"
#include "tests/unit/core/hostile_strings.h"

namespace portwarden {
namespace {

using testing::DecodeJsonString;
using testing::HasHtmlForbidden;
using testing::HasTerminalControl;
using testing::Repaired;
using testing::UnescapeHtml;

TEST(JsonEscapeTest, EscapesControlsAndSeparators) {
  EXPECT_EQ(JsonQuoted("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuoted(std::string("a\"\\\n\r\t\x1b\x7f\0", 9)),
            R"("a\"\\\n\r\t\u001b\u007f\u0000")");
  EXPECT_EQ(JsonQuoted("\xC2\x85\xE2\x80\xA8"), R"("\u0085\u2028")");
  EXPECT_EQ(JsonQuoted("caf\xC3\xA9 \xFF"), "\"caf\xC3\xA9 \xEF\xBF\xBD\"");
}

TEST(JsonEscapeTest, PlainIsWhatQuotingCopiesUnchanged) {
  EXPECT_TRUE(IsJsonPlain(""));
  EXPECT_TRUE(IsJsonPlain("/proc/self/ns/net 0.0.0.0 ~!"));
  for (const char c : {'"', '\\', '\x1f', '\x7f', '\x80', '\xff', '\0'}) {
    EXPECT_FALSE(IsJsonPlain(std::string("ab") + c + "cd")) << static_cast<int>(c);
  }
  // Every byte value at every position of a string longer than two words (word loop and tail).
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const bool plain = byte >= 0x20 && byte < 0x7F && c != '"' && c != '\\';
    for (std::size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = c;
      EXPECT_EQ(IsJsonPlain(text), plain) << byte << " at " << at;
    }
  }
  for (const std::string& raw : testing::HostileStrings()) {
    if (IsJsonPlain(raw)) {  // plain implies unchanged (valid non-ASCII is unchanged too)
      EXPECT_EQ(JsonQuoted(raw), "\"" + raw + "\"") << ::testing::PrintToString(raw);
    }
  }
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
