// The accounting that lets loops and workers share one cycle: the in-flight budget, "later"
// versus "done", and the unfinished work that ends the cycle.
#include "agent/probe/stage_queue.h"

#include <unistd.h>

#include <thread>

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

/// Whether the queue's eventfd was written since the last call (and resets it).
bool Woken(const StageQueue& queue) {
  std::uint64_t count = 0;
  return ::read(queue.wake_fd(), &count, sizeof(count)) == sizeof(count) && count > 0;
}

TEST(StageQueueTest, NoMoreInFlightThanTheBudget) {
  StageQueue queue(2, 3);
  for (std::size_t t = 0; t < 3; ++t) {
    queue.PushJob({t, 0, 0}, false);
  }
  std::size_t id = 0;
  AddressJob job;
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kJob);
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kJob);
  EXPECT_EQ(job.target_index, 1U);
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kLater);  // Budget spent.
  queue.Finished(true);  // Frees a slot while a job waits: the loops are told.
  EXPECT_TRUE(Woken(queue));
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kJob);
  EXPECT_EQ(queue.Job(id).target_index, 2U);
}

TEST(StageQueueTest, ResolutionsFanOutAndTheLastResultEndsTheCycle) {
  StageQueue queue(8, 2);  // Two targets, both names.
  queue.PushTask({0, 0, nullptr});
  queue.PushTask({1, 0, nullptr});
  std::size_t id = 0;
  AddressJob job;
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kLater);  // Nothing resolved yet.
  ASSERT_TRUE(queue.WaitTask().has_value());
  queue.Resolved(2);  // Target 0 has two addresses.
  queue.PushJob({0, 0, 0}, true);
  queue.PushJob({0, 1, 0}, true);
  EXPECT_TRUE(Woken(queue));
  ASSERT_TRUE(queue.WaitTask().has_value());
  queue.Resolved(0);  // Target 1 did not resolve: its one unit is done.
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kJob);
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kJob);
  queue.Finished(true);
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kLater);  // One still in flight.
  std::thread worker([&] { EXPECT_FALSE(queue.WaitTask().has_value()); });
  queue.Finished(true);
  worker.join();              // The last result released the waiting worker...
  EXPECT_TRUE(Woken(queue));  // ...and the loops.
  EXPECT_EQ(queue.TakeJob(id, job), StageQueue::Take::kDone);
}

}  // namespace
}  // namespace portwarden::probe
