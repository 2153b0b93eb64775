#include "agent/app/scan_filter.h"

#include <fnmatch.h>

#include <algorithm>

namespace portwarden::app {
namespace {

bool Glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool PortMatches(const std::vector<config::PortRange>& ports, std::uint16_t port) {
  return ports.empty() || std::any_of(ports.begin(), ports.end(), [port](const auto& range) {
           return range.first <= port && port <= range.last;
         });
}

}  // namespace

bool FilterMatches(const ScanFilter& filter,
                   const inventory::Listener& listener,
                   const policy::Verdict* verdict) {
  if (!PortMatches(filter.ports, listener.port)) {
    return false;
  }
  if (filter.protocol && *filter.protocol != listener.protocol) {
    return false;
  }
  if (!filter.address.empty() && filter.address != listener.address) {
    return false;
  }
  if (!filter.netns.empty() && !Glob(filter.netns, listener.netns)) {
    return false;
  }
  if (!filter.process.empty() && !Glob(filter.process, listener.process.comm) &&
      !Glob(filter.process, listener.process.exe)) {
    return false;
  }
  return !filter.violations_only || (verdict != nullptr && verdict->violation);
}

FilteredScan ApplyScanFilter(const ScanFilter& filter,
                             const inventory::InventoryReport& inventory,
                             const policy::PolicyReport& policy) {
  FilteredScan out;
  out.total = inventory.listeners.size();
  out.inventory.success = inventory.success;
  out.inventory.error = inventory.error;
  out.inventory.namespaces = inventory.namespaces;
  out.inventory.stats = inventory.stats;
  out.policy.rule_names = policy.rule_names;
  out.policy.appeared_total = policy.appeared_total;
  out.policy.disappeared_total = policy.disappeared_total;
  out.policy.baseline = policy.baseline;
  for (std::size_t i = 0; i < inventory.listeners.size(); ++i) {
    const policy::Verdict* verdict = i < policy.verdicts.size() ? &policy.verdicts[i] : nullptr;
    if (!FilterMatches(filter, inventory.listeners[i], verdict)) {
      continue;
    }
    out.inventory.listeners.push_back(inventory.listeners[i]);
    if (verdict != nullptr) {
      out.policy.verdicts.push_back(*verdict);
    }
    if (i < policy.first_seen_timestamps.size()) {
      out.policy.first_seen_timestamps.push_back(policy.first_seen_timestamps[i]);
    }
    if (i < policy.unapproved.size()) {
      out.policy.unapproved.push_back(policy.unapproved[i]);
    }
  }
  return out;
}

}  // namespace portwarden::app
