#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agent/config/endpoint_config.h"
#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"

namespace portwarden::probe {

/// One address to connect to.
struct ResolvedAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  ///< "192.0.2.1:443" or "[2001:db8::1]:443", the `address` label.
};

/// Resolves `host` (a name or an IP literal) to at most `max_addresses` distinct TCP
/// addresses of the allowed family, in resolver order. An IP literal is converted at once; a
/// name is looked up on a helper thread (LookUpName) and waited for until `deadline`: a
/// resolver that does not answer in time gives `dns_timeout`, a cancel `cancelled`, any
/// other failure `dns`. Thread-safe.
PhaseResult<std::vector<ResolvedAddress>> Resolve(const std::string& host,
                                                  std::uint16_t port,
                                                  config::IpFamily family,
                                                  int max_addresses,
                                                  const ProbeDeadline& deadline);

/// Whether `host` is an IPv4 or IPv6 literal (resolving it needs no resolver).
bool IsIpLiteral(const std::string& host);

/// "ip:port" / "[ip6]:port" text of a socket address.
std::string AddressText(const sockaddr* address);

}  // namespace portwarden::probe
