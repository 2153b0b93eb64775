#include "agent/firewall/firewall.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "agent/core/duration.h"
#include "agent/core/log.h"
#include "agent/firewall/evaluate.h"
#include "agent/firewall/legacy_tables.h"
#include "agent/firewall/nft_compat.h"
#include "agent/firewall/nft_generation.h"
#include "agent/firewall/nft_json.h"
#include "agent/firewall/nft_reader.h"
#include "agent/inventory/netns_enter.h"

namespace portwarden::firewall {
namespace {

constexpr std::size_t kMaxLoggedReasons = 256;

// iptables-nft's compat expressions, when the JSON has any (`"xt"`): read after the listing and
// used only when made at the generation read before it, so both describe the same ruleset.
std::optional<CompatExpressions> CompatFor(const std::string& json,
                                           const std::optional<RulesetVersion>& version) {
  if (json.find(R"("xt")") == std::string::npos || !version) {
    return std::nullopt;
  }
  auto compat = ReadNftCompat();
  if (!compat || (compat->has_generation && compat->generation != (version->nft.id & 0xffff))) {
    return std::nullopt;
  }
  return std::move(*compat);
}

// The generation is read before the ruleset: a change between the two makes the next
// cycle's generation differ from the one stored, so it is read again (never a stale reuse).
// The legacy tables are read whole every cycle (their digest is their version) and the
// images just read are the ones translated.
RulesetRead ReadHere(std::optional<RulesetVersion> known) {
  RulesetRead out;
  const LegacyRead legacy = ReadLegacyTables();
  if (auto generation = ReadNftGeneration(); generation) {
    out.version = RulesetVersion{*generation, legacy.digest};
  }
  if (known && out.version == known) {
    out.unchanged = true;
    return out;
  }
  auto json = ListRulesetJson();
  if (!json) {
    out.ruleset.ruleset = std::unexpected(json.error());
  } else {
    const auto compat = CompatFor(*json, out.version);
    out.ruleset.ruleset = ParseNftJson(*json, compat ? &*compat : nullptr);
    if (!compat && json->find(R"("xt")") != std::string::npos) {
      out.version.reset();  // compat blobs not had: try again next cycle
    }
  }
  AddLegacyTables(legacy, out.ruleset);
  return out;
}

bool SameAddresses(const std::vector<IpAddress>& a, const std::vector<IpAddress>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const IpAddress& x, const IpAddress& y) {
                      return x.family == y.family && x.bytes == y.bytes;
                    });
}

bool SamePrefixes(const std::vector<inventory::InterfacePrefix>& a,
                  const std::vector<inventory::InterfacePrefix>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.interface == y.interface && x.length == y.length &&
           x.address.family == y.address.family && x.address.bytes == y.address.bytes;
  });
}

// Whether the verdicts of a namespace's listeners may differ between views `a` and `b`.
bool SameView(const inventory::NamespaceView& a, const inventory::NamespaceView& b) {
  return a.label == b.label && a.entered == b.entered && a.path == b.path &&
         a.interfaces == b.interfaces && SameAddresses(a.addresses, b.addresses) &&
         SamePrefixes(a.prefixes, b.prefixes);
}

}  // namespace

RulesetRead ReadNamespaceRuleset(const inventory::NamespaceView& view,
                                 std::optional<RulesetVersion> known) {
  if (view.label == "host") {
    return ReadHere(known);
  }
  RulesetRead out;
  if (!view.entered) {
    out.ruleset.ruleset = Fail("namespace cannot be entered (setns refused): ruleset not read");
    return out;
  }
  const Status status = inventory::InNamespaceAt(view.path, [&]() -> Status {
    out = ReadHere(known);
    return {};
  });
  if (!status) {
    out = {};
    out.ruleset.ruleset = Fail("cannot enter namespace: " + status.error().message);
  }
  return out;
}

FirewallStage::FirewallStage() : source_(ReadNamespaceRuleset) {}

std::size_t FirewallStage::ListenerKeyHash::operator()(const ListenerKey& key) const {
  std::size_t h = std::hash<std::string>{}(key.address);
  h = h * 1000003U ^ std::hash<std::string>{}(key.netns);
  h = h * 1000003U ^ key.port;
  h = h * 31U ^ (static_cast<std::size_t>(key.protocol) << 4U) ^
      (static_cast<std::size_t>(key.family) << 2U) ^ (key.v6only ? 1U + *key.v6only : 0U);
  return h;
}

void FirewallStage::LogOnce(const std::string& netns, const std::string& reason) {
  if (logged_.size() < kMaxLoggedReasons && logged_.insert(netns + "\n" + reason).second) {
    log::Info("firewall verdict unknown", {{"netns", netns}, {"reason", reason}});
  }
}

