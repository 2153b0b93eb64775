#pragma once

#include <memory>

#include "agent/config/config.h"
#include "agent/inventory/listener.h"

namespace portwarden::inventory {

/// Enumerates listening sockets in every configured network namespace and attributes them
/// to processes. Keeps caches (netns diag sockets, inode owners) between scans.
/// Not thread-safe: one scan at a time (the scheduler guarantees it).
class Inventory {
 public:
  explicit Inventory(const config::Config& config);
  ~Inventory();
  Inventory(const Inventory&) = delete;
  Inventory& operator=(const Inventory&) = delete;

  /// Takes effect at the next Scan().
  void ApplyConfig(const config::Config& config);

  /// One full scan. Never throws; failures are reported in the result.
  InventoryReport Scan();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portwarden::inventory
