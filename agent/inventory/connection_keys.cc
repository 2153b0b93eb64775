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

// The built-in blocks as prefixes with their scope: IPv4, IPv4 mapped into IPv6, IPv6.
std::vector<std::pair<Prefix, Scope>> BuiltinPrefixes() {
  std::vector<std::pair<Prefix, Scope>> out;
  for (const auto& block : BuiltinScopeBlocks(AddressFamily::kIpv4)) {
    out.emplace_back(Masked(AF_INET, block.prefix.data(), block.length), block.scope);
    std::array<std::uint8_t, 16> mapped{};
    mapped[10] = mapped[11] = 0xff;
    std::copy_n(block.prefix.begin(), 4, mapped.begin() + 12);
    out.emplace_back(Masked(AF_INET6, mapped.data(), 96 + block.length), block.scope);
  }
  for (const auto& block : BuiltinScopeBlocks(AddressFamily::kIpv6)) {
    out.emplace_back(Masked(AF_INET6, block.prefix.data(), block.length), block.scope);
  }
  return out;
}

}  // namespace

std::vector<PeerScopeEntry> PeerScopeTable(std::span<const config::ZoneOverride> zones) {
  const std::vector<std::pair<Prefix, Scope>> builtin = BuiltinPrefixes();
  std::vector<std::pair<Prefix, Scope>> zone_prefixes;
  for (const auto& zone : zones) {
    if (zone.cidr) {
      zone_prefixes.emplace_back(
          Masked(Af(zone.cidr->family), zone.cidr->bytes, zone.cidr->prefix_length), zone.scope);
    }
  }
  std::map<Prefix, Scope> values;
  const auto value_of = [&](const Prefix& prefix) {
    for (const auto& [zone, scope] : zone_prefixes) {
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
  using Prefixes = std::vector<std::pair<Prefix, Scope>>;
  for (const Prefixes* list : {&builtin, static_cast<const Prefixes*>(&zone_prefixes)}) {
    for (const auto& [prefix, scope] : *list) {
      values.emplace(prefix, value_of(prefix));
    }
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
