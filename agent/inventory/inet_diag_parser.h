#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/core/error.h"
#include "agent/inventory/socket_source.h"

/// Pure encoding and decoding of NETLINK_SOCK_DIAG messages (no I/O), so captured dumps can
/// be replayed in tests the way `ss` replays TCPDIAG_FILE.
namespace portwarden::inventory {

/// TCP state bitmasks for inet_diag_req_v2::idiag_states.
inline constexpr std::uint32_t kTcpfListen = 1U << 10;  // TCP_LISTEN
inline constexpr std::uint32_t kTcpfClose = 1U << 7;    // TCP_CLOSE: UDP "UNCONN"

/// A SOCK_DIAG_BY_FAMILY dump request (nlmsghdr + inet_diag_req_v2).
/// `family` is AF_INET/AF_INET6, `protocol` IPPROTO_TCP/IPPROTO_UDP.
std::vector<std::byte> BuildInetDiagRequest(std::uint8_t family,
                                            std::uint8_t protocol,
                                            std::uint32_t states,
                                            std::uint32_t sequence);

/// A TCPDIAG_GETSOCK dump request (nlmsghdr + the older inet_diag_req, no filter): the
/// kernel's compat path answers it for both families in one dump (AF_UNSPEC), so the
/// listening hash is walked once instead of once per family.
std::vector<std::byte> BuildTcpDiagRequest(std::uint32_t states, std::uint32_t sequence);

/// Parses one receive batch of a dump and appends each socket to `out` as `protocol`.
/// Returns true once NLMSG_DONE was seen (the dump is complete), false when more batches
/// follow. A malformed message, an NLMSG_ERROR, or a negative NLMSG_DONE status is an error
/// whose `code` is the errno the kernel reported (EINVAL for malformed input).
Result<bool> ParseInetDiagBatch(std::span<const std::byte> batch,
                                Protocol protocol,
                                std::vector<RawSocket>& out);

/// Parses a whole captured dump (batches concatenated, as the capture tool writes them).
Result<std::vector<RawSocket>> ParseInetDiagDump(std::span<const std::byte> dump,
                                                 Protocol protocol);

}  // namespace portwarden::inventory
