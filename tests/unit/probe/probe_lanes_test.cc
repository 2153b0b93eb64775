// How a probe cycle shares its concurrency between event loops and blocking (HTTP) lanes,
// and the worker pool waking only the threads a run needs.
#include "agent/probe/probe_lanes.h"

#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "agent/probe/prober_pool.h"

namespace portwarden::probe {
namespace {

TEST(PlanLanesTest, HandshakeOnlyCyclesUseOneLoopPerCpuWanted) {
  const LanePlan plan = PlanLanes(100, 0, 32, 1);
  EXPECT_EQ(plan.loops, 1U);
  EXPECT_EQ(plan.loop_slots, 32U);
  EXPECT_EQ(plan.blocking, 0U);
  EXPECT_EQ(PlanLanes(100, 0, 32, 4).loops, 4U);
  EXPECT_EQ(PlanLanes(3, 0, 32, 8).loops, 3U);  // No more loops than probes.
}

TEST(PlanLanesTest, HttpProbesGetBlockingLanesInProportion) {
  const LanePlan half = PlanLanes(50, 50, 32, 1);
  EXPECT_EQ(half.blocking, 16U);
  EXPECT_EQ(half.loop_slots, 16U);
  const LanePlan few = PlanLanes(100, 1, 32, 2);
  EXPECT_EQ(few.blocking, 1U);  // At least one lane each.
  EXPECT_EQ(few.loop_slots, 31U);
  const LanePlan only_http = PlanLanes(0, 10, 32, 2);
  EXPECT_EQ(only_http.loops, 0U);
  EXPECT_EQ(only_http.blocking, 10U);
}

TEST(PlanLanesTest, ConcurrencyOneProbesOneAtATime) {
  const LanePlan plan = PlanLanes(5, 5, 1, 2);
  EXPECT_EQ(plan.loops, 0U);
  EXPECT_EQ(plan.blocking, 1U);
}

TEST(PlanLanesTest, NeverMoreInFlightThanTheConcurrency) {
  for (std::size_t loop_jobs : {0, 1, 7, 100}) {
    for (std::size_t blocking_jobs : {0, 1, 7, 100}) {
      for (int concurrency : {1, 2, 3, 32}) {
        const LanePlan plan = PlanLanes(loop_jobs, blocking_jobs, concurrency, 2);
        EXPECT_LE(plan.loop_slots + plan.blocking, static_cast<std::size_t>(concurrency));
        EXPECT_EQ(plan.loops == 0, plan.loop_slots == 0);
        EXPECT_LE(plan.loops, plan.loop_slots);
        if (loop_jobs + blocking_jobs > 0) {
          EXPECT_GT(plan.loops + plan.blocking, 0U);
        }
        if (blocking_jobs > 0) {
          EXPECT_GT(plan.blocking, 0U);
        }
      }
    }
  }
}

TEST(WorkerPoolTest, ARunWakesOnlyTheThreadsItNeeds) {
  WorkerPool pool;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  const auto record = [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
  };
  pool.Run(16, 8, record);  // Seven helpers exist from now on.
  EXPECT_LE(threads.size(), 8U);
  for (int round = 0; round < 20; ++round) {
    threads.clear();
    pool.Run(8, 2, record);
    EXPECT_LE(threads.size(), 2U) << "round " << round;
  }
  threads.clear();
  pool.Run(4, 1, record);
  EXPECT_EQ(threads.size(), 1U);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
}

}  // namespace
}  // namespace portwarden::probe
