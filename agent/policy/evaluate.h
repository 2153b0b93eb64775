#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "agent/config/cidr.h"
#include "agent/config/exposure_config.h"
#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"

/// The exposure verdict as a pure function: rules + listener → verdict. No I/O, no state.
namespace portwarden::policy {

/// The rules in force: the user's rules in file order, then the built-in rules the user did not
/// replace, then the default action for listeners no rule matched.
struct RuleSet {
  std::vector<config::ExposureRule> rules;
  config::DefaultAction default_action = config::DefaultAction::kReport;
};

/// Which (netns, protocol, port) triples have a listener, for `requires_listener_on`.
class PortIndex {
 public:
  PortIndex() = default;
  explicit PortIndex(std::span<const inventory::Listener> listeners);

  /// Whether the netns has a listener of this protocol on a port inside `range`.
  bool Has(const std::string& netns, Protocol protocol, const config::PortRange& range) const;

 private:
  // Per netns, the sorted (protocol << 16 | port) keys: a node per namespace, not per
  // listener (a cold `scan` of 12,500 listeners spent 6 % of its instructions building the
  // std::set of (netns, protocol, port) this was).
  std::map<std::string, std::vector<std::uint32_t>, std::less<>> ports_;
};

/// Whether every non-empty criterion of `rule` matches `listener`, whose bind address parses
/// to `address` (nullopt when it does not parse: no `addresses` criterion matches then).
bool RuleMatches(const config::ExposureRule& rule,
                 const inventory::Listener& listener,
                 const std::optional<IpAddress>& address,
                 const PortIndex& index);

/// The first matching rule decides: a violation when the listener's scope is not among the
/// rule's allowed scopes. Unmatched listeners get rule "default": a violation only under
/// default_action = "report" and only for public listeners.
/// With `firewall` (null: none), the effective reach is judged too: `bound_unreachable` is
/// set, and under `judge` = effective it decides `violation` (basis "effective").
Verdict EvaluateListener(const RuleSet& rules,
                         const inventory::Listener& listener,
                         const PortIndex& index,
                         const firewall::ListenerFirewall* firewall = nullptr,
                         config::Judge judge = config::Judge::kBind);

/// EvaluateListener for every listener; result[i] belongs to listeners[i].
/// `firewall` is empty or firewall[i] belongs to listeners[i].
std::vector<Verdict> EvaluateAll(const RuleSet& rules,
                                 std::span<const inventory::Listener> listeners,
                                 std::span<const firewall::ListenerFirewall> firewall = {},
                                 config::Judge judge = config::Judge::kBind);

}  // namespace portwarden::policy
