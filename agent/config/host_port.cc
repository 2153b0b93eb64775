#include "agent/config/host_port.h"

#include <charconv>
#include <string>

#include "agent/config/excerpt.h"

namespace portwarden::config {

Result<HostPort> SplitHostPort(std::string_view text, int min_port) {
  const std::string quoted = Quote(text);
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Fail("invalid address " + quoted + ": expected \"[ipv6]:port\"");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Fail("invalid address " + quoted + ": missing port (expected \"host:port\")");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      static_cast<int>(port) < min_port || port > 65535) {
    return Fail("invalid address " + quoted + ": port must be a number from " +
                std::to_string(min_port) + " to 65535");
  }
  if (!text.starts_with('[') && host.find(':') != std::string_view::npos) {
    return Fail("invalid address " + quoted +
                ": IPv6 addresses need brackets, as in \"[::1]:443\"");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

Result<HostPort> SplitListenAddress(std::string_view text) {
  return SplitHostPort(text, /*min_port=*/0);
}

}  // namespace portwarden::config
