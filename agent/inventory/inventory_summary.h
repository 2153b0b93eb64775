#pragma once

#include <string>

#include "agent/inventory/listener.h"

namespace portwarden::inventory {

/// True when the scan saw less than everything on the host: a namespace that could be
/// neither entered nor read through a member process (`unreadable`), one that failed, or a
/// listening socket no readable process holds. Reading a namespace through /proc (`via_proc`)
/// is a path, not a gap: it loses only v6only and the bound device (see docs/metrics.md).
bool ViewPartial(const InventoryStats& stats);

/// What the view lacks, in one phrase ("1 network namespace unreadable, 3 sockets without a
/// process"); empty when the view is complete. Pure.
std::string PartialReasons(const InventoryStats& stats);

/// Namespaces by state and path in one phrase ("3 via netlink, 2 via /proc, 1 unreadable").
std::string NamespaceSummary(const InventoryStats& stats);

}  // namespace portwarden::inventory
