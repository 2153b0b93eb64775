// How a probe cycle splits its threads between event loops and blocking workers (names, HTTP).
#include "agent/probe/probe_pipeline.h"

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

TEST(PlanLanesTest, HandshakeOnlyCyclesUseOneLoopPerCpuWanted) {
  const LanePlan plan = PlanLanes(100, 0, 0, 32, 1);
  EXPECT_EQ(plan.loops, 1U);
  EXPECT_EQ(plan.loop_slots, 32U);
  EXPECT_EQ(plan.workers, 0U);  // IP literals without HTTP checks wake no worker.
  EXPECT_EQ(PlanLanes(100, 0, 0, 32, 4).loops, 4U);
  EXPECT_EQ(PlanLanes(3, 0, 0, 32, 8).loops, 3U);  // No more loops than targets.
}

TEST(PlanLanesTest, NamesAndHttpChecksGetAWorkerEachUpToTheConcurrency) {
  // Three tarpits with HTTP checks must not queue behind one another (nor a healthy one
  // behind them): each gets a worker of its own.
  const LanePlan few = PlanLanes(1000, 0, 4, 32, 1);
  EXPECT_EQ(few.workers, 4U);
  EXPECT_EQ(few.loop_slots, 32U);
  EXPECT_EQ(PlanLanes(100, 50, 50, 32, 1).workers, 32U);
  EXPECT_EQ(PlanLanes(5000, 0, 5000, 4096, 2).workers, kMaxWorkers);
}

TEST(PlanLanesTest, ConcurrencyOneProbesOneAtATime) {
  const LanePlan plan = PlanLanes(5, 5, 5, 1, 2);
  EXPECT_EQ(plan.loops, 1U);
  EXPECT_EQ(plan.loop_slots, 1U);
  EXPECT_EQ(plan.workers, 1U);
}

TEST(PlanLanesTest, EveryKindOfWorkHasALane) {
  for (std::size_t targets : {0, 1, 7, 100}) {
    for (std::size_t names : {0, 1, 7}) {
      for (int concurrency : {1, 2, 3, 32}) {
        const LanePlan plan = PlanLanes(targets, names, 0, concurrency, 2);
        EXPECT_LE(plan.loop_slots, static_cast<std::size_t>(concurrency));
        EXPECT_LE(plan.workers, static_cast<std::size_t>(concurrency));
        EXPECT_EQ(plan.loops == 0, targets == 0);
        EXPECT_LE(plan.loops, plan.loop_slots);
        if (targets > 0 && names > 0) {
          EXPECT_GT(plan.workers, 0U);
        }
      }
    }
  }
}

}  // namespace
}  // namespace portwarden::probe
