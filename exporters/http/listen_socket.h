#pragma once

#include <string>

#include "agent/core/error.h"

namespace portwarden::exporters::http {

/// Parses a listen address the Prometheus way: ":19443" (every address, IPv4 and IPv6),
/// "127.0.0.1:19443", "[::1]:19443", "[::]:0" (port chosen by the kernel).
struct ListenAddress {
  std::string host;  ///< "::" for ":port"
  int port = 0;
};

Result<ListenAddress> ParseListenAddress(const std::string& text);

/// A bound, listening, non-blocking TCP socket.
struct ListenSocket {
  int fd = -1;
  std::string bound;  ///< "127.0.0.1:43121", "[::]:19443"
};

/// Binds and listens with a backlog of kListenBacklog (the kernel caps it at
/// net.core.somaxconn). SO_REUSEADDR only, never SO_REUSEPORT, so a second agent on the same
/// port is a start-up error. "::" is dual-stack (IPV6_V6ONLY off). Names are resolved.
Result<ListenSocket> Listen(const std::string& text);

inline constexpr int kListenBacklog = 4096;

}  // namespace portwarden::exporters::http
