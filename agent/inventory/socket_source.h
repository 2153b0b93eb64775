#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/core/net_types.h"

namespace portwarden::inventory {

/// One listening TCP socket or bound, unconnected UDP socket as the kernel reports it.
struct RawSocket {
  Protocol protocol = Protocol::kTcp;
  AddressFamily family = AddressFamily::kIpv4;
  std::array<std::uint8_t, 16> address{};  ///< Network order; IPv4 uses the first 4 bytes.
  std::uint16_t port = 0;
  std::uint64_t inode = 0;
  std::uint32_t uid = 0;
  std::uint32_t ifindex = 0;   ///< Bound device, 0 when unbound.
  std::optional<bool> v6only;  ///< Only when the kernel reported INET_DIAG_SKV6ONLY.
};

/// Lists the listening sockets of one network namespace. Implementations: netlink
/// (NetlinkSocketSource), /proc/net text (ProcNetSocketSource), and the pair with automatic
/// fallback (FallbackSocketSource). Not thread-safe; one dump at a time.
class SocketSource {
 public:
  virtual ~SocketSource() = default;

  /// Dumps TCP listeners or bound, unconnected UDP sockets, IPv4 then IPv6.
  virtual Result<std::vector<RawSocket>> Dump(Protocol protocol) = 0;

  /// "netlink" or "proc": the mechanism that served the last Dump(), for metrics and logs.
  virtual const char* Mechanism() const = 0;
};

}  // namespace portwarden::inventory
