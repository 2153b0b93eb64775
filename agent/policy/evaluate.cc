#include "agent/policy/evaluate.h"

#include <fnmatch.h>

#include <algorithm>

namespace portwarden::policy {
namespace {

constexpr Scope kAllScopes[] = {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate,
                                Scope::kPublic};

bool InRange(std::uint16_t port, const config::PortRange& range) {
  return port >= range.first && port <= range.last;
}

// An empty list matches anything; otherwise one entry must match.
template <typename T, typename Pred>
bool AnyOrEmpty(const std::vector<T>& items, Pred&& pred) {
  return items.empty() || std::any_of(items.begin(), items.end(), pred);
}

bool GlobAny(const std::vector<std::string>& patterns, const std::string& value) {
  return AnyOrEmpty(patterns, [&](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), value.c_str(), 0) == 0;
  });
}

}  // namespace

namespace {

std::uint32_t PortKey(Protocol protocol, std::uint16_t port) {
  return (static_cast<std::uint32_t>(protocol) << 16) | port;
}

}  // namespace

PortIndex::PortIndex(std::span<const inventory::Listener> listeners) {
  std::vector<std::uint32_t>* keys = nullptr;
  const std::string* netns = nullptr;  // listeners come grouped by netns: one lookup per run
  for (const auto& listener : listeners) {
    if (netns == nullptr || *netns != listener.netns) {
      netns = &listener.netns;
      keys = &ports_[listener.netns];
    }
    keys->push_back(PortKey(listener.protocol, listener.port));
  }
  for (auto& [name, sorted] : ports_) {
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  }
}

bool PortIndex::Has(const std::string& netns,
                    Protocol protocol,
                    const config::PortRange& range) const {
  const auto keys = ports_.find(netns);
  if (keys == ports_.end()) {
    return false;
  }
  const auto it =
      std::lower_bound(keys->second.begin(), keys->second.end(), PortKey(protocol, range.first));
  return it != keys->second.end() && *it <= PortKey(protocol, range.last);
}

bool RuleMatches(const config::ExposureRule& rule,
                 const inventory::Listener& listener,
                 const std::optional<IpAddress>& address,
                 const PortIndex& index) {
  if (rule.protocol && *rule.protocol != listener.protocol) {
    return false;
  }
  return AnyOrEmpty(rule.ports,
                    [&](const config::PortRange& r) { return InRange(listener.port, r); }) &&
         GlobAny(rule.processes, listener.process.comm) &&
         GlobAny(rule.executables, listener.process.exe) &&
         GlobAny(rule.units, listener.process.unit) && GlobAny(rule.namespaces, listener.netns) &&
         AnyOrEmpty(
             rule.addresses,
             [&](const config::Cidr& c) { return address && config::CidrContains(c, *address); }) &&
         AnyOrEmpty(rule.requires_listener_on, [&](const config::PortRange& r) {
           return index.Has(listener.netns, listener.protocol, r);
         });
}

namespace {

// The bind verdict, before observed activity.
Verdict BindVerdict(const RuleSet& rules,
                    const inventory::Listener& listener,
                    const PortIndex& index) {
  const auto address = config::ParseIpAddress(listener.address);
  for (const auto& rule : rules.rules) {
    if (RuleMatches(rule, listener, address, index)) {
      const bool allowed =
          std::find(rule.allow.begin(), rule.allow.end(), listener.scope) != rule.allow.end();
      return Verdict{rule.name, !allowed, rule.allow};
    }
  }
  if (rules.default_action == config::DefaultAction::kAllow) {
    return Verdict{"default", false, {std::begin(kAllScopes), std::end(kAllScopes)}};
  }
  return Verdict{"default",
                 listener.scope == Scope::kPublic,
                 {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate}};
}

// A connected peer whose scope the rule does not allow (a public client on an internal port).
void MarkObserved(const inventory::Listener& listener, Verdict& verdict) {
  if (!listener.connections) {
    return;
  }
  for (const Scope scope : kAllScopes) {
    const bool allowed =
        std::find(verdict.allowed.begin(), verdict.allowed.end(), scope) != verdict.allowed.end();
    if (!allowed && (*listener.connections)[static_cast<std::size_t>(scope)] > 0) {
      verdict.observed_violation = true;
    }
  }
}

}  // namespace

Verdict EvaluateListener(const RuleSet& rules,
                         const inventory::Listener& listener,
                         const PortIndex& index,
                         const firewall::ListenerFirewall* firewall,
                         config::Judge judge) {
  Verdict verdict = BindVerdict(rules, listener, index);
  MarkObserved(listener, verdict);
  if (firewall == nullptr) {
    return verdict;
  }
  const Scope effective = firewall::EffectiveScope(listener.scope, *firewall);
  const bool effective_violation =
      std::find(verdict.allowed.begin(), verdict.allowed.end(), effective) == verdict.allowed.end();
  verdict.bound_unreachable = verdict.violation && !effective_violation;
  if (judge == config::Judge::kEffective) {
    verdict.violation = effective_violation;
    verdict.basis = "effective";
  }
  return verdict;
}

std::vector<Verdict> EvaluateAll(const RuleSet& rules,
                                 std::span<const inventory::Listener> listeners,
                                 std::span<const firewall::ListenerFirewall> firewall,
                                 config::Judge judge) {
  const PortIndex index(listeners);
  std::vector<Verdict> out;
  out.reserve(listeners.size());
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const auto* verdicts = i < firewall.size() ? &firewall[i] : nullptr;
    out.push_back(EvaluateListener(rules, listeners[i], index, verdicts, judge));
  }
  return out;
}

}  // namespace portwarden::policy
