// Timing for the in-process benchmark helpers (tests/bench/*_cycles.cc): wall and CPU time of
// one run of a function, and the best (fastest wall) of several. Header-only; not a test.
#pragma once

#include <sys/resource.h>

#include <chrono>

namespace portwarden::bench {

/// Wall and CPU (user + system, every thread of this process) seconds of one run. The
/// defaults stand for "no run yet": any real run is faster.
struct Sample {
  double wall = 1e9;
  double cpu = 1e9;
};

/// User + system CPU seconds this process has used so far.
inline double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// One run of `fn`, timed.
template <typename Fn>
Sample Time(Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu = CpuSeconds();
  fn();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          CpuSeconds() - cpu};
}

/// `cycles` runs of `fn`: the one with the least wall time (with its CPU time).
template <typename Fn>
Sample Best(int cycles, Fn&& fn) {
  Sample best;
  for (int i = 0; i < cycles; ++i) {
    const Sample sample = Time(fn);
    if (sample.wall < best.wall) {
      best = sample;
    }
  }
  return best;
}

}  // namespace portwarden::bench
