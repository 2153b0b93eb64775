#include "agent/core/host_port.h"

namespace portwarden {

std::string BracketHost(std::string_view host) {
  if (host.find(':') != std::string_view::npos) {
    std::string out;
    out.reserve(host.size() + 2);
    out += '[';
    out += host;
    out += ']';
    return out;
  }
  return std::string(host);
}

std::string JoinHostPort(std::string_view host, std::uint16_t port) {
  return BracketHost(host) + ":" + std::to_string(port);
}

}  // namespace portwarden
