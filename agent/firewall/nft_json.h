#pragma once

#include <cstddef>
#include <string_view>

#include "agent/core/error.h"
#include "agent/firewall/nft_compat.h"
#include "agent/firewall/ruleset.h"

namespace portwarden::firewall {

/// Bounds on what ParseNftJson accepts: the text comes from whoever holds CAP_NET_ADMIN in a
/// namespace (a container's root, for instance), so it is hostile.
inline constexpr std::size_t kMaxRulesetBytes = 8u << 20;  ///< JSON text
inline constexpr int kMaxJsonDepth = 32;                   ///< nesting of arrays and objects
inline constexpr std::size_t kMaxRules = 100'000;
inline constexpr std::size_t kMaxElements = 1'000'000;  ///< set elements, all sets together

/// Parses `nft -j list ruleset` output (libnftables JSON schema 1) into a Ruleset. Tables of
/// other families are kept as kOther; every expression the evaluator does not model becomes an
/// Unmodelled statement naming it. iptables-nft's `xt` expressions, whose options the JSON
/// lacks, are translated from `compat` (the kernel's blobs of the same rules, matched by
/// family, table, chain, handle and order, and by name) when given; else, or when a blob does
/// not match, they stay Unmodelled "xt TYPE NAME". Pure; never throws.
Result<Ruleset> ParseNftJson(std::string_view text, const CompatExpressions* compat = nullptr);

}  // namespace portwarden::firewall
