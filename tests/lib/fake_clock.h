#pragma once

// A fake Clock (a test double, not a real clock): time moves only when a test calls Advance(),
// so a schedule or a timing can be checked without waiting and without flaking under load.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

#include "agent/core/clock.h"

namespace portwarden::testing {

class FakeClock final : public Clock {
 public:
  /// Starts at `wall` (wall side) and at an arbitrary monotonic origin.
  explicit FakeClock(std::chrono::system_clock::time_point wall =
                         std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)))
      : wall_(wall) {}

  std::chrono::system_clock::time_point Now() const override {
    const std::lock_guard lock(mutex_);
    return wall_ + elapsed_;
  }

  SteadyTime SteadyNow() const override {
    const std::lock_guard lock(mutex_);
    return SteadyTime(std::chrono::hours(1)) + elapsed_;
  }

  /// Waits until `done()` or until Advance() has moved the fake time past `until`. Waiters
  /// are registered so Advance() wakes them; a 5 ms real backstop covers a wake-up that races
  /// the waiter's own check.
  bool WaitUntil(std::condition_variable& wake,
                 std::unique_lock<std::mutex>& lock,
                 SteadyTime until,
                 const std::function<bool()>& done) const override {
    Register(&wake, +1);
    ++waits_;
    while (!done() && SteadyNow() < until) {
      wake.wait_for(lock, std::chrono::milliseconds(5));
    }
    Register(&wake, -1);
    return done();
  }

  /// Moves both sides forward by `step` and wakes every waiter.
  void Advance(std::chrono::nanoseconds step) {
    std::multiset<std::condition_variable*> waiters;
    {
      const std::lock_guard lock(mutex_);
      elapsed_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(step);
      waiters = waiters_;
    }
    for (auto* wake : waiters) {
      wake->notify_all();
    }
  }

  /// How many WaitUntil() calls have started (a test waits for a job to be waiting).
  int waits() const { return waits_.load(); }

 private:
  void Register(std::condition_variable* wake, int delta) const {
    const std::lock_guard lock(mutex_);
    if (delta > 0) {
      waiters_.insert(wake);
    } else {
      waiters_.erase(waiters_.find(wake));
    }
  }

  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point wall_;
  std::chrono::system_clock::duration elapsed_{};
  mutable std::multiset<std::condition_variable*> waiters_;
  mutable std::atomic<int> waits_{0};
};

}  // namespace portwarden::testing
