// When a spread cycle starts each target (agent.probe_spread), and that nothing waits for the
// window once a reload or a shutdown says so. Time is a FakeClock (tests/lib); the probes of
// the prober tests go to a loopback port nobody listens on (each is refused at once).
#include "agent/probe/probe_spread.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "agent/probe/openssl_prober.h"
#include "tests/lib/fake_clock.h"

namespace portwarden::probe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<ProbeTarget> Targets(int n, int port = 443) {
  std::vector<ProbeTarget> targets(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& e = targets[static_cast<std::size_t>(i)].endpoint;
    e.host = "127.0.0.1";
    e.port = static_cast<std::uint16_t>(port);
    e.server_name = "t" + std::to_string(i) + ".test";
    e.target = e.server_name + ":" + std::to_string(port);
  }
  return targets;
}

TEST(SpreadOffsetsTest, NoSpreadStartsEverythingAtOnce) {
  for (const Duration offset : SpreadOffsets(Targets(5), Duration(0))) {
    EXPECT_EQ(offset, Duration(0));
  }
  EXPECT_EQ(SpreadOffsets(Targets(1), seconds(10)), std::vector<Duration>{Duration(0)});
  EXPECT_TRUE(SpreadOffsets({}, seconds(10)).empty());
}

TEST(SpreadOffsetsTest, TargetsAreSpacedEvenlyOverTheWindow) {
  const auto offsets = SpreadOffsets(Targets(8), seconds(4));
  auto sorted = offsets;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(sorted[i], Duration(milliseconds(500 * static_cast<int>(i))));
  }
}

TEST(SpreadOffsetsTest, ATargetKeepsItsPlaceWhateverTheListOrder) {
  auto targets = Targets(20);
  const auto offsets = SpreadOffsets(targets, seconds(60));
  std::reverse(targets.begin(), targets.end());
  const auto reversed = SpreadOffsets(targets, seconds(60));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    EXPECT_EQ(reversed[i], offsets[targets.size() - 1 - i]) << i;
  }
}

TEST(SpreadOffsetsTest, ANewTargetMovesTheOthersByAtMostOneStep) {
  auto targets = Targets(10);
  const auto before = SpreadOffsets(targets, seconds(11));
  targets.push_back(Targets(11).back());
  const auto after = SpreadOffsets(targets, seconds(11));
  for (std::size_t i = 0; i < before.size(); ++i) {
    const auto moved = after[i] > before[i] ? after[i] - before[i] : before[i] - after[i];
    EXPECT_LE(moved, Duration(seconds(11)) / 10) << i;
  }
}

TEST(SpreadOffsetsTest, TheNetnsAndTheSourceArePartOfTheIdentity) {
  auto targets = Targets(2);
  targets[1] = targets[0];
  targets[1].netns = "other";
  const auto offsets = SpreadOffsets(targets, seconds(10));
  EXPECT_NE(offsets[0], offsets[1]);
}

TEST(SpreadPacerTest, WaitsForTheClockAndReleaseEndsEveryWaitUntilArm) {
  testing::FakeClock clock;
  SpreadPacer pacer(clock);
  auto waited = std::async(std::launch::async,
                           [&] { return pacer.WaitUntil(clock.SteadyNow() + seconds(10)); });
  while (clock.waits() < 1) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  clock.Advance(seconds(5));
  EXPECT_EQ(waited.wait_for(milliseconds(50)), std::future_status::timeout);
  clock.Advance(seconds(5));
  EXPECT_TRUE(waited.get());

  auto released = std::async(std::launch::async,
                             [&] { return pacer.WaitUntil(clock.SteadyNow() + seconds(3600)); });
  while (clock.waits() < 2) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  pacer.Release();
  EXPECT_FALSE(released.get());
  EXPECT_FALSE(pacer.WaitUntil(clock.SteadyNow() + seconds(3600)));  // still released
  pacer.Arm();
  EXPECT_TRUE(pacer.WaitUntil(clock.SteadyNow()));  // a time already reached
}

