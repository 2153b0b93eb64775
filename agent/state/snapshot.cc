#include "agent/state/snapshot.h"

namespace portwarden::state {

std::shared_ptr<const Snapshot> SnapshotStore::Get() const {
  const std::lock_guard lock(read_mutex_);
  return current_;
}

void SnapshotStore::Publish(std::shared_ptr<const Snapshot> next) {
  const std::lock_guard lock(read_mutex_);
  current_ = std::move(next);
}

}  // namespace portwarden::state
