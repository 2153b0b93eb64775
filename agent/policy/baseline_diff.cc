#include "agent/policy/baseline_diff.h"

#include <map>

#include "agent/core/host_port.h"
#include "agent/policy/baseline.h"

namespace portwarden::policy {
namespace {

std::string VerdictOf(const PolicyReport& policy, std::size_t i) {
  if (i >= policy.verdicts.size()) {
    return "";
  }
  return policy.verdicts[i].violation ? "violation" : "ok";
}

ListenerChange FromListener(ChangeKind kind,
                            const std::vector<inventory::Listener>& listeners,
                            const PolicyReport& policy,
                            std::size_t i) {
  const inventory::Listener& l = listeners[i];
  return {.kind = kind,
          .listener = i,
          .netns = NetnsIdentity(l),
          .protocol = l.protocol,
          .address = l.address,
          .port = l.port,
          .process = l.process.comm,
          .unit = l.process.unit,
          .reach = std::string(ScopeName(l.scope)),
          .verdict = VerdictOf(policy, i),
          .detail = ""};
}

// "what: before -> now; " for each recorded field that differs from the listener now.
std::string Differences(const config::BaselineEntry& entry,
                        const inventory::Listener& listener,
                        const PolicyReport& policy,
                        std::span<const firewall::ListenerFirewall> firewall,
                        std::size_t i) {
  std::string out;
  auto compare = [&out](const char* what, const std::optional<std::string>& before,
                        const std::string& now) {
    if (before && *before != now) {
      out += (out.empty() ? "" : "; ") + std::string(what) + ": " +
             (before->empty() ? "-" : *before) + " -> " + (now.empty() ? "-" : now);
    }
  };
  compare("unit", entry.unit, listener.process.unit);
  compare("reach", entry.reach, std::string(ScopeName(listener.scope)));
  if (i < policy.verdicts.size()) {
    compare("exposure", entry.exposure, VerdictOf(policy, i));
    compare("rule", entry.rule, policy.verdicts[i].rule);
  }
  if (i < firewall.size()) {
    compare("firewall", entry.firewall, FirewallVerdictText(firewall[i]));
  }
  return out;
}

ListenerChange FromEntry(const config::BaselineEntry& entry) {
  return {.kind = ChangeKind::kRemoved,
          .listener = std::nullopt,
          .netns = entry.netns,
          .protocol = entry.protocol,
          .address = entry.address,
          .port = entry.port,
          .process = entry.process.value_or(""),
          .unit = entry.unit.value_or(""),
          .reach = entry.reach.value_or(""),
          .verdict = entry.exposure.value_or(""),
          .detail = "baseline line " + std::to_string(entry.line)};
}

}  // namespace

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kAdded:
      return "added";
    case ChangeKind::kRemoved:
      return "removed";
    case ChangeKind::kChanged:
      return "changed";
  }
  return "?";
}

// Entries are indexed by port so each listener compares against a handful (as
// Unapproved does); the first entry that approves a listener is the one its recorded
// fields are compared with, and every entry that approves some listener is "still there".
BaselineChanges CompareWithBaseline(const config::Baseline& baseline,
                                    const std::vector<inventory::Listener>& listeners,
                                    const PolicyReport& policy,
                                    std::span<const firewall::ListenerFirewall> firewall) {
  BaselineChanges out;
  out.configured = true;
  out.baseline = baseline.source + ", " + std::to_string(baseline.entries.size()) + " entries";
  std::multimap<std::uint16_t, std::size_t> by_port;
  for (std::size_t e = 0; e < baseline.entries.size(); ++e) {
    by_port.emplace(baseline.entries[e].port, e);
  }
  std::vector<bool> matched(baseline.entries.size(), false);
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const config::BaselineEntry* first = nullptr;
    const auto [begin, end] = by_port.equal_range(listeners[i].port);
    for (auto it = begin; it != end; ++it) {
      if (Approves(baseline.entries[it->second], listeners[i])) {
        matched[it->second] = true;
        first = first != nullptr ? first : &baseline.entries[it->second];
      }
    }
    if (first == nullptr) {
      out.changes.push_back(FromListener(ChangeKind::kAdded, listeners, policy, i));
    } else if (std::string diff = Differences(*first, listeners[i], policy, firewall, i);
               !diff.empty()) {
      out.changes.push_back(FromListener(ChangeKind::kChanged, listeners, policy, i));
      out.changes.back().detail = std::move(diff);
    }
  }
  for (std::size_t e = 0; e < baseline.entries.size(); ++e) {
    if (!matched[e]) {
      out.changes.push_back(FromEntry(baseline.entries[e]));
    }
  }
  return out;
}

BaselineChanges ChangesFromUnapprovedFlags(const std::vector<inventory::Listener>& listeners,
                                           const PolicyReport& policy,
                                           std::string baseline,
                                           std::string problem) {
  BaselineChanges out;
  out.configured = true;
  out.baseline = std::move(baseline);
  out.problem = std::move(problem);
  for (std::size_t i = 0; i < listeners.size() && i < policy.unapproved.size(); ++i) {
    if (policy.unapproved[i]) {
      out.changes.push_back(FromListener(ChangeKind::kAdded, listeners, policy, i));
    }
  }
  return out;
}

std::string ChangeListenerText(const ListenerChange& change) {
  const std::string host =
      change.address.find(':') != std::string::npos ? BracketHost(change.address) : change.address;
  std::string out = change.netns + " " + std::string(ProtocolName(change.protocol)) + " " + host +
                    ":" + std::to_string(change.port);
  if (!change.process.empty()) {
    out += " " + change.process;
  }
  return out;
}

}  // namespace portwarden::policy
