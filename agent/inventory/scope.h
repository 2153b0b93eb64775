#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/core/ip_address.h"
#include "agent/core/net_types.h"

/// Pure reach classification of addresses (no I/O).
namespace portwarden::inventory {

/// One address configured on an interface of a namespace.
struct InterfaceAddress {
  std::string interface;  ///< e.g. "eth0"
  std::uint32_t ifindex = 0;
  IpAddress address;
  std::uint8_t prefix_length = 0;  ///< From RTM_GETADDR; 0 when read through /proc
};

/// One block of the built-in classification; ClassifyAddress takes the first that matches,
/// and every block listed before a block that contains it is the more specific one.
struct ScopeBlock {
  std::array<std::uint8_t, 16> prefix;
  int length;
  Scope scope;
};

/// The built-in blocks of `family` in ClassifyAddress's order (255.255.255.255 aside: it is
/// private, as its enclosing 240.0.0.0/4 is).
std::span<const ScopeBlock> BuiltinScopeBlocks(AddressFamily family);

/// Loopback, link-local, private (RFC 1918, CGNAT, ULA and every other block the IANA
/// IPv4/IPv6 special-purpose registries mark "Globally Reachable: False", such as the
/// documentation and benchmarking ranges), or public. IPv4-mapped IPv6 addresses are
/// classified as their IPv4 address.
Scope ClassifyAddress(const IpAddress& address);

/// True for 0.0.0.0 and ::.
bool IsWildcard(const IpAddress& address);

/// The scope of one concrete address held by `interface` (may be empty): the first zone
/// override whose interface or CIDR matches wins, else ClassifyAddress(). An IPv4-mapped
/// IPv6 address (a peer of a dual-stack listener) is matched against the zones as IPv4.
Scope AddressScope(const IpAddress& address,
                   const std::string& interface,
                   std::span<const config::ZoneOverride> zones);

/// The scope of a bind address in a namespace whose interfaces hold `addresses`. A concrete
/// address takes its own scope (with overrides, matching the interface that holds it or the
/// bound device `bound_interface`). A wildcard takes the widest scope among the namespace's
/// addresses of its family, and an IPv6 wildcard without V6ONLY also covers IPv4 addresses;
/// a namespace with no such address reaches nothing beyond itself (loopback).
Scope BindScope(const IpAddress& bind,
                bool v6only,
                const std::string& bound_interface,
                std::span<const InterfaceAddress> addresses,
                std::span<const config::ZoneOverride> zones);

/// Canonical text ("127.0.0.1", "::1") via inet_ntop.
std::string AddressText(const IpAddress& address);

}  // namespace portwarden::inventory
