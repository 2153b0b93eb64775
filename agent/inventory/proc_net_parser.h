#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "agent/core/error.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

/// Parses the text of /proc/net/{tcp,tcp6,udp,udp6} (pure; no I/O) and appends the
/// listening TCP sockets (state 0A) or bound, unconnected UDP sockets (state 07) to `out`.
/// The text format carries no IPV6_V6ONLY state and no bound device: those stay unset.
/// A malformed row is an error (EINVAL) naming its line number.
Status ParseProcNet(std::string_view text,
                    Protocol protocol,
                    AddressFamily family,
                    std::vector<RawSocket>& out);

/// The "inuse" count of `protocol` ("TCP", "UDP", "TCP6", "UDP6") in the text of
/// /proc/net/sockstat or sockstat6 (sockets hashed in that namespace: listening, bound or
/// connected); nullopt when the line is absent or malformed. Pure.
std::optional<long> SockstatInUse(std::string_view text, std::string_view protocol);

/// What the rows parsed so far held, so that a reader can stop once nothing of interest can
/// follow (see ProcNetReadComplete).
struct ProcNetTally {
  long in_use = -1;             ///< the namespace's sockstat count for the table; -1: unknown
  long rows = 0;                ///< every row (any state)
  long wanted = 0;              ///< rows appended to `out` (TCP LISTEN, or unconnected UDP)
  bool past_listeners = false;  ///< TCP: a row in another state than LISTEN was seen
  bool complete = false;        ///< parsing stopped: no further row can be of interest
};

/// The same over a run of whole rows with no header (a chunk of a streamed read), whose first
/// line is line `first_line` of the file (for error messages); `tally` accumulates, and once
/// `tally.in_use` is known and ProcNetReadComplete() holds, the rest of `text` is left unparsed
/// and `tally.complete` set.
Status ParseProcNetRows(std::string_view text,
                        Protocol protocol,
                        AddressFamily family,
                        std::vector<RawSocket>& out,
                        std::size_t first_line,
                        ProcNetTally& tally);

/// True when a table whose namespace's sockstat counted `in_use` sockets of its kind cannot
/// hold a further row of interest after the rows in `tally`. The kernel prints a TCP table's
/// listening hash before the established one, so the first row in another state ends the
/// listeners; sockstat's "inuse" counts every hashed socket (listening and established for
/// TCP, every bound socket for UDP), so once that many listeners (TCP) or rows (UDP) were
/// read there is nothing left to find. Stopping there spares the kernel's walk of the rest of
/// the table and the one it makes again, from the start, to answer the read that would have
/// returned end-of-file. A socket created after sockstat was read may be missed, as it
/// would be by any snapshot taken a moment earlier.
bool ProcNetReadComplete(const ProcNetTally& tally, Protocol protocol, long in_use);

}  // namespace portwarden::inventory
