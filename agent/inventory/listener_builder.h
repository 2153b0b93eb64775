#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/inventory/interface_addresses.h"
#include "agent/inventory/listener.h"
#include "agent/inventory/netns_registry.h"
#include "agent/inventory/process_resolver.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

/// The raw dump of one namespace.
struct NamespaceDump {
  NetnsCandidate netns;
  std::vector<RawSocket> sockets;
  InterfaceTable interfaces;
  bool via_proc = false;  ///< Sockets came from /proc text: no v6only, no bound device.
};

/// Turns raw sockets into Listeners (pure): sockets on the same (netns, proto, family,
/// address, port, device) merge into one Listener with a socket count (SO_REUSEPORT workers,
/// duplicates from a non-atomic dump), each gets its owner from `owners` and its scope from
/// the namespace's interface addresses and the zone overrides. Sorted by
/// (netns, proto, family, address, port).
std::vector<Listener> BuildListeners(std::span<const NamespaceDump> dumps,
                                     const Attribution& owners,
                                     std::span<const config::ZoneOverride> zones);

/// BuildListeners in two steps, so the first can run while owners are still being resolved:
/// the merged, scoped listeners without processes...
std::vector<Listener> MergeSockets(std::span<const NamespaceDump> dumps,
                                   std::span<const config::ZoneOverride> zones);

/// ...then each listener's owner from its inodes, in merge order.
void AttachOwners(std::span<Listener> listeners, const Attribution& owners);

}  // namespace portwarden::inventory