NamespaceFirewall FirewallStage::Refresh(const inventory::NamespaceView& view,
                                         FirewallReport& report) {
  NamespaceState& state = state_[view.inode];
  auto held = rulesets_.find(view.inode);
  const bool reusable = held != rulesets_.end() && held->second.ruleset &&
                        !held->second.ruleset->volatile_sets && state.version;
  RulesetRead read = source_(view, reusable ? state.version : std::nullopt);
  bool changed = state.epoch == 0 || !SameView(state.view, view);
  if (!reusable || !read.unchanged) {
    ++report.rulesets_read;
    changed = true;
    state.version = read.ruleset.ruleset ? read.version : std::nullopt;
    state.publishes = read.ruleset.ruleset && !Publications(*read.ruleset.ruleset).empty();
    held = rulesets_.insert_or_assign(view.inode, std::move(read.ruleset)).first;
  }
  if (changed) {
    state.epoch = next_epoch_++;
    state.view = view;
  }
  state.seen = cycle_;
  NamespaceFirewall status{view.label, held->second.ruleset.has_value(), "", 0};
  const NamespaceRuleset& ruleset = held->second;
  const std::string& legacy =
      !ruleset.legacy_v4_error.empty() ? ruleset.legacy_v4_error : ruleset.legacy_v6_error;
  if (ruleset.ruleset) {
    status.rules = ruleset.ruleset->rule_count;
  }
  if (ruleset.ruleset && !legacy.empty()) {  // one family's legacy tables: not read
    status.readable = false;
    status.reason = legacy;
    LogOnce(view.label, status.reason);
  } else if (!ruleset.ruleset) {
    status.reason = held->second.ruleset.error().message;
    LogOnce(view.label, status.reason);
  }
  return status;
}

// Reuses the verdict of every listener whose namespace is unchanged and evaluates the rest.
void FirewallStage::Judge(const inventory::InventoryReport& inventory, FirewallReport& report) {
  std::unordered_map<std::string, const NamespaceState*> by_label;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> publishers;
  for (const auto& view : inventory.namespaces) {
    const auto it = state_.find(view.inode);
    if (it != state_.end() && it->second.seen == cycle_) {
      by_label.emplace(view.label, &it->second);
      if (it->second.publishes) {
        publishers.emplace_back(view.inode, it->second.epoch);
      }
    }
  }
  if (publishers != publishers_) {  // publications reach into every namespace
    verdicts_.clear();
    publishers_ = std::move(publishers);
  }
  const auto& listeners = inventory.listeners;
  report.listeners.resize(listeners.size());
  std::vector<std::size_t> missing;
  std::vector<ListenerKey> keys;
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const auto& l = listeners[i];
    ListenerKey key{l.netns, l.address, l.port, l.protocol, l.family, l.v6only};
    const auto ns = by_label.find(l.netns);
    const auto cached = verdicts_.find(key);
    if (ns != by_label.end() && cached != verdicts_.end() &&
        cached->second.epoch == ns->second->epoch) {
      report.listeners[i] = cached->second.verdict;
      continue;
    }
    missing.push_back(i);
    keys.push_back(std::move(key));
  }
  report.listeners_evaluated = missing.size();
  if (missing.empty()) {
    return;
  }
  auto fresh = EvaluateListenersAt(listeners, inventory.namespaces, rulesets_, missing);
  if (verdicts_.size() + missing.size() > 2 * listeners.size() + 1024) {
    verdicts_.clear();  // bounded by the listeners present: departed ones are forgotten
  }
  for (std::size_t k = 0; k < missing.size(); ++k) {
    const std::size_t i = missing[k];
    if (!fresh[k].reason.empty()) {
      LogOnce(listeners[i].netns, fresh[k].reason);
    }
    if (const auto ns = by_label.find(listeners[i].netns); ns != by_label.end()) {
      verdicts_.insert_or_assign(std::move(keys[k]), CachedVerdict{ns->second->epoch, fresh[k]});
    }
    report.listeners[i] = std::move(fresh[k]);
  }
}

FirewallReport FirewallStage::Assess(const inventory::InventoryReport& inventory) {
  FirewallReport report;
  report.enabled = true;
  ++cycle_;
  const auto started = std::chrono::steady_clock::now();
  std::unordered_set<std::string> with_listeners{"host"};  // the host's DNAT rules count
  for (const auto& listener : inventory.listeners) {
    with_listeners.insert(listener.netns);
  }
  for (const auto& view : inventory.namespaces) {
    if (with_listeners.contains(view.label)) {
      report.namespaces.push_back(Refresh(view, report));
    }
  }
  std::erase_if(state_, [&](const auto& entry) { return entry.second.seen != cycle_; });
  std::erase_if(rulesets_, [&](const auto& entry) { return !state_.contains(entry.first); });
  report.read_seconds = SecondsSince(started);
  const auto evaluated = std::chrono::steady_clock::now();
  Judge(inventory, report);
  report.evaluate_seconds = SecondsSince(evaluated);
  return report;
}

}  // namespace portwarden::firewall
