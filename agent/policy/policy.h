#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"
#include "agent/inventory/socket_source.h"
#include "agent/policy/policy_settings.h"

namespace portwarden::policy {

/// The policy's judgement of one listener.
struct Verdict {
  std::string rule;              ///< Name of the deciding rule; "default" when none matched.
  bool violation = false;        ///< The listener reaches a scope the rule does not allow.
  std::vector<Scope> allowed{};  ///< Scopes the deciding rule allows (all four for "allow").
  /// A peer of a scope the rule does not allow is connected right now (observed activity,
  /// Listener::connections): basis="observed", whatever the bind says.
  bool observed_violation = false;
  /// What `violation` judged: "bind" (the bind reach) or "effective" (bind reach narrowed by
  /// the firewall verdicts, widened for a DNAT-published port; `exposure.judge`).
  std::string basis = "bind";
  /// The bind reach is not allowed but the firewall keeps that reach out ("bound public, not
  /// reachable"): a finding distinct from a reachable violation, under either basis.
  bool bound_unreachable = false;
};

/// How the baseline file (inventory.baseline) stands, for metrics and logs.
struct BaselineStatus {
  std::string file;           ///< "" when no baseline is configured.
  bool loaded = false;        ///< A good baseline is in force (possibly an older one).
  bool last_load_ok = true;   ///< The last read of the file succeeded.
  std::string error;          ///< Why the last read failed ("file:line:column: ...").
  std::size_t entries = 0;    ///< Entries of the baseline in force.
  double load_timestamp = 0;  ///< When the baseline in force was read, Unix seconds.
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
  /// unapproved[i]: listener i is in no entry of the baseline in force. Empty when no
  /// baseline is in force.
  std::vector<bool> unapproved;
  BaselineStatus baseline;
};

/// The local ports whose established connections the inventory counts: discovery.tls_ports
/// and every port range an exposure rule names (the user's and the built-in ones).
std::vector<inventory::LocalPortRange> WatchedPorts(const config::Config& config);

/// Judges one scan's listeners against the exposure rules, without tracking changes (no
/// first-seen times, no change counts): what a one-shot `portwarden scan` needs.
/// `firewall` (may be null: no firewall stage) gives each listener its effective reach.
PolicyReport EvaluateOnce(const inventory::InventoryReport& inventory,
                          const PolicySettings& settings,
                          const firewall::FirewallReport* firewall = nullptr);

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
                        std::chrono::system_clock::time_point now,
                        const firewall::FirewallReport* firewall = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portwarden::policy
