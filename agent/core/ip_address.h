#pragma once

#include <array>
#include <cstdint>

#include "agent/core/net_types.h"

namespace portwarden {

/// An IP address in network byte order; IPv4 uses the first 4 bytes. Shared by the
/// inventory (reach classification) and the config (rule and zone prefixes).
struct IpAddress {
  AddressFamily family = AddressFamily::kIpv4;
  std::array<std::uint8_t, 16> bytes{};
};

/// Whether the first `bits` bits of `a` and `b` are equal (prefix match).
bool PrefixMatches(const std::uint8_t* a, const std::uint8_t* b, int bits);

}  // namespace portwarden
