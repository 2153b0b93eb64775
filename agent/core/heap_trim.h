#pragma once

#include <chrono>
#include <optional>

namespace portwarden {

/// Gives the heap's free pages back to the kernel (malloc_trim, every arena) after a burst of
/// allocations — a probe cycle, a rendering of the exposition — at most once per `period`. A trim
/// is not free: one madvise() per free chunk, each a TLB shootdown across the agent's CPUs, and
/// page faults when the next cycle touches the pages again. Worth it when the memory would sit idle
/// until a distant next cycle, wasted when the next cycle reuses it a second later. Not
/// thread-safe: each user holds its own and calls it from one thread at a time.
class HeapTrimmer {
 public:
  explicit HeapTrimmer(std::chrono::steady_clock::duration period) : period_(period) {}

  /// Trims when the last trim is at least `period` ago (or there was none); true if it did.
  bool MaybeTrim();

 private:
  std::chrono::steady_clock::duration period_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace portwarden
