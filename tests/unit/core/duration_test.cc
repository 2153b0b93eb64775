#include "agent/core/duration.h"

#include <gtest/gtest.h>

namespace portwarden {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(DurationTest, ParsesPrometheusDurations) {
  EXPECT_EQ(*ParseDuration("15s"), seconds(15));
  EXPECT_EQ(*ParseDuration("1m30s"), seconds(90));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("2d"), hours(48));
  EXPECT_EQ(*ParseDuration("1w"), hours(168));
  EXPECT_EQ(*ParseDuration("0s"), seconds(0));
}

TEST(DurationTest, RejectsMalformed) {
  EXPECT_EQ(ParseDuration("").error().message, "empty duration");
  EXPECT_EQ(ParseDuration("15").error().message,
            "invalid duration \"15\": unit must be one of ms, s, m, h, d, w, y");
  EXPECT_EQ(ParseDuration("s").error().message,
            "invalid duration \"s\": expected a number like \"15s\" or \"1m30s\"");
  EXPECT_FALSE(ParseDuration("1.5s"));
  EXPECT_FALSE(ParseDuration("10s5m"));
  EXPECT_FALSE(ParseDuration("99999999999999999999s"));
}

TEST(DurationTest, FormatRoundTrips) {
  for (const char* text : {"15s", "1m30s", "250ms", "1h", "2d3h", "0s"}) {
    EXPECT_EQ(FormatDuration(*ParseDuration(text)), text);
  }
}

}  // namespace
}  // namespace portwarden
