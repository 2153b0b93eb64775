#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/core/net_types.h"

/// The records the in-kernel connection tracker (BpfConnectionTracker) and the agent share
/// through BPF maps, in the machine's byte order except addresses (network order), and the
/// pure table that classifies a peer the way AddressScope() does (no I/O).
namespace portwarden::inventory {

/// `watched` map key: a (namespace, local port) whose established sockets are counted.
struct WatchedKey {
  std::uint32_t netns = 0;  ///< the namespace's inode (ns.inum)
  std::uint16_t port = 0;   ///< local port, host order
  std::uint16_t zero = 0;
};

static_assert(sizeof(WatchedKey) == 8);

/// `counts` map key (and `sockets` map value): one listener address and peer scope.
struct CountKey {
  std::uint32_t netns = 0;
  std::uint16_t port = 0;                ///< local port, host order
  std::uint8_t family = 0;               ///< AF_INET or AF_INET6, as the socket's own family
  std::uint8_t scope = 0;                ///< Scope of the peer
  std::array<std::uint8_t, 16> local{};  ///< local address; IPv4 in the first 4 bytes
};

static_assert(sizeof(CountKey) == 24);

/// `peer_scopes` LPM-trie key: 32 bits of family (AF_INET or AF_INET6, in the first byte)
/// then the address, so `prefix_bits` = 32 + the prefix length.
struct PeerScopeKey {
  std::uint32_t prefix_bits = 0;
  std::uint32_t family = 0;
  std::array<std::uint8_t, 16> address{};
};

static_assert(sizeof(PeerScopeKey) == 24);

/// One prefix of the peer classification and the scope of the addresses it is the longest
/// match for.
struct PeerScopeEntry {
  PeerScopeKey key;
  Scope scope = Scope::kPublic;
};

/// The longest-prefix table equal to AddressScope(peer, "", zones) for every peer (an
/// interface zone never matches a peer; a CIDR zone matches its own family; an IPv4-mapped
/// IPv6 peer is classified as its IPv4 address, zones included): every built-in block and
/// every zone CIDR, each valued by the first zone that contains it, else by the longest
/// built-in block that does, else public, with the IPv4 ones copied as ::ffff:a.b.c.d. A
/// miss is public. Exact because prefixes nest or are disjoint: the prefixes containing an
/// address are exactly those containing its longest match.
std::vector<PeerScopeEntry> PeerScopeTable(std::span<const config::ZoneOverride> zones);

/// What the kernel's LPM trie answers for `address` of `family` (for tests).
Scope LookupPeerScope(std::span<const PeerScopeEntry> table,
                      AddressFamily family,
                      const std::array<std::uint8_t, 16>& address);

}  // namespace portwarden::inventory
