#include "agent/core/log.h"

#include <gtest/gtest.h>

namespace portwarden::log {
namespace {

TEST(LogTest, ParsesOnlyPrometheusLevelNames) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("warn"), Level::kWarn);
  EXPECT_EQ(*ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("warning").error().message,
            "invalid log level \"warning\": must be one of debug, info, warn, error");
  EXPECT_FALSE(ParseLevel("off"));
  EXPECT_FALSE(ParseFormat("text"));
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
}

TEST(LogTest, RendersLogfmtWithQuotingWhereNeeded) {
  EXPECT_EQ(RenderPayload(Format::kLogfmt, "Listening on", {{"address", "[::]:19443"}, {"n", 3}}),
            "msg=\"Listening on\" address=[::]:19443 n=3");
  EXPECT_EQ(RenderPayload(Format::kLogfmt, "x", {{"err", "a \"b\" c"}, {"empty", ""}}),
            "msg=\"x\" err=\"a \\\"b\\\" c\" empty=\"\"");
}

TEST(LogTest, RendersJsonFields) {
  EXPECT_EQ(RenderPayload(Format::kJson, "line\nbreak", {{"ok", true}}),
            "\"msg\":\"line\\nbreak\",\"ok\":\"true\"");
}

TEST(LogTest, OutsideValuesCannotBreakALine) {
  const std::string hostile("a\nlevel=error msg=\"forged\"\r\x1b[2J\xff\xfe\0z", 35);
  const std::string logfmt = RenderPayload(Format::kLogfmt, "m", {{"process", hostile}});
  EXPECT_EQ(logfmt,
            "msg=\"m\" process=\"a\\nlevel=error msg=\\\"forged\\\"\\r\\u001b[2J"
            "\xEF\xBF\xBD\xEF\xBF\xBD\\u0000z\"");
  const std::string json = RenderPayload(Format::kJson, "m", {{"process", hostile}});
  EXPECT_EQ(json.find_first_of("\n\r"), std::string::npos);
  EXPECT_EQ(json.find('\xff'), std::string::npos);
  // Non-ASCII is quoted in logfmt, so a value never runs into the next key.
  EXPECT_EQ(RenderPayload(Format::kLogfmt, "m", {{"unit", "caf\xC3\xA9"}}),
            "msg=\"m\" unit=\"caf\xC3\xA9\"");
}

TEST(LogTest, LongValuesAreCut) {
  const std::string payload =
      RenderPayload(Format::kLogfmt, "m", {{"key", std::string(10 << 20, 'k')}});
  EXPECT_LT(payload.size(), 4200U);
  EXPECT_NE(payload.find("k\xE2\x80\xA6"), std::string::npos);  // the truncation mark
}

TEST(LogTest, BracesInValuesAreNotFormatDirectives) {
  log::Setup(Level::kInfo, Format::kLogfmt);
  ::testing::internal::CaptureStderr();
  Info("a {} b", {{"v", "{} {0} %v"}});
  const std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(line.find("msg=\"a {} b\" v=\"{} {0} %v\"\n"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(LogTest, EchoedLevelIsBounded) {
  EXPECT_LT(ParseLevel(std::string(1 << 20, 'x')).error().message.size(), 200U);
}

}  // namespace
}  // namespace portwarden::log
