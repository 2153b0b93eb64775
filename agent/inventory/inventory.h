#pragma once

#include <memory>
#include <vector>

#include "agent/inventory/inventory_settings.h"
#include "agent/inventory/listener.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

/// Enumerates listening sockets in every configured network namespace and attributes them
/// to processes. Keeps caches (netns diag sockets, inode owners) between scans.
/// Not thread-safe: one scan at a time (the scheduler guarantees it).
class Inventory {
 public:
  explicit Inventory(InventorySettings settings);
  ~Inventory();
  Inventory(const Inventory&) = delete;
  Inventory& operator=(const Inventory&) = delete;

  /// New settings (a reload); they take effect at the next Scan(). The namespace sockets and
  /// the owner cache are kept unless the /proc path, the walk or the namespace mode changed.
  void Apply(InventorySettings settings);

  /// The local ports whose established connections each Scan() counts (Listener::connections),
  /// with one in-kernel-filtered dump per namespace; empty (the default) dumps none.
  void SetWatchedPorts(std::vector<LocalPortRange> ports);

  /// One full scan. Never throws; failures are reported in the result.
  InventoryReport Scan();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portwarden::inventory
