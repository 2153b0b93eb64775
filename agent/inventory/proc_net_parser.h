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

/// The same over a run of whole rows with no header (a chunk of a streamed read), whose first
/// line is line `first_line` of the file (for error messages).
Status ParseProcNetRows(std::string_view text,
                        Protocol protocol,
                        AddressFamily family,
                        std::vector<RawSocket>& out,
                        std::size_t first_line);

}  // namespace portwarden::inventory
