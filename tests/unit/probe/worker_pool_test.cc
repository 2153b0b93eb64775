// The bounded worker pool kept between probe cycles.
#include "agent/probe/worker_pool.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

TEST(ProberPoolTest, RunsEveryJobOnceWithinTheBound) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<std::atomic<int>> runs(40);
  WorkerPool pool;
  pool.Run(runs.size(), 4, [&](std::size_t i) {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++runs[i];
    --running;
  });
  for (const auto& count : runs) {
    EXPECT_EQ(count.load(), 1);
  }
  EXPECT_LE(peak.load(), 4);
  EXPECT_GE(peak.load(), 2);
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
