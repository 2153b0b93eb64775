#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace portwarden {

/// Source of time, wall and monotonic: the seam for tests that need a fixed "now" (expiry
/// maths) or that drive a schedule without waiting (tests/lib/fake_clock.h). Implementations
/// must be thread-safe.
class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  /// Wall-clock time, for timestamps.
  virtual std::chrono::system_clock::time_point Now() const = 0;

  /// Monotonic time, for intervals, durations and deadlines.
  virtual SteadyTime SteadyNow() const = 0;

  /// Waits on `wake` (`lock` holds its mutex) until `done()` is true or SteadyNow() reaches
  /// `until`; returns done(). Like condition_variable::wait_until, on this clock's time.
  virtual bool WaitUntil(std::condition_variable& wake,
                         std::unique_lock<std::mutex>& lock,
                         SteadyTime until,
                         const std::function<bool()>& done) const = 0;
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }

  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }

  bool WaitUntil(std::condition_variable& wake,
                 std::unique_lock<std::mutex>& lock,
                 SteadyTime until,
                 const std::function<bool()>& done) const override {
    return wake.wait_until(lock, until, done);
  }

  /// One process-wide instance, for code that has no clock handed to it.
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }
};

/// Seconds since the Unix epoch as a double, for `_timestamp_seconds` metrics.
inline double ToUnixSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

/// Seconds elapsed on `clock`'s monotonic side since `start`, as a double (stage timings).
inline double SecondsSince(const Clock& clock, Clock::SteadyTime start) {
  return std::chrono::duration<double>(clock.SteadyNow() - start).count();
}

}  // namespace portwarden
