#include "agent/firewall/firewall.h"

#include <chrono>
#include <unordered_set>

#include "agent/core/duration.h"
#include "agent/core/log.h"
#include "agent/firewall/nft_json.h"
#include "agent/firewall/nft_reader.h"
#include "agent/inventory/netns_enter.h"

namespace portwarden::firewall {
namespace {

constexpr std::size_t kMaxLoggedReasons = 256;

NamespaceRuleset ReadHere() {
  NamespaceRuleset out;
  auto json = ListRulesetJson();
  out.ruleset = json ? ParseNftJson(*json) : Result<Ruleset>(std::unexpected(json.error()));
  out.legacy_v4 = LegacyTablesPresent(false);
  out.legacy_v6 = LegacyTablesPresent(true);
  return out;
}

}  // namespace

NamespaceRuleset ReadNamespaceRuleset(const inventory::NamespaceView& view) {
  if (view.label == "host") {
    return ReadHere();
  }
  NamespaceRuleset out;
  if (!view.entered) {
    out.ruleset = Fail("namespace cannot be entered (setns refused): ruleset not read");
    return out;
  }
  const Status status = inventory::InNamespaceAt(view.path, [&]() -> Status {
    out = ReadHere();
    return {};
  });
  if (!status) {
    out.ruleset = Fail("cannot enter namespace: " + status.error().message);
  }
  return out;
}

FirewallStage::FirewallStage() : source_(ReadNamespaceRuleset) {}

void FirewallStage::LogOnce(const std::string& netns, const std::string& reason) {
  if (logged_.size() < kMaxLoggedReasons && logged_.insert(netns + "\n" + reason).second) {
    log::Info("firewall verdict unknown", {{"netns", netns}, {"reason", reason}});
  }
}

FirewallReport FirewallStage::Assess(const inventory::InventoryReport& inventory) {
  FirewallReport report;
  report.enabled = true;
  const auto started = std::chrono::steady_clock::now();
  std::unordered_set<std::string> with_listeners{"host"};  // the host's DNAT rules count
  for (const auto& listener : inventory.listeners) {
    with_listeners.insert(listener.netns);
  }
  Rulesets rulesets;
  for (const auto& view : inventory.namespaces) {
    if (!with_listeners.contains(view.label)) {
      continue;
    }
    auto read = source_(view);
    NamespaceFirewall status{view.label, read.ruleset.has_value(), "", 0};
    if (read.ruleset) {
      status.rules = read.ruleset->rule_count;
    } else {
      status.reason = read.ruleset.error().message;
      LogOnce(view.label, status.reason);
    }
    report.namespaces.push_back(std::move(status));
    rulesets.emplace(view.inode, std::move(read));
  }
  report.read_seconds = SecondsSince(started);
  const auto evaluated = std::chrono::steady_clock::now();
  report.listeners = EvaluateListeners(inventory.listeners, inventory.namespaces, rulesets);
  report.evaluate_seconds = SecondsSince(evaluated);
  for (std::size_t i = 0; i < report.listeners.size(); ++i) {
    if (!report.listeners[i].reason.empty()) {
      LogOnce(inventory.listeners[i].netns, report.listeners[i].reason);
    }
  }
  return report;
}

}  // namespace portwarden::firewall
