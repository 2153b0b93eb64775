#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/inventory/listener.h"
#include "agent/policy/policy_settings.h"

namespace portwarden::policy {

/// The policy's judgement of one listener.
struct Verdict {
  std::string rule;              ///< Name of the deciding rule; "default" when none matched.
  bool violation = false;        ///< The listener reaches a scope the rule does not allow.
  std::vector<Scope> allowed{};  ///< Scopes the deciding rule allows (all four for "allow").
};

/// Policy output for one inventory scan. verdicts[i] and first_seen[i] belong to
/// inventory.listeners[i].
struct PolicyReport {
  std::vector<Verdict> verdicts;
  std::vector<double> first_seen_timestamps;  ///< Unix seconds each listener was first seen.
  std::uint64_t appeared_total = 0;           ///< Cumulative since start.
  std::uint64_t disappeared_total = 0;
  /// Names of the rules in force, in evaluation order, then "default"; lets exporters show
  /// a zero for rules nothing violates.
  std::vector<std::string> rule_names;
};

/// Judges one scan's listeners against the exposure rules, without tracking changes (no
/// first-seen times, no change counts): what a one-shot `portwarden scan` needs.
PolicyReport EvaluateOnce(const inventory::InventoryReport& inventory,
                          const PolicySettings& settings);

/// Judges listeners against the exposure rules and tracks listener changes between scans.
/// Not thread-safe: called from the inventory job only.
class PolicyEngine {
 public:
  PolicyEngine();
  ~PolicyEngine();
  PolicyEngine(const PolicyEngine&) = delete;
  PolicyEngine& operator=(const PolicyEngine&) = delete;

  PolicyReport Evaluate(const inventory::InventoryReport& inventory,
                        const PolicySettings& settings,
                        std::chrono::system_clock::time_point now);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portwarden::policy
