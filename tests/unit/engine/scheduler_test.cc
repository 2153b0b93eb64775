#include "agent/engine/scheduler.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/lib/fake_clock.h"

namespace portwarden::engine {
namespace {

using namespace std::chrono_literals;

TEST(SchedulerTest, RunsJobImmediatelyAndThenOnItsInterval) {
  std::atomic<int> runs{0};
  Scheduler scheduler;
  scheduler.Add({"fast", [] { return Duration(20); }, [] { return 0.0; }, [&] { ++runs; }});
  scheduler.Start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runs.load() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  scheduler.Stop();
  EXPECT_GE(runs.load(), 3);
}

TEST(SchedulerTest, NeverOverlapsAJobWithItselfAndSlowJobsDoNotBlockOthers) {
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> fast_runs{0};
  Scheduler scheduler;
  scheduler.Add({"slow", [] { return Duration(1); }, [] { return 0.0; },
                 [&] {
                   const int now = ++in_flight;
                   max_in_flight = std::max(max_in_flight.load(), now);
                   std::this_thread::sleep_for(50ms);
                   --in_flight;
                 }});
  scheduler.Add({"fast", [] { return Duration(5); }, [] { return 0.0; }, [&] { ++fast_runs; }});
  scheduler.Start();
  std::this_thread::sleep_for(200ms);
  scheduler.Stop();
  EXPECT_EQ(max_in_flight.load(), 1);
  EXPECT_GE(fast_runs.load(), 5);  // ran while "slow" was busy
}

TEST(SchedulerTest, TriggerWakesAWaitingJob) {
  std::atomic<int> runs{0};
  Scheduler scheduler;
  scheduler.Add(
      {"hourly", [] { return Duration(3600 * 1000); }, [] { return 0.0; }, [&] { ++runs; }});
  scheduler.Start();
  while (runs.load() < 1) {
    std::this_thread::sleep_for(1ms);
  }
  scheduler.Trigger("hourly");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runs.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(runs.load(), 2);
  const auto stop_started = std::chrono::steady_clock::now();
  scheduler.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 1s);  // no waiting out the hour
}

// On a FakeClock the next run waits for the fake time to reach the interval, however long the
// real wait: the schedule follows the clock it is handed, not the machine's.
TEST(SchedulerTest, WaitsOnTheMonotonicSideOfItsClock) {
  testing::FakeClock clock;
  std::atomic<int> runs{0};
  Scheduler scheduler(clock);
  scheduler.Add(
      {"ten_seconds", [] { return Duration(10'000); }, [] { return 0.0; }, [&] { ++runs; }});
  scheduler.Start();
  const auto wait_for = [&](auto ready) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!ready() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
  };
  wait_for([&] { return clock.waits() >= 1; });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs.load(), 1);
  clock.Advance(9s);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs.load(), 1);  // 9 s of fake time: not yet
  clock.Advance(1s);
  wait_for([&] { return runs.load() >= 2; });
  EXPECT_EQ(runs.load(), 2);
  scheduler.Stop();
}

}  // namespace
}  // namespace portwarden::engine
