#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "exporters/prometheus/listener_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

void AppendViolations(const inventory::InventoryReport& inventory,
                      const policy::PolicyReport& policy,
                      Families& out) {
  auto violation = Gauge("portwarden_exposure_violation",
                         "1 for each listener that reaches a scope its deciding exposure rule does "
                         "not allow: by its bind or effective reach (basis=\"bind\" or "
                         "\"effective\", exposure.judge), or by a peer of such a scope connected "
                         "now (basis=\"observed\").");
  auto unreachable = Gauge("portwarden_exposure_bound_unreachable",
                           "1 for each listener whose bind reach its deciding rule does not allow "
                           "but whose firewall keeps that reach out (bound public, not "
                           "reachable).");
  std::map<std::string, int> per_rule;
  for (const auto& name : policy.rule_names) {
    per_rule[name] = 0;
  }
  const std::size_t n = std::min(inventory.listeners.size(), policy.verdicts.size());
  for (std::size_t i = 0; i < n; ++i) {
    const policy::Verdict& verdict = policy.verdicts[i];
    if (verdict.violation) {
      ++per_rule[verdict.rule];
    }
    // Same cap, same listeners as portwarden_listener_info, so every series joins.
    if (i >= inventory.stats.series_cap) {
      continue;
    }
    if (verdict.bound_unreachable) {
      LabelList labels = ListenerLabels(inventory.listeners[i]);
      labels.push_back({"rule", verdict.rule});
      unreachable.Add(std::move(labels), 1);
    }
    for (const auto& [basis, on] : {std::pair{verdict.basis.c_str(), verdict.violation},
                                    std::pair{"observed", verdict.observed_violation}}) {
      if (on) {
        LabelList labels = ListenerLabels(inventory.listeners[i]);
        labels.push_back({"rule", verdict.rule});
        labels.push_back({"basis", basis});
        violation.Add(std::move(labels), 1);
      }
    }
  }
  violation.MoveInto(out);
  unreachable.MoveInto(out);
  auto totals = Gauge("portwarden_exposure_violations",
                      "Number of listeners violating each exposure rule, uncapped (0 for rules "
                      "in force that nothing violates).");
  for (const auto& [rule, count] : per_rule) {
    totals.Add({{"rule", rule}}, count);
  }
  totals.MoveInto(out);
}

void AppendFirstSeen(const inventory::InventoryReport& inventory,
                     const policy::PolicyReport& policy,
                     Families& out) {
  auto first_seen = Gauge("portwarden_listener_first_seen_timestamp_seconds",
                          "When the agent first saw this listener, Unix time (the agent's start "
                          "for listeners present then).");
  const std::size_t n = std::min({inventory.listeners.size(), policy.first_seen_timestamps.size(),
                                  inventory.stats.series_cap});
  for (std::size_t i = 0; i < n; ++i) {
    first_seen.Add(ListenerLabels(inventory.listeners[i]), policy.first_seen_timestamps[i]);
  }
  first_seen.MoveInto(out);
}

}  // namespace

void AppendListenerFirstSeen(const state::Snapshot& snapshot, Families& out) {
  AppendFirstSeen(*snapshot.inventory, *snapshot.policy, out);
}

void AppendExposureViolationMetrics(const state::Snapshot& snapshot, Families& out) {
  const auto& policy = *snapshot.policy;
  AppendViolations(*snapshot.inventory, policy, out);
  Counter("portwarden_listener_changes_total",
          "Listeners that appeared or disappeared between scans since the agent started.")
      .Add({{"change", "appeared"}}, static_cast<double>(policy.appeared_total))
      .Add({{"change", "disappeared"}}, static_cast<double>(policy.disappeared_total))
      .MoveInto(out);
}

void AppendExposureMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendExposureViolationMetrics(snapshot, out);
  AppendListenerFirstSeen(snapshot, out);
}

}  // namespace portwarden::exporters::prom
