#pragma once

#include <string>
#include <string_view>

#include "agent/core/error.h"
#include "agent/inventory/interface_addresses.h"

namespace portwarden::inventory {

/// Interface addresses of a namespace the agent cannot enter, read through one of its member
/// processes: `<net_dir>/if_inet6` (IPv6: address, ifindex and interface name), and
/// `<net_dir>/fib_trie` (IPv4: every "/32 host LOCAL" entry, which the kernel keeps for each
/// address on an interface that is up), with the interface name taken from the longest
/// `<net_dir>/route` prefix holding the address. Differences from RTM_GETADDR: an IPv4 address
/// on a down interface is absent (it has no local route), and an IPv4 address with no covering
/// prefix route (a /32 on lo) has an empty interface name. These files are readable without
/// ptrace access to the process. The fib_trie text grows with the routing table: beyond
/// `kMaxFibTrieBytes` the read fails (and wildcard scope falls back to loopback, logged).
Result<InterfaceTable> ReadProcInterfaces(const std::string& net_dir);

/// Upper bound on the fib_trie text read per namespace (about 60,000 routes).
inline constexpr std::size_t kMaxFibTrieBytes = 8U << 20U;

/// Pure parsers, fed captured text by the unit tests. Each appends to `table`.
Status ParseIfInet6(std::string_view text, InterfaceTable& table);
Status ParseFibTrieLocal(std::string_view text, InterfaceTable& table);
/// Names the interface of each IPv4 address in `table` whose interface is empty, from the
/// text of /proc/net/route (longest matching prefix wins).
void NameIpv4Interfaces(std::string_view route_text, InterfaceTable& table);

}  // namespace portwarden::inventory
