#include "agent/inventory/connection_keys.h"

#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "agent/core/ip_address.h"
#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

struct Prefix {
  std::uint32_t family;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes;
  int length;

  auto Tie() const { return std::tie(family, length, bytes); }

  bool operator<(const Prefix& other) const { return Tie() < other.Tie(); }

  // Whether this prefix contains all of `other`.
  bool Contains(const Prefix& other) const {
    return family == other.family && length <= other.length &&
           PrefixMatches(bytes.data(), other.bytes.data(), length);
  }
};

std::uint32_t Af(AddressFamily family) {
  return family == AddressFamily::kIpv4 ? AF_INET : AF_INET6;
}

Prefix Masked(std::uint32_t family, const std::uint8_t* bytes, int length) {
  Prefix prefix{family, {}, length};
  for (int bit = 0; bit < length; ++bit) {
    const auto byte = static_cast<std::size_t>(bit / 8);
    const auto mask = static_cast<std::uint8_t>(0x80U >> (bit % 8));
    prefix.bytes[byte] |= static_cast<std::uint8_t>(bytes[byte] & mask);
  }
  return prefix;
}

using Prefixes = std::vector<std::pair<Prefix, Scope>>;

// The built-in blocks of `family` as prefixes with their scope.
Prefixes BuiltinPrefixes(AddressFamily family) {
  Prefixes out;
  for (const auto& block : BuiltinScopeBlocks(family)) {
    out.emplace_back(Masked(Af(family), block.prefix.data(), block.length), block.scope);
  }
  return out;
}

// ::ffff:0:0/96, where IPv4-mapped addresses live.
Prefix MappedRange() {
  Prefix range{AF_INET6, {}, 96};
  range.bytes[10] = range.bytes[11] = 0xff;
  return range;
}

// Each of `prefixes` valued by the first of `zones` that contains it, else the longest of
// `builtin` that does, else public (what AddressScope gives the addresses it is the longest
// match for).
std::map<Prefix, Scope> Values(const Prefixes& zones, const Prefixes& builtin) {
  const auto value_of = [&](const Prefix& prefix) {
    for (const auto& [zone, scope] : zones) {
      if (zone.Contains(prefix)) {
        return scope;
      }
    }
    const std::pair<Prefix, Scope>* longest = nullptr;
    for (const auto& entry : builtin) {
      if (entry.first.Contains(prefix) &&
          (longest == nullptr || entry.first.length > longest->first.length)) {
        longest = &entry;
      }
    }
    return longest == nullptr ? Scope::kPublic : longest->second;
  };
  std::map<Prefix, Scope> values;
  for (const Prefixes* list : {&builtin, &zones}) {
    for (const auto& entry : *list) {
      values.emplace(entry.first, value_of(entry.first));
    }
  }
  return values;
}

}  // namespace

/// IPv4 and IPv6 are valued apart (a zone matches its own family). The IPv4 table, with its
/// root 0.0.0.0/0, is then copied into ::ffff:0:0/96: the root's copy is longer than any
/// IPv6 prefix containing the mapped range, so a mapped peer always gets its IPv4 answer,
/// and IPv6 zones inside the mapped range (which AddressScope never applies) are left out.
std::vector<PeerScopeEntry> PeerScopeTable(std::span<const config::ZoneOverride> zones) {
  Prefixes zones4;
  Prefixes zones6;
  const Prefix mapped_range = MappedRange();
  for (const auto& zone : zones) {
    if (!zone.cidr) {
      continue;
    }
    const Prefix prefix = Masked(Af(zone.cidr->family), zone.cidr->bytes, zone.cidr->prefix_length);
    if (prefix.family == AF_INET) {
      zones4.emplace_back(prefix, zone.scope);
    } else if (!mapped_range.Contains(prefix)) {
      zones6.emplace_back(prefix, zone.scope);
    }
  }
  Prefixes builtin4 = BuiltinPrefixes(AddressFamily::kIpv4);
  builtin4.emplace_back(Prefix{AF_INET, {}, 0}, Scope::kPublic);  // the root: a miss
  auto values = Values(zones6, BuiltinPrefixes(AddressFamily::kIpv6));
  for (const auto& [prefix, scope] : Values(zones4, builtin4)) {
    values.emplace(prefix, scope);
    Prefix mapped = mapped_range;
    std::copy_n(prefix.bytes.begin(), 4, mapped.bytes.begin() + 12);
    mapped.length = 96 + prefix.length;
    values[mapped] = scope;
  }
  std::vector<PeerScopeEntry> table;
  for (const auto& [prefix, scope] : values) {
    PeerScopeEntry entry;
    entry.key.prefix_bits = 32 + static_cast<std::uint32_t>(prefix.length);
    entry.key.family = prefix.family;
    entry.key.address = prefix.bytes;
    entry.scope = scope;
    table.push_back(entry);
  }
  return table;
}

Scope LookupPeerScope(std::span<const PeerScopeEntry> table,
                      AddressFamily family,
                      const std::array<std::uint8_t, 16>& address) {
  const PeerScopeEntry* best = nullptr;
  for (const auto& entry : table) {
    const int length = static_cast<int>(entry.key.prefix_bits) - 32;
    if (entry.key.family == Af(family) &&
        PrefixMatches(entry.key.address.data(), address.data(), length) &&
        (best == nullptr || entry.key.prefix_bits > best->key.prefix_bits)) {
      best = &entry;
    }
  }
  return best == nullptr ? Scope::kPublic : best->scope;
}

}  // namespace portwarden::inventory
