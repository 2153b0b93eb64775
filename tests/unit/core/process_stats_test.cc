#include "agent/core/process_stats.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace portwarden {
namespace {

TEST(ProcessStatsTest, ParsesStatWithSpacesInComm) {
  const std::string stat =
      "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 "
      "98765 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  StatFields fields;
  ASSERT_TRUE(ParseProcStat(stat, fields));
  EXPECT_EQ(fields.utime_ticks, 250);
  EXPECT_EQ(fields.stime_ticks, 50);
  EXPECT_EQ(fields.start_ticks, 98765);
  EXPECT_EQ(fields.vsize_bytes, 123456789);
  EXPECT_EQ(fields.rss_pages, 2048);
}

TEST(ProcessStatsTest, RejectsTruncatedStat) {
  StatFields fields;
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2 3", fields));
  EXPECT_FALSE(ParseProcStat("garbage", fields));
}

TEST(ProcessStatsTest, ReadsOwnProcess) {
  const ProcessStats stats = ReadProcessStats();
  EXPECT_GT(stats.resident_memory_bytes, 1024 * 1024);
  EXPECT_GT(stats.virtual_memory_bytes, stats.resident_memory_bytes);
  EXPECT_GE(stats.open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GT(stats.max_fds, stats.open_fds);
  EXPECT_GT(stats.start_time_seconds, 1.6e9);
  EXPECT_LE(stats.start_time_seconds, static_cast<double>(::time(nullptr)) + 1);
}

}  // namespace
}  // namespace portwarden
