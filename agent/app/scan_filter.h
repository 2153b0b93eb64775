#pragma once

#include <cstddef>

#include "agent/app/cli.h"
#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"

namespace portwarden::app {

/// The listeners a filter selects, with their verdicts (verdicts[i] still belongs to
/// inventory.listeners[i]), and how many there were before filtering.
struct FilteredScan {
  inventory::InventoryReport inventory;
  policy::PolicyReport policy;
  std::size_t total = 0;
};

/// Whether `listener` (with `verdict`, null when it has none) passes every criterion set.
bool FilterMatches(const ScanFilter& filter,
                   const inventory::Listener& listener,
                   const policy::Verdict* verdict);

/// The listeners of one scan that `filter` selects, in scan order. Pure.
FilteredScan ApplyScanFilter(const ScanFilter& filter,
                             const inventory::InventoryReport& inventory,
                             const policy::PolicyReport& policy);

}  // namespace portwarden::app
