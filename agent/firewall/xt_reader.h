#pragma once

#include <vector>

#include "agent/core/error.h"
#include "agent/firewall/xt_image.h"

namespace portwarden::firewall {

/// Every legacy iptables table of one family in the calling thread's network namespace, read
/// from the kernel (IPT_SO_GET_INFO then IPT_SO_GET_ENTRIES, or the IP6T_ ones, on a UDP
/// socket made there: no iptables binary, no exec). Only the tables listed in
/// /proc/thread-self/net/ip{,6}_tables_names are asked for: asking for another would make the
/// kernel create it. Counters are zeroed (see ZeroXtCounters). A table over kMaxXtTableBytes is
/// refused. Needs CAP_NET_ADMIN over the namespace; the error says so. Empty: no legacy table.
Result<std::vector<XtTableImage>> ReadXtTables(bool ipv6);

}  // namespace portwarden::firewall
