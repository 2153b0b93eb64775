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

}  // namespace
}  // namespace portwarden::log
