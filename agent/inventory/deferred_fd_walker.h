#pragma once

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "agent/inventory/fd_walker.h"

namespace portwarden::inventory {

/// The one-pass walker's life cycle: loaded at its first use (never, without a loader), the
/// reason it is unavailable kept for the logs, and at most one walk run ahead on a helper
/// thread (a first scan's walk overlaps its socket dumps). A load that fails is not retried;
/// a walk that fails is (the next Take() walks again). Not thread-safe: between Prefetch()
/// and the next Take() or Discard(), only the helper thread touches the walker.
class DeferredFdWalker {
 public:
  using Loader = std::function<Result<std::unique_ptr<FdWalker>>()>;

  /// An empty `loader` means the one-pass walk is off (Take() always returns nullopt).
  explicit DeferredFdWalker(Loader loader);
  ~DeferredFdWalker();
  DeferredFdWalker(const DeferredFdWalker&) = delete;
  DeferredFdWalker& operator=(const DeferredFdWalker&) = delete;

  /// Starts loading and walking on a helper thread; no-op when off, failed or already running.
  void Prefetch();

  /// The prefetched snapshot when there is one (`prefetched` = true), else a walk now;
  /// nullopt when the walk is off or unavailable (see Unavailable()).
  std::optional<std::vector<FdTable>> Take(bool& prefetched);

  /// Waits for a prefetched walk nobody needed and drops it.
  void Discard();

  /// The walker is loaded and will serve the next Take().
  bool Ready() const { return state_ == kReady; }

  /// Why the walk is not in use (empty message while it is, or before it was needed); `code`
  /// is the errno when there is one (EPERM: no CAP_BPF/CAP_PERFMON).
  const Error& Unavailable() const { return unavailable_; }

 private:
  std::optional<std::vector<FdTable>> WalkNow();
  const FdWalker* Walker();

  Loader loader_;

  enum State { kOff, kUntried, kReady, kFailed } state_;

  std::unique_ptr<FdWalker> walker_;
  Error unavailable_;
  std::future<std::optional<std::vector<FdTable>>> prefetched_;  // last: joined first
};

}  // namespace portwarden::inventory
