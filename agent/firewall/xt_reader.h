#pragma once

#include <cerrno>
#include <cstddef>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/firewall/xt_image.h"

namespace portwarden::firewall {

/// Every legacy iptables table of one family in the calling thread's network namespace, read
/// from the kernel (IPT_SO_GET_INFO then IPT_SO_GET_ENTRIES, or the IP6T_ ones, on a UDP
/// socket made there: no iptables binary, no exec). Only the tables listed in
/// /proc/thread-self/net/ip{,6}_tables_names are asked for: asking for another would make the
/// kernel create it. Counters are zeroed (see ZeroXtCounters). A table over kMaxXtTableBytes is
/// refused, and so is one that would take more than the `budget` left (each table read takes
/// its size from it). Needs CAP_NET_ADMIN over the namespace; the error says so. Empty: no
/// legacy table.
Result<std::vector<XtTableImage>> ReadXtTables(bool ipv6, std::size_t& budget);

/// Bytes of entries one namespace's legacy tables may hold, every table of both families
/// together: all of them are held at once while judged.
inline constexpr std::size_t kMaxXtNamespaceBytes = 32u << 20;
/// The Error code of a TakeXtBudget failure.
inline constexpr int kXtBudgetCode = EFBIG;

/// Takes `size` bytes from `budget` (what is left of kMaxXtNamespaceBytes), or fails naming
/// `table` (code kXtBudgetCode), leaving it unchanged, when they are not there. Pure.
Status TakeXtBudget(std::size_t size, std::size_t& budget, const std::string& table);

}  // namespace portwarden::firewall
