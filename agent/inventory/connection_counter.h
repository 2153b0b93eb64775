#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <tuple>

#include "agent/config/exposure_config.h"
#include "agent/inventory/listener.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

/// Whether `port` falls in one of the (normalized) `ranges`.
bool PortWatched(std::span<const LocalPortRange> ranges, std::uint16_t port);

/// Counts one namespace's established TCP sockets into the listeners that accepted them, by
/// peer scope (pure). A socket belongs to the listener of its namespace, family and local
/// port bound to its local address, else to the wildcard one (an IPv4 peer of a dual-stack
/// `[::]` listener arrives as an IPv4-mapped IPv6 socket, so it finds the IPv6 wildcard).
/// Sockets on unwatched ports (a filter widened by NormalizePortRanges) or with no listener
/// (an outgoing connection from a watched port) are not counted. Not thread-safe.
class ConnectionCounter {
 public:
  /// Starts the count at zero for every TCP listener of namespace `netns_inode` in
  /// `listeners` whose port is in `watched`; `listeners` must outlive the counter.
  ConnectionCounter(std::span<Listener> listeners,
                    std::uint64_t netns_inode,
                    std::span<const LocalPortRange> watched,
                    std::span<const config::ZoneOverride> zones);

  /// Whether any listener of the namespace is watched (else there is nothing to dump).
  bool empty() const { return index_.empty(); }

  /// Adds one batch of the dump.
  void Add(std::span<const RawSocket> sockets);

  /// Adds `count` sockets already classified (by the in-kernel tracker) to the listener of
  /// (`family`, `port`, local `address`), as Add() would have placed them; a negative or
  /// zero count adds nothing.
  void AddCounted(AddressFamily family,
                  std::uint16_t port,
                  const std::array<std::uint8_t, 16>& address,
                  Scope peer_scope,
                  std::int64_t count);

  /// The local ports of the counted listeners (what the in-kernel tracker must watch).
  std::set<std::uint16_t> Ports() const;

  /// Established sockets counted so far.
  int counted() const { return counted_; }

  /// The dump failed: the namespace's watched listeners have unknown connections again.
  void Forget();

 private:
  using Key = std::tuple<AddressFamily, std::uint16_t, std::array<std::uint8_t, 16>>;

  // The listener a socket with this local end belongs to; nullptr for none.
  Listener* Find(AddressFamily family,
                 std::uint16_t port,
                 const std::array<std::uint8_t, 16>& address);

  std::span<Listener> listeners_;
  std::span<const config::ZoneOverride> zones_;
  std::map<Key, std::size_t> index_;  // (family, port, bind address) → listener
  int counted_ = 0;
};

}  // namespace portwarden::inventory
