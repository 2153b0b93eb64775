#include "agent/policy/policy.h"

namespace portwarden::policy {

// Placeholder until the exposure-policy issue lands.
struct PolicyEngine::State {};

PolicyEngine::PolicyEngine() : state_(std::make_unique<State>()) {}

PolicyEngine::~PolicyEngine() = default;

PolicyReport PolicyEngine::Evaluate(const inventory::InventoryReport& inventory,
                                    const config::Config& /*config*/,
                                    std::chrono::system_clock::time_point now) {
  PolicyReport report;
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  report.verdicts.resize(inventory.listeners.size(), Verdict{"default", false});
  report.first_seen_timestamps.resize(inventory.listeners.size(), now_seconds);
  return report;
}

}  // namespace portwarden::policy
