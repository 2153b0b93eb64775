#include <chrono>

#include "agent/policy/change_log.h"
#include "agent/policy/change_tracker.h"
#include "agent/policy/default_rules.h"
#include "agent/policy/evaluate.h"
#include "agent/policy/policy.h"

namespace portwarden::policy {

struct PolicyEngine::State {
  ChangeTracker tracker;
  ChangeLogger logger;
};

PolicyEngine::PolicyEngine() : state_(std::make_unique<State>()) {}

PolicyEngine::~PolicyEngine() = default;

PolicyReport EvaluateOnce(const inventory::InventoryReport& inventory,
                          const PolicySettings& settings) {
  const RuleSet rules = BuildRuleSet(settings);
  PolicyReport report;
  report.verdicts = EvaluateAll(rules, inventory.listeners);
  for (const auto& rule : rules.rules) {
    report.rule_names.push_back(rule.name);
  }
  report.rule_names.emplace_back("default");
  return report;
}

// Rules are rebuilt from the config on every call: a reload takes effect at the next scan,
// and building a few dozen rules costs nothing next to the scan itself.
PolicyReport PolicyEngine::Evaluate(const inventory::InventoryReport& inventory,
                                    const PolicySettings& settings,
                                    std::chrono::system_clock::time_point now) {
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  PolicyReport report = EvaluateOnce(inventory, settings);
  if (inventory.success) {
    const ChangeSet changes = state_->tracker.Update(inventory.listeners, report.verdicts,
                                                     now_seconds, report.first_seen_timestamps);
    state_->logger.Log(changes, now_seconds);
  } else {
    // A failed scan says nothing about the host: keep what we know, count no change.
    report.first_seen_timestamps = state_->tracker.FirstSeen(inventory.listeners, now_seconds);
  }
  report.appeared_total = state_->tracker.appeared_total();
  report.disappeared_total = state_->tracker.disappeared_total();
  return report;
}

}  // namespace portwarden::policy
