#include "agent/policy/change_log.h"

#include <gtest/gtest.h>

#include "agent/core/log.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::policy {
namespace {

using testing_support::MakeListener;

std::size_t CountLines(const std::string& out, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = out.find(what); at != std::string::npos; at = out.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// A scan of `count` public listeners on ports from `first_port`, all violating.
struct Churn {
  std::vector<inventory::Listener> listeners;
  std::vector<Verdict> verdicts;
};

Churn MakeChurn(std::uint16_t first_port, int count) {
  Churn scan;
  for (int i = 0; i < count; ++i) {
    scan.listeners.push_back(MakeListener("0.0.0.0", static_cast<std::uint16_t>(first_port + i),
                                          Scope::kPublic, "churner"));
    scan.verdicts.push_back({"rule-a", true, {}});
  }
  return scan;
}

TEST(ChangeLoggerTest, FewChangesAreLoggedOneByOne) {
  log::Setup(log::Level::kInfo, log::Format::kLogfmt);
  ChangeTracker tracker;
  ChangeLogger logger;
  std::vector<double> first_seen;
  Churn none;
  logger.Log(tracker.Update(none.listeners, none.verdicts, 0, first_seen), 0);
  const Churn three = MakeChurn(1000, 3);
  ::testing::internal::CaptureStderr();
  logger.Log(tracker.Update(three.listeners, three.verdicts, 1, first_seen), 1);
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(CountLines(out, "msg=\"Listener appeared\""), 3U) << out;
  EXPECT_EQ(CountLines(out, "msg=\"Exposure violation\""), 3U) << out;
  EXPECT_EQ(CountLines(out, "not logged one by one"), 0U) << out;
}

// 40 scans, each replacing 5,000 listeners by 5,000 others: 400,000 changes. The log keeps
// to the documented budget while the tracker's counters stay exact, and every scan that
// left changes out says how many, exactly.
TEST(ChangeLoggerTest, ChurnIsSummarisedAndCountersStayExact) {
  log::Setup(log::Level::kInfo, log::Format::kLogfmt);
  ChangeTracker tracker;
  ChangeLogger logger;
  std::vector<double> first_seen;
  Churn baseline;
  logger.Log(tracker.Update(baseline.listeners, baseline.verdicts, 0, first_seen), 0);
  constexpr int kScans = 40;
  constexpr int kPerScan = 5000;
  ::testing::internal::CaptureStderr();
  for (int scan = 1; scan <= kScans; ++scan) {
    const Churn churn = MakeChurn(scan % 2 == 0 ? 10000 : 20000, kPerScan);
    logger.Log(tracker.Update(churn.listeners, churn.verdicts, scan, first_seen), scan);
  }
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(tracker.appeared_total(), static_cast<std::uint64_t>(kScans * kPerScan));
  EXPECT_EQ(tracker.disappeared_total(), static_cast<std::uint64_t>((kScans - 1) * kPerScan));
  // One scan per second for 40 s: the burst of 100 spent 20 a scan, then 10 a minute.
  const std::size_t individual = CountLines(out, "msg=\"Listener appeared\"") +
                                 CountLines(out, "msg=\"Listener disappeared\"");
  EXPECT_LE(individual, 100U + 7U);
  EXPECT_GE(individual, 100U);
  EXPECT_EQ(CountLines(out, "msg=\"Listener changes not logged one by one"),
            static_cast<std::size_t>(kScans));
  EXPECT_LE(CountLines(out, "msg=\"Exposure violation\""), 107U);
  EXPECT_EQ(CountLines(out, "\n"), individual + CountLines(out, "msg=\"Exposure violation\"") +
                                       2 * static_cast<std::size_t>(kScans));
  // The last scan: 5,000 appeared and 5,000 disappeared, none of them logged one by one.
  EXPECT_NE(out.rfind("appeared=5000 disappeared=5000 logged=0"), std::string::npos) << out;
}

TEST(ChangeLoggerTest, BudgetRefillsWithTimeButNotBackwards) {
  log::Setup(log::Level::kInfo, log::Format::kLogfmt);
  ChangeTracker tracker;
  ChangeLogger logger({.per_scan = 5, .burst = 5, .per_minute = 60});
  std::vector<double> first_seen;
  Churn baseline;
  logger.Log(tracker.Update(baseline.listeners, baseline.verdicts, 0, first_seen), 0);
  ::testing::internal::CaptureStderr();
  const Churn a = MakeChurn(1000, 10);
  logger.Log(tracker.Update(a.listeners, a.verdicts, 100, first_seen), 100);  // 5 logged
  const Churn b = MakeChurn(2000, 10);
  logger.Log(tracker.Update(b.listeners, b.verdicts, 50, first_seen), 50);  // clock stepped back
  const Churn c = MakeChurn(3000, 10);
  logger.Log(tracker.Update(c.listeners, c.verdicts, 103, first_seen), 103);  // 3 s: 3 tokens
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("appeared=5 disappeared=0 logged=5"), std::string::npos) << out;
  EXPECT_NE(out.find("appeared=10 disappeared=10 logged=0"), std::string::npos) << out;
  EXPECT_NE(out.find("appeared=7 disappeared=10 logged=3"), std::string::npos) << out;
}

}  // namespace
}  // namespace portwarden::policy
