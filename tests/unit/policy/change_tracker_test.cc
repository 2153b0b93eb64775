#include "agent/policy/change_tracker.h"

#include <gtest/gtest.h>

#include "agent/core/log.h"
#include "agent/policy/change_log.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::policy {
namespace {

using testing_support::MakeListener;

struct Scan {
  std::vector<inventory::Listener> listeners;
  std::vector<Verdict> verdicts;
};

Scan MakeScan(std::vector<inventory::Listener> listeners, std::vector<bool> violating = {}) {
  Scan scan{std::move(listeners), {}};
  for (std::size_t i = 0; i < scan.listeners.size(); ++i) {
    const bool bad = i < violating.size() && violating[i];
    scan.verdicts.push_back({bad ? "rule-a" : "default", bad, {}});
  }
  return scan;
}

TEST(ChangeTrackerTest, FirstScanIsBaselineButViolationsAreNew) {
  ChangeTracker tracker;
  const Scan scan = MakeScan({MakeListener("0.0.0.0", 22, Scope::kPublic, "sshd"),
                              MakeListener("0.0.0.0", 8443, Scope::kPublic, "java")},
                             {false, true});
  std::vector<double> first_seen;
  const ChangeSet changes = tracker.Update(scan.listeners, scan.verdicts, 100, first_seen);
  EXPECT_TRUE(changes.baseline);
  EXPECT_TRUE(changes.appeared.empty());
  EXPECT_TRUE(changes.disappeared.empty());
  ASSERT_EQ(changes.new_violations.size(), 1u);
  EXPECT_EQ(changes.new_violations[0].first->port, 8443);
  EXPECT_EQ(first_seen, (std::vector<double>{100, 100}));
  EXPECT_EQ(tracker.appeared_total(), 0u);
}

TEST(ChangeTrackerTest, CountsAppearedAndDisappearedAndKeepsFirstSeen) {
  ChangeTracker tracker;
  std::vector<double> first_seen;
  const Scan one = MakeScan({MakeListener("0.0.0.0", 22, Scope::kPublic, "sshd"),
                             MakeListener("127.0.0.1", 5432, Scope::kLoopback, "postgres")});
  tracker.Update(one.listeners, one.verdicts, 100, first_seen);
  // A restart under a new pid and process name is the same listener: identity is
  // (netns, proto, address, port).
  auto ssh = MakeListener("0.0.0.0", 22, Scope::kPublic, "sshd-new");
  const Scan two = MakeScan({ssh, MakeListener("::", 443, Scope::kPublic, "nginx")});
  const ChangeSet changes = tracker.Update(two.listeners, two.verdicts, 200, first_seen);
  EXPECT_FALSE(changes.baseline);
  ASSERT_EQ(changes.appeared.size(), 1u);
  EXPECT_EQ(changes.appeared[0]->port, 443);
  ASSERT_EQ(changes.disappeared.size(), 1u);
  EXPECT_EQ(changes.disappeared[0].process.comm, "postgres");
  EXPECT_EQ(first_seen, (std::vector<double>{100, 200}));
  EXPECT_EQ(tracker.appeared_total(), 1u);
  EXPECT_EQ(tracker.disappeared_total(), 1u);
  // Same listener on UDP, or in another netns, is a different listener.
  const Scan three =
      MakeScan({ssh, MakeListener("::", 443, Scope::kPublic, "nginx"),
                MakeListener("::", 443, Scope::kPublic, "nginx", Protocol::kUdp),
                MakeListener("::", 443, Scope::kPublic, "nginx", Protocol::kTcp, "web")});
  EXPECT_EQ(tracker.Update(three.listeners, three.verdicts, 300, first_seen).appeared.size(), 2u);
  EXPECT_EQ(tracker.appeared_total(), 3u);
  EXPECT_EQ(tracker.FirstSeen(three.listeners, 999), (std::vector<double>{100, 200, 300, 300}));
}

TEST(ChangeTrackerTest, ViolationIsNewOnlyOncePerRule) {
  ChangeTracker tracker;
  std::vector<double> first_seen;
  const auto listener = MakeListener("0.0.0.0", 8443, Scope::kPublic, "java");
  Scan scan = MakeScan({listener}, {true});
  EXPECT_EQ(tracker.Update(scan.listeners, scan.verdicts, 1, first_seen).new_violations.size(), 1u);
  EXPECT_TRUE(tracker.Update(scan.listeners, scan.verdicts, 2, first_seen).new_violations.empty());
  scan.verdicts[0].rule = "rule-b";  // a config reload moved it under another rule
  EXPECT_EQ(tracker.Update(scan.listeners, scan.verdicts, 3, first_seen).new_violations.size(), 1u);
  scan.verdicts[0].violation = false;
  EXPECT_TRUE(tracker.Update(scan.listeners, scan.verdicts, 4, first_seen).new_violations.empty());
  scan.verdicts[0].violation = true;  // fixed, then broken again: new again
  EXPECT_EQ(tracker.Update(scan.listeners, scan.verdicts, 5, first_seen).new_violations.size(), 1u);
}

TEST(ChangeTrackerTest, LogsOneLinePerChangeWithProcessAndAddress) {
  log::Setup(log::Level::kInfo, log::Format::kLogfmt);
  ChangeTracker tracker;
  std::vector<double> first_seen;
  const Scan one = MakeScan({MakeListener("127.0.0.1", 5432, Scope::kLoopback, "postgres")});
  ChangeLogger logger;
  logger.Log(tracker.Update(one.listeners, one.verdicts, 1, first_seen), 1);
  const Scan two = MakeScan({MakeListener("0.0.0.0", 8443, Scope::kPublic, "java")}, {true});
  testing::internal::CaptureStderr();
  logger.Log(tracker.Update(two.listeners, two.verdicts, 2, first_seen), 2);
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("level=info msg=\"Listener appeared\" netns=host proto=tcp "
                     "address=0.0.0.0 port=8443 scope=public process=java pid=4242"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("level=info msg=\"Listener disappeared\" netns=host proto=tcp "
                     "address=127.0.0.1 port=5432 scope=loopback process=postgres"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("level=warn msg=\"Exposure violation\" rule=rule-a netns=host proto=tcp "
                     "address=0.0.0.0 port=8443 scope=public allowed=none process=java"),
            std::string::npos)
      << out;
  std::size_t lines = 0;
  for (const char c : out) {
    lines += c == '\n' ? 1 : 0;
  }
  EXPECT_EQ(lines, 3u) << out;
}

}  // namespace
}  // namespace portwarden::policy
