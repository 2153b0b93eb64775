#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config.h"
#include "agent/inventory/listener.h"
#include "agent/probe/probe_result.h"

/// The discovery stage between the inventory and the prober: local listeners on
/// discovery.tls_ports become probe targets. Pure (no I/O) but for HostName().
namespace portwarden::discovery {

/// How a discovered listener is probed, or why it is not: the `state` label of
/// portwarden_discovery_targets (docs/metrics.md).
enum class TargetState : std::uint8_t {
  kInside,        ///< From inside its namespace (the agent's own, or one it entered).
  kViaAddress,    ///< From the agent's namespace, through the listener namespace's address.
  kLoopbackOnly,  ///< Not probed: bound to loopback in a namespace the agent cannot enter.
  kNoAddress,     ///< Not probed: that namespace has no address outside it to connect to.
};

inline constexpr std::array kAllTargetStates{TargetState::kInside, TargetState::kViaAddress,
                                             TargetState::kLoopbackOnly, TargetState::kNoAddress};

/// "probed_inside", "probed_via_address", "not_probed_loopback", "not_probed_no_address".
std::string_view TargetStateName(TargetState state);

/// A discovered listener that is not probed, and why.
struct UnprobedListener {
  std::string target;  ///< "<netns>/<bind address>:<port>"
  std::string netns;
  TargetState state = TargetState::kLoopbackOnly;
};

/// Discovered listeners by state, for the snapshot (plain data).
struct DiscoveryStats {
  bool enabled = false;
  std::array<int, kAllTargetStates.size()> by_state{};

  int Count(TargetState state) const { return by_state[static_cast<std::size_t>(state)]; }
};

/// What discovery hands the prober, and what it could not.
struct Discovery {
  std::vector<probe::ProbeTarget> targets;
  std::vector<UnprobedListener> unprobed;
  DiscoveryStats stats;
};

/// TCP listeners on `settings.tls_ports` as probe targets. A listener in a namespace the
/// agent entered (or its own; or one absent from `namespaces`) is probed from inside it at
/// its bind address, loopback for a wildcard. One in a namespace the agent could not enter
/// (`NamespaceView::entered` false) is probed from the agent's own namespace through that
/// namespace's non-loopback address (same family first; an IPv6 wildcard that is not V6ONLY
/// also takes an IPv4 one), or its specific bind address; loopback binds there are unprobed.
/// SNI is `settings.server_name`, else `host_name`.
Discovery DiscoverTargets(std::span<const inventory::Listener> listeners,
                          std::span<const inventory::NamespaceView> namespaces,
                          const config::DiscoverySettings& settings,
                          std::string_view host_name);

/// This host's name (gethostname), "localhost" when it has none.
std::string HostName();

/// Logs each unprobed listener once, when it first appears (again if it comes back after
/// going away). Not thread-safe: one discovery at a time (the inventory job).
class UnprobedLog {
 public:
  void Note(const std::vector<UnprobedListener>& unprobed);

 private:
  std::set<std::string> logged_;
};

}  // namespace portwarden::discovery
