#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/core/error.h"
#include "agent/core/host_port.h"

namespace portwarden::config {

struct HostPort {
  std::string host;  ///< Without brackets for IPv6 literals.
  std::uint16_t port = 0;
};

/// Splits "host:port", "1.2.3.4:443" or "[2001:db8::1]:443". The port is required and must be
/// in [min_port, 65535]; the host may be empty (":443"), which callers reject or interpret.
Result<HostPort> SplitHostPort(std::string_view text, int min_port = 1);

/// A listen address as the HTTP server binds it (exporters/http ParseListenAddress wraps this):
/// "host:port", "[ipv6]:port" or ":port" (every address), port 0 = one the kernel picks.
/// Validates without binding, so --config.check rejects what the server could not bind.
Result<HostPort> SplitListenAddress(std::string_view text);

/// The inverse: brackets an IPv6 literal ("[::1]:443"). One joiner for the tree, in agent/core.
using portwarden::JoinHostPort;

}  // namespace portwarden::config
