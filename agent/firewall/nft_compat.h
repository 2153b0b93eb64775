#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "agent/core/error.h"

/// The x_tables matches and targets inside iptables-nft rules. iptables-nft writes the
/// extensions it cannot express natively (`-m addrtype`, `-j DNAT`, `-j MASQUERADE`, …) as
/// nf_tables `match`/`target` expressions holding the extension's kernel struct; libnftables'
/// JSON names them (`{"xt": {"type": "match", "name": "addrtype"}}`) but prints none of their
/// options. This reads them from the kernel (an NFT_MSG_GETRULE dump) so the JSON parser can
/// translate them with the legacy translator's decoders (xt_extensions.h).
namespace portwarden::firewall {

/// Bounds: the dump comes from whoever holds CAP_NET_ADMIN in the namespace.
inline constexpr std::size_t kMaxCompatDumpBytes = 16u << 20;
inline constexpr std::size_t kMaxCompatExpressions = 100'000;

/// One compat expression, in rule order.
struct CompatExpression {
  bool target = false;
  std::string name;
  std::uint8_t revision = 0;
  std::vector<std::byte> info;  ///< the extension's struct (xt_*_info, nf_nat_range2, …)
};

/// Which rule: nfgen family (NFPROTO_IPV4, NFPROTO_IPV6, …), table, chain, handle.
struct CompatRuleKey {
  std::uint8_t family = 0;
  std::string table;
  std::string chain;
  std::uint64_t handle = 0;
  auto operator<=>(const CompatRuleKey&) const = default;
};

/// The compat expressions of every rule that has any, and the generation the dump was made at
/// (the low 16 bits nf_tables puts in each reply's res_id).
struct CompatExpressions {
  std::map<CompatRuleKey, std::vector<CompatExpression>> rules;
  std::uint16_t generation = 0;
  bool has_generation = false;  ///< a rule reply was seen
  std::size_t expressions = 0;  ///< in `rules`, bounded by kMaxCompatExpressions
};

/// The NFT_MSG_GETRULE dump request (every family) with sequence number `sequence`.
std::vector<std::byte> BuildRuleDumpRequest(std::uint32_t sequence);

/// Adds the compat expressions of the NFT_MSG_NEWRULE messages in `chunk` (one recv of the
/// dump) to `out`. Returns true once NLMSG_DONE is seen; an NLMSG_ERROR, an interrupted dump
/// (NLM_F_DUMP_INTR), replies of two generations or a malformed message are errors. Pure;
/// every length is checked against `chunk`.
Result<bool> ParseRuleDump(std::span<const std::byte> chunk,
                           std::uint32_t sequence,
                           CompatExpressions& out);

/// Dumps the calling thread's namespace's rules over a NETLINK_NETFILTER socket. Needs
/// CAP_NET_ADMIN over the namespace.
Result<CompatExpressions> ReadNftCompat();

}  // namespace portwarden::firewall
