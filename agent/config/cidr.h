#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/config/exposure_config.h"
#include "agent/core/error.h"
#include "agent/core/ip_address.h"

/// IP prefixes for the exposure policy (rule `addresses`, zone `cidr`). Pure functions.
namespace portwarden::config {

/// Parses "10.0.0.0/8", "fd00::/8" or a bare address (a /32 or /128). Rejects host bits set
/// below the prefix ("10.0.0.1/8"), so a typo cannot silently widen a rule.
Result<Cidr> ParseCidr(std::string_view text);

/// Parses an IP literal as the inventory prints it; an IPv4-mapped IPv6 address
/// ("::ffff:10.1.2.3") becomes IPv4. nullopt for anything else.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

/// Whether `address` lies inside `cidr` (families never mix).
bool CidrContains(const Cidr& cidr, const IpAddress& address);

/// Whether `address` (an IP literal as the inventory prints it) lies inside `cidr`. An
/// IPv4-mapped IPv6 address ("::ffff:10.1.2.3") is compared as IPv4. Unparsable text → false.
bool CidrContains(const Cidr& cidr, std::string_view address);

}  // namespace portwarden::config
