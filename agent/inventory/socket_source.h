#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/core/net_types.h"

namespace portwarden::inventory {

/// One listening TCP socket or bound, unconnected UDP socket as the kernel reports it (or, in
/// a connection dump, one established TCP socket, with its peer).
struct RawSocket {
  Protocol protocol = Protocol::kTcp;
  AddressFamily family = AddressFamily::kIpv4;
  std::array<std::uint8_t, 16> address{};  ///< Network order; IPv4 uses the first 4 bytes.
  std::uint16_t port = 0;
  std::uint64_t inode = 0;
  std::uint32_t uid = 0;
  std::uint32_t ifindex = 0;   ///< Bound device, 0 when unbound.
  std::optional<bool> v6only;  ///< Only when the kernel reported INET_DIAG_SKV6ONLY.
  /// TCP LISTEN: the accept queue (idiag_rqueue; /proc's rx_queue) and its limit
  /// (idiag_wqueue, the backlog; not in /proc's text), as `ss -ltn` shows Recv-Q/Send-Q.
  std::optional<std::uint32_t> rqueue;
  std::optional<std::uint32_t> wqueue;
  std::array<std::uint8_t, 16> peer{};  ///< Connection dumps: the remote address.
  std::uint16_t peer_port = 0;
};

/// Consumes one receive batch of a connection dump; the span is valid during the call only.
using SocketBatchSink = std::function<void(std::span<const RawSocket>)>;

/// An inclusive local-port range for a connection dump's filter.
struct LocalPortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
};

/// Lists the listening sockets of one network namespace. Implementations: netlink
/// (NetlinkSocketSource), /proc/net text (ProcNetSocketSource), and the pair with automatic
/// fallback (FallbackSocketSource). Not thread-safe; one dump at a time.
class SocketSource {
 public:
  virtual ~SocketSource() = default;

  /// Dumps TCP listeners or bound, unconnected UDP sockets, IPv4 then IPv6.
  virtual Result<std::vector<RawSocket>> Dump(Protocol protocol) = 0;

  /// Established TCP sockets whose local port is in `ports`, filtered in the kernel, handed
  /// to `sink` batch by batch (memory bounded by one batch). Sources that cannot filter in
  /// the kernel return ENOTSUP: the connections of that namespace are unknown.
  virtual Status DumpEstablished(std::span<const LocalPortRange> ports,
                                 const SocketBatchSink& sink) {
    (void)ports;
    (void)sink;
    return Fail("established connections: not available through this source", ENOTSUP);
  }

  /// "netlink" or "proc": the mechanism that served the last Dump(), for metrics and logs.
  virtual const char* Mechanism() const = 0;
};

}  // namespace portwarden::inventory
