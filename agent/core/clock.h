#pragma once

#include <chrono>

namespace portwarden {

/// Source of wall-clock time. The seam for tests that need a fixed "now" (expiry maths).
/// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

/// Seconds since the Unix epoch as a double, for `_timestamp_seconds` metrics.
inline double ToUnixSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

}  // namespace portwarden
