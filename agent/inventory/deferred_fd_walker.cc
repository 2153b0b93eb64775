#include "agent/inventory/deferred_fd_walker.h"

#include <system_error>

namespace portwarden::inventory {

DeferredFdWalker::DeferredFdWalker(Loader loader)
    : loader_(std::move(loader)), state_(loader_ ? kUntried : kOff) {}

DeferredFdWalker::~DeferredFdWalker() {
  Discard();
}

void DeferredFdWalker::Prefetch() {
  if (state_ == kOff || state_ == kFailed || prefetched_.valid()) {
    return;
  }
  try {
    prefetched_ = std::async(std::launch::async, [this] { return WalkNow(); });
  } catch (const std::system_error&) {
    // No thread to be had: the walk runs when Take() needs it.
  }
}

std::optional<std::vector<FdTable>> DeferredFdWalker::Take(bool& prefetched) {
  prefetched = prefetched_.valid();
  return prefetched ? prefetched_.get() : WalkNow();
}

void DeferredFdWalker::Discard() {
  if (prefetched_.valid()) {
    prefetched_.get();  // not needed after all; the walker state is ours again
  }
}

// One walk (loading the walker the first time); nullopt when off or failed (the caller then
// reads /proc; a failed walk is retried by the next call).
std::optional<std::vector<FdTable>> DeferredFdWalker::WalkNow() {
  const auto* walker = Walker();
  if (walker == nullptr) {
    return std::nullopt;
  }
  auto tables = walker->Walk();
  if (!tables) {
    unavailable_ = tables.error();
    return std::nullopt;
  }
  return std::move(*tables);
}

const FdWalker* DeferredFdWalker::Walker() {
  if (state_ == kUntried) {
    auto walker = loader_();
    if (walker) {
      walker_ = std::move(*walker);
      state_ = kReady;
    } else {
      unavailable_ = walker.error();
      state_ = kFailed;
    }
  }
  return state_ == kReady ? walker_.get() : nullptr;
}

}  // namespace portwarden::inventory
