#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/firewall/ruleset.h"

/// Legacy iptables (x_tables) tables as the kernel hands them out, and their translation into
/// the Ruleset model the evaluator judges. The bytes come from whoever holds CAP_NET_ADMIN in
/// a namespace (a container's root), so every offset and size is checked against the image.
namespace portwarden::firewall {

/// Bounds on what ParseXtTable accepts (the reader refuses a larger table before reading it).
inline constexpr std::size_t kMaxXtTableBytes = 16u << 20;  ///< one table's entries blob
inline constexpr std::size_t kMaxXtEntries = 100'000;       ///< one table's entries

/// The netfilter hooks, in x_tables' numbering (NF_INET_PRE_ROUTING = 0 … POST_ROUTING = 4).
inline constexpr std::size_t kXtHooks = 5;

/// One table: IPT_SO_GET_INFO's (IP6T_ for IPv6) hook offsets and the IPT_SO_GET_ENTRIES blob,
/// in the running kernel's native layout (struct ipt_entry / ip6t_entry).
struct XtTableImage {
  std::string name;  ///< "filter", "nat", "mangle", "raw", "security"
  bool ipv6 = false;
  std::uint32_t valid_hooks = 0;  ///< bit h: hook h has a built-in chain
  std::array<std::uint32_t, kXtHooks> hook_entry{};
  std::array<std::uint32_t, kXtHooks> underflow{};  ///< the built-in chain's policy entry
  std::vector<std::byte> entries;
};

/// The priority iptables registers a table's hooks at (raw -300, mangle -150, nat -100,
/// filter 0, security 50); none for a name it does not know.
std::optional<int> XtTablePriority(const std::string& name);

/// Translates one table: its built-in PREROUTING, INPUT and FORWARD chains become base chains
/// (type "nat" in the nat table, else "filter") at the table's priority with the built-in
/// policy, user chains (ERROR heads) become chains of the same name, and every rule becomes
/// statements: the ip part (addresses with masks, input interface with `+`, protocol, each
/// with inversion), then its matches, then its target. A match or target it does not model is
/// an Unmodelled statement "xt match NAME" / "xt target NAME"; a structural violation (an
/// offset or size outside the image, a policy that is neither ACCEPT nor DROP) an error.
/// Adds the table's rules to `rule_count`, refusing to pass kMaxRules. Pure.
Result<Table> ParseXtTable(const XtTableImage& image, std::size_t& rule_count);

/// Zeroes the packet and byte counters of every entry of `entries` (they change with traffic,
/// the rules do not), stopping at the first entry that does not fit. For change detection.
void ZeroXtCounters(std::span<std::byte> entries, bool ipv6);

}  // namespace portwarden::firewall
