#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>

#include "agent/core/duration.h"  // SecondsSince

namespace portwarden::probe {

using SteadyTime = std::chrono::steady_clock::time_point;

/// One deadline for a whole probe plus the runner's cancel flag. Cheap to copy; the flag
/// (owned by the runner) must outlive every copy. Thread-safe to read.
struct ProbeDeadline {
  SteadyTime at;
  const std::atomic<bool>* cancelled = nullptr;

  bool Cancelled() const { return cancelled != nullptr && cancelled->load(); }

  bool Expired() const { return std::chrono::steady_clock::now() >= at; }

  /// Milliseconds to wait in the next poll(): the time left, in slices of at most 50 ms so a
  /// cancel is noticed promptly. 0 when the deadline has passed.
  int PollSliceMs() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        at - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 50));
  }
};

}  // namespace portwarden::probe
