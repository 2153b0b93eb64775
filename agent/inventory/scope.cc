#include "agent/inventory/scope.h"

#include <arpa/inet.h>

#include <algorithm>

#include "agent/config/cidr.h"

namespace portwarden::inventory {
namespace {

// IANA IPv4 Special-Purpose Address Registry, entries whose "Globally Reachable" is False.
// 0.0.0.0/8 and 255.255.255.255 cannot be reached from elsewhere either.
constexpr ScopeBlock kIpv4Blocks[] = {
    {{127}, 8, Scope::kLoopback},         {{169, 254}, 16, Scope::kLinkLocal},
    {{224, 0, 0}, 24, Scope::kLinkLocal}, {{0}, 8, Scope::kPrivate},
    {{10}, 8, Scope::kPrivate},           {{100, 64}, 10, Scope::kPrivate},
    {{172, 16}, 12, Scope::kPrivate},     {{192, 0, 0}, 24, Scope::kPrivate},
    {{192, 0, 2}, 24, Scope::kPrivate},   {{192, 168}, 16, Scope::kPrivate},
    {{198, 18}, 15, Scope::kPrivate},     {{198, 51, 100}, 24, Scope::kPrivate},
    {{203, 0, 113}, 24, Scope::kPrivate}, {{240}, 4, Scope::kPrivate},
};

// IANA IPv6 Special-Purpose Address Registry. The globally reachable exceptions inside
// 2001::/23 come first so the first match wins.
constexpr ScopeBlock kIpv6Blocks[] = {
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}, 128, Scope::kPublic},
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}, 128, Scope::kPublic},
    {{0x20, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03}, 128, Scope::kPublic},
    {{0x20, 0x01, 0x00, 0x03}, 32, Scope::kPublic},
    {{0x20, 0x01, 0x00, 0x04, 0x01, 0x12}, 48, Scope::kPublic},
    {{0x20, 0x01, 0x00, 0x20}, 28, Scope::kPublic},
    {{0x20, 0x01, 0x00, 0x30}, 28, Scope::kPublic},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, Scope::kLoopback},
    {{0xfe, 0x80}, 10, Scope::kLinkLocal},
    {{0xff, 0x02}, 16, Scope::kLinkLocal},
    {{0xff, 0x01}, 16, Scope::kLoopback},
    {{0, 0x64, 0xff, 0x9b, 0, 0x01}, 48, Scope::kPrivate},
    {{0x01, 0x00}, 64, Scope::kPrivate},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, Scope::kPrivate},
    {{0x20, 0x01}, 23, Scope::kPrivate},
    {{0x3f, 0xff}, 20, Scope::kPrivate},
    {{0x5f, 0x00}, 16, Scope::kPrivate},
    {{0xfc}, 7, Scope::kPrivate},
    {{0xfe, 0xc0}, 10, Scope::kPrivate},
    {{}, 128, Scope::kPrivate},  // :: unspecified
};

bool IsV4Mapped(const IpAddress& address) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return address.family == AddressFamily::kIpv6 &&
         std::equal(kMapped, kMapped + 12, address.bytes.begin());
}

template <std::size_t N>
Scope Lookup(const ScopeBlock (&blocks)[N], const std::uint8_t* bytes) {
  for (const ScopeBlock& block : blocks) {
    if (PrefixMatches(block.prefix.data(), bytes, block.length)) {
      return block.scope;
    }
  }
  return Scope::kPublic;
}

}  // namespace

std::span<const ScopeBlock> BuiltinScopeBlocks(AddressFamily family) {
  if (family == AddressFamily::kIpv4) {
    return kIpv4Blocks;
  }
  return kIpv6Blocks;
}

Scope ClassifyAddress(const IpAddress& address) {
  if (address.family == AddressFamily::kIpv4) {
    static constexpr std::uint8_t kBroadcast[4] = {255, 255, 255, 255};
    if (std::equal(kBroadcast, kBroadcast + 4, address.bytes.begin())) {
      return Scope::kPrivate;
    }
    return Lookup(kIpv4Blocks, address.bytes.data());
  }
  if (IsV4Mapped(address)) {
    IpAddress v4;
    std::copy_n(address.bytes.begin() + 12, 4, v4.bytes.begin());
    return ClassifyAddress(v4);
  }
  return Lookup(kIpv6Blocks, address.bytes.data());
}

bool IsWildcard(const IpAddress& address) {
  const std::size_t size = address.family == AddressFamily::kIpv4 ? 4 : 16;
  return std::all_of(address.bytes.begin(), address.bytes.begin() + static_cast<long>(size),
                     [](std::uint8_t b) { return b == 0; });
}

Scope AddressScope(const IpAddress& address,
                   const std::string& interface,
                   std::span<const config::ZoneOverride> zones) {
  IpAddress compared = address;  // an IPv4-mapped address meets the IPv4 zones
  if (IsV4Mapped(address)) {
    compared = {AddressFamily::kIpv4, {}};
    std::copy_n(address.bytes.begin() + 12, 4, compared.bytes.begin());
  }
  for (const auto& zone : zones) {
    const bool by_interface = !zone.interface.empty() && zone.interface == interface;
    const bool by_cidr = zone.cidr && config::CidrContains(*zone.cidr, compared);
    if (by_interface || by_cidr) {
      return zone.scope;
    }
  }
  return ClassifyAddress(address);
}

Scope BindScope(const IpAddress& bind,
                bool v6only,
                const std::string& bound_interface,
                std::span<const InterfaceAddress> addresses,
                std::span<const config::ZoneOverride> zones) {
  if (!IsWildcard(bind)) {
    std::string holder = bound_interface;
    for (const auto& entry : addresses) {
      if (holder.empty() && entry.address.family == bind.family &&
          entry.address.bytes == bind.bytes) {
        holder = entry.interface;
      }
    }
    return AddressScope(bind, holder, zones);
  }
  const bool covers_v4 = bind.family == AddressFamily::kIpv4 || !v6only;
  Scope widest = Scope::kLoopback;
  for (const auto& entry : addresses) {
    const bool family_ok = entry.address.family == bind.family ||
                           (covers_v4 && entry.address.family == AddressFamily::kIpv4);
    if (!family_ok || (!bound_interface.empty() && entry.interface != bound_interface)) {
      continue;
    }
    widest = std::max(widest, AddressScope(entry.address, entry.interface, zones));
  }
  return widest;
}

std::string AddressText(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = address.family == AddressFamily::kIpv4 ? AF_INET : AF_INET6;
  if (::inet_ntop(af, address.bytes.data(), text, sizeof(text)) == nullptr) {
    return {};
  }
  return text;
}

}  // namespace portwarden::inventory
