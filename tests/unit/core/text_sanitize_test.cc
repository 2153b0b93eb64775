#include "agent/core/text_sanitize.h"

#include <gtest/gtest.h>

#include "agent/core/utf8.h"
#include "tests/unit/core/hostile_strings.h"

namespace portwarden::text {
namespace {

constexpr std::size_t kLarge = 1 << 20;
const std::string kFffd = "\xEF\xBF\xBD";

struct Case {
  const char* name;
  std::string in;
  std::string out;
};

class SanitizeTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(SanitizeTableTest, ReplacesEachIllFormedSequenceOnce) {
  EXPECT_EQ(SanitizeUtf8(GetParam().in, kLarge), GetParam().out) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Utf8,
    SanitizeTableTest,
    ::testing::Values(Case{"ascii", "nginx", "nginx"},
                      Case{"two_byte", "caf\xC3\xA9", "caf\xC3\xA9"},
                      Case{"three_byte", "\xE2\x82\xAC", "\xE2\x82\xAC"},
                      Case{"four_byte", "\xF0\x9F\x94\x92", "\xF0\x9F\x94\x92"},
                      Case{"max_scalar", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},
                      Case{"control_kept", "a\x1b[31m\nb", "a\x1b[31m\nb"},
                      Case{"nul", std::string("a\0b", 3), "a" + kFffd + "b"},
                      Case{"invalid_bytes", "\xFF\xFE", kFffd + kFffd},
                      Case{"stray_continuation",
                           "a\x80"
                           "b",
                           "a" + kFffd + "b"},
                      Case{"truncated_two", "a\xC3", "a" + kFffd},
                      Case{"truncated_three_is_one",
                           "\xE2\x82"
                           "x",
                           kFffd + "x"},
                      Case{"truncated_four_is_one", "\xF0\x9F\x94", kFffd},
                      Case{"overlong_slash", "\xC0\xAF", kFffd + kFffd},
                      Case{"overlong_three", "\xE0\x80\xAF", kFffd + kFffd + kFffd},
                      Case{"overlong_four", "\xF0\x80\x80\xAF", kFffd + kFffd + kFffd + kFffd},
                      Case{"surrogate_high", "\xED\xA0\x80", kFffd + kFffd + kFffd},
                      Case{"surrogate_low", "\xED\xBF\xBF", kFffd + kFffd + kFffd},
                      Case{"above_max", "\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},
                      Case{"f5_lead", "\xF5\x80", kFffd + kFffd},
                      Case{"lead_then_ascii", "\xE2x\xE2\x82y", kFffd + "x" + kFffd + "y"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(SanitizeTest, TruncatesOnACodePointBoundaryWithAMark) {
  EXPECT_EQ(SanitizeUtf8("abcdefgh", 8), "abcdefgh");  // fits exactly: no mark
  EXPECT_EQ(SanitizeUtf8("abcdefghi", 8), "abcde" + std::string(kTruncationMark));
  // "é" is two bytes: the cut never lands inside it.
  const std::string accents = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";  // 8 bytes
  EXPECT_EQ(SanitizeUtf8(accents + "x", 8), "\xC3\xA9\xC3\xA9" + std::string(kTruncationMark));
  EXPECT_EQ(SanitizeUtf8(accents + "x", 7), "\xC3\xA9\xC3\xA9" + std::string(kTruncationMark));
  EXPECT_EQ(SanitizeUtf8(accents + "x", 6), "\xC3\xA9" + std::string(kTruncationMark));
  // Replacement characters count at their output size.
  EXPECT_EQ(SanitizeUtf8("\xFF\xFF\xFF", 6), kFffd + std::string(kTruncationMark));
  EXPECT_EQ(SanitizeUtf8("abc", 2), "ab");  // no room for a mark
  EXPECT_EQ(SanitizeUtf8("abc", 0), "");
}

TEST(SanitizeTest, EveryResultIsValidAndWithinItsCap) {
  for (const std::string& raw : testing::HostileStrings()) {
    for (const std::size_t cap : {0UL, 1UL, 3UL, 4UL, 7UL, 16UL, 64UL}) {
      const std::string out = SanitizeUtf8(raw, cap);
      EXPECT_TRUE(utf8::IsValid(out)) << ::testing::PrintToString(raw);
      EXPECT_LE(out.size(), cap);
      EXPECT_EQ(out.find('\0'), std::string::npos);
    }
    EXPECT_EQ(SanitizeUtf8(SanitizeUtf8(raw, kLarge), kLarge), SanitizeUtf8(raw, kLarge));
  }
}

TEST(SanitizeTest, KindsHaveTheirDocumentedCaps) {
  EXPECT_EQ(MaxBytes(Kind::kProcessName), 64U);
  EXPECT_EQ(MaxBytes(Kind::kExePath), 1024U);
  EXPECT_EQ(MaxBytes(Kind::kUnit), 256U);
  EXPECT_EQ(MaxBytes(Kind::kNetnsName), 256U);
  EXPECT_EQ(MaxBytes(Kind::kInterfaceName), 64U);
  EXPECT_EQ(MaxBytes(Kind::kCertName), 256U);
  EXPECT_EQ(MaxBytes(Kind::kCertNameList), 1024U);
  EXPECT_EQ(MaxBytes(Kind::kHttpHeader), 1024U);
  EXPECT_EQ(MaxBytes(Kind::kErrorText), 512U);
  EXPECT_EQ(MaxBytes(Kind::kErrorMessage), 2048U);
  EXPECT_EQ(MaxBytes(Kind::kConfigExcerpt), 80U);
  // A comm of 15 invalid bytes still fits whole: 45 bytes of U+FFFD.
  EXPECT_EQ(Sanitize(std::string(15, '\xFF'), Kind::kProcessName).size(), 45U);
  const std::string long_path(10 << 20, 'a');  // 10 MB in, 1 KB out
  EXPECT_EQ(Sanitize(long_path, Kind::kExePath).size(), 1024U);
}

TEST(Utf8Test, DecodesAndCounts) {
  const auto euro = utf8::Next("\xE2\x82\xAC!");
  EXPECT_TRUE(euro.valid);
  EXPECT_EQ(euro.value, U'\u20AC');
  EXPECT_EQ(euro.length, 3U);
  EXPECT_EQ(utf8::CodePointCount("a\xC3\xA9\xFF"), 3U);
  std::string out;
  utf8::Append(out, U'\U0001F512');
  EXPECT_EQ(out, "\xF0\x9F\x94\x92");
  EXPECT_FALSE(utf8::IsValid("\xED\xA0\x80"));
  EXPECT_TRUE(utf8::IsValid(std::string("\0\x1b", 2)));
}

}  // namespace
}  // namespace portwarden::text