/// A loopback port with no listener: a connect there is refused at once.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(SpreadCycleTest, ACycleEndsOnlyOnceTheClockPassedTheLastStart) {
  testing::FakeClock clock;
  OpenSslProber prober(clock);
  const auto targets = Targets(4, ClosedPort());
  const ProbeSettings settings{.timeout = seconds(5), .concurrency = 4, .spread = seconds(40)};
  auto cycle = std::async(std::launch::async, [&] { return prober.RunCycle(targets, settings); });
  // Starts at 0, 10, 20 and 30 s of fake time.
  for (int waits = 1; waits <= 3; ++waits) {
    while (clock.waits() < waits) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    EXPECT_EQ(cycle.wait_for(milliseconds(20)), std::future_status::timeout);
    clock.Advance(seconds(10));
  }
  const ProbeReport report = cycle.get();
  EXPECT_EQ(report.results.size(), 4U);
  for (const auto& result : report.results) {
    EXPECT_FALSE(result.success);
    EXPECT_EQ(result.failure_phase, "connect") << result.failure_reason;
  }
}

TEST(SpreadCycleTest, InterruptStartsTheRestAtOnceAndTheNextCycleSpreadsAgain) {
  testing::FakeClock clock;
  OpenSslProber prober(clock);
  const auto targets = Targets(6, ClosedPort());
  const ProbeSettings settings{.timeout = seconds(5), .concurrency = 4, .spread = seconds(3600)};
  auto cycle = std::async(std::launch::async, [&] { return prober.RunCycle(targets, settings); });
  while (clock.waits() < 1) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  prober.Interrupt();  // the fake clock never moves: only the interrupt can end the cycle
  const ProbeReport report = cycle.get();
  ASSERT_EQ(report.results.size(), 6U);
  for (const auto& result : report.results) {
    EXPECT_EQ(result.failure_phase, "connect");  // really probed, not dropped
  }
  auto again = std::async(std::launch::async, [&] { return prober.RunCycle(targets, settings); });
  while (clock.waits() < 4) {  // the first cycle waited twice; this one is at its second
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(again.wait_for(milliseconds(20)), std::future_status::timeout);
  prober.Cancel();  // shutdown does not wait for the window either
  EXPECT_EQ(again.get().results.size(), 6U);
}

// A reload that lands after the engine read its config but before the window was armed: its
// Interrupt() came too early to end a wait, so the cycle sees it through `superseded`.
TEST(SpreadCycleTest, ACycleWhoseConfigWasSupersededBeforeItsWindowStartsEverythingAtOnce) {
  testing::FakeClock clock;
  OpenSslProber prober(clock);
  const auto targets = Targets(6, ClosedPort());
  const ProbeSettings settings{.timeout = seconds(5), .concurrency = 4, .spread = seconds(3600)};
  prober.Interrupt();  // before the cycle: must not be undone by its Arm()
  const CycleProgress progress{
      .previous = nullptr, .publish = {}, .superseded = [] { return true; }};
  auto cycle =
      std::async(std::launch::async, [&] { return prober.RunCycle(targets, settings, progress); });
  // The fake clock never moves: a paced cycle would never end.
  ASSERT_EQ(cycle.wait_for(seconds(60)), std::future_status::ready);
  EXPECT_EQ(cycle.get().results.size(), 6U);
}

ProbeResult Stale(const ProbeTarget& target) {
  ProbeResult result;
  result.target = target.endpoint.target;
  result.address = "127.0.0.1:1";
  result.server_name = target.endpoint.server_name;
  result.source = target.source;
  result.timestamp = 1;
  return result;
}

TEST(SpreadReportTest, FreshResultsAsTheyComeStaleOnesForTheRestAndGoneTargetsDropped) {
  auto targets = Targets(3);
  auto previous = std::make_shared<ProbeReport>();
  previous->results = {Stale(targets[0]), Stale(targets[2]), Stale(Targets(4)[3])};  // t3: gone
  SpreadReport report(targets, previous);
  ProbeResult fresh = Stale(targets[2]);
  fresh.timestamp = 2;
  report.Add(2, {fresh});
  EXPECT_FALSE(report.Complete());
  std::map<std::string, ProbeCounters> counters;
  counters[CountersKey(fresh)].probes_total = 7;
  const auto so_far = report.SoFar(counters, {0.1});
  ASSERT_EQ(so_far->results.size(), 2U);  // t1 has no result yet, t3 is no longer a target
  EXPECT_EQ(so_far->results[0].target, targets[0].endpoint.target);
  EXPECT_EQ(so_far->results[0].timestamp, 1);
  EXPECT_EQ(so_far->results[1].target, targets[2].endpoint.target);
  EXPECT_EQ(so_far->results[1].timestamp, 2);
  EXPECT_EQ(so_far->counters.at(CountersKey(fresh)).probes_total, 7U);
  EXPECT_EQ(so_far->handshake_bounds, std::vector<double>{0.1});
  previous.reset();  // the next report so far borrows from the last one, not from `previous`
  report.Add(1, {Stale(targets[1])});
  EXPECT_EQ(report.SoFar(counters, {})->results.size(), 3U);
  report.Add(0, {Stale(targets[0]), Stale(targets[0])});
  EXPECT_TRUE(report.Complete());
  EXPECT_EQ(report.TakeResults().size(), 4U);
}

TEST(SpreadReportTest, TargetsThatDifferOnlyInTheirServerNameKeepTheirOwnResults) {
  auto targets = Targets(3);
  for (auto& target : targets) {
    target.endpoint.target = "127.0.0.1:443";  // one address, a name each (SNI)
  }
  auto previous = std::make_shared<ProbeReport>();
  for (const auto& target : targets) {
    previous->results.push_back(Stale(target));
  }
  SpreadReport report(targets, previous);
  ProbeResult fresh = previous->results[1];
  fresh.timestamp = 2;
  report.Add(1, {fresh});
  const auto so_far = report.SoFar({}, {});
  ASSERT_EQ(so_far->results.size(), 3U);
  EXPECT_EQ(so_far->results[0].server_name, targets[0].endpoint.server_name);
  EXPECT_EQ(so_far->results[0].timestamp, 1);
  EXPECT_EQ(so_far->results[1].timestamp, 2);
  EXPECT_EQ(so_far->results[2].server_name, targets[2].endpoint.server_name);
  EXPECT_EQ(so_far->results[2].timestamp, 1);
}

TEST(SpreadOffsetsTest, TargetsThatDifferOnlyInTheirServerNameGetPlacesOfTheirOwn) {
  auto targets = Targets(4);
  for (auto& target : targets) {
    target.endpoint.target = "127.0.0.1:443";
  }
  auto offsets = SpreadOffsets(targets, seconds(4));
  std::reverse(targets.begin(), targets.end());
  auto reversed = SpreadOffsets(targets, seconds(4));
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(offsets, reversed);  // ranked by their names, not by the list's order
}

TEST(SpreadCycleTest, ASpreadCyclePublishesItsFinishedTargetsBeforeTheWindowEnds) {
  testing::FakeClock clock;
  OpenSslProber prober(clock);
  const auto targets = Targets(4, ClosedPort());
  auto previous = std::make_shared<ProbeReport>();
  for (const auto& target : targets) {
    previous->results.push_back(Stale(target));
  }
  std::mutex mutex;
  std::vector<std::shared_ptr<const ProbeReport>> published;
  const CycleProgress progress{.previous = previous,
                               .publish = [&](std::shared_ptr<const ProbeReport> so_far) {
                                 const std::lock_guard lock(mutex);
                                 published.push_back(std::move(so_far));
                               }};
  const ProbeSettings settings{.timeout = seconds(5), .concurrency = 4, .spread = seconds(40)};
  auto cycle =
      std::async(std::launch::async, [&] { return prober.RunCycle(targets, settings, progress); });
  const auto count = [&] {
    const std::lock_guard lock(mutex);
    return published.size();
  };
  // The first target starts at once; the others at 10, 20 and 30 s. Reports come every 2.5 s
  // of fake time (40 s / 16): move the clock a second at a time, staying before the second.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  for (int moved = 0; count() == 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(milliseconds(50));
    if (moved < 9) {
      clock.Advance(seconds(1));
      ++moved;
    }
  }
  ASSERT_GE(count(), 1U);
  {
    const std::lock_guard lock(mutex);
    const ProbeReport& first = *published.front();
    ASSERT_EQ(first.results.size(), 4U);
    int fresh = 0;
    for (const auto& result : first.results) {
      fresh += result.timestamp != 1 ? 1 : 0;
    }
    EXPECT_EQ(fresh, 1);  // one target probed, three still as the previous cycle left them
    EXPECT_EQ(first.counters.size(), 1U);  // counted once, as it came in
  }
  prober.Interrupt();
  const ProbeReport report = cycle.get();
  ASSERT_EQ(report.results.size(), 4U);
  for (const auto& result : report.results) {
    EXPECT_NE(result.timestamp, 1);
  }
  for (const auto& [key, counters] : report.counters) {
    EXPECT_EQ(counters.probes_total, 1U) << key;  // none counted twice
  }
}

}  // namespace
}  // namespace portwarden::probe
