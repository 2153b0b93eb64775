#pragma once

#include <functional>
#include <set>
#include <string>

#include "agent/firewall/listener_verdicts.h"
#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"

namespace portwarden::firewall {

/// Reads one namespace's ruleset. The default enters the namespace (the inventory's setns)
/// and lists it through libnftables; tests and benchmarks pass their own.
using RulesetSource = std::function<NamespaceRuleset(const inventory::NamespaceView&)>;

/// Reads the netfilter ruleset of every scanned namespace that has listeners, then judges
/// each listener's input path. A namespace the agent could not enter (read through a member
/// process's /proc/<pid>/net) gets `unknown` verdicts with the reason. Logs each unmodelled
/// match or unreadable ruleset reason once. Not thread-safe: the inventory job runs it.
class FirewallStage {
 public:
  FirewallStage();

  explicit FirewallStage(RulesetSource source) : source_(std::move(source)) {}

  FirewallReport Assess(const inventory::InventoryReport& inventory);

 private:
  void LogOnce(const std::string& netns, const std::string& reason);

  RulesetSource source_;
  std::set<std::string> logged_;
};

/// The default RulesetSource: setns into `view.path` (not for "host"), libnftables JSON,
/// ParseNftJson, and the legacy-iptables check.
NamespaceRuleset ReadNamespaceRuleset(const inventory::NamespaceView& view);

}  // namespace portwarden::firewall
