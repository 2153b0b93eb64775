#include "agent/core/net_types.h"

namespace portwarden {

std::string_view ProtocolName(Protocol protocol) {
  return protocol == Protocol::kTcp ? "tcp" : "udp";
}

std::string_view FamilyName(AddressFamily family) {
  return family == AddressFamily::kIpv4 ? "ipv4" : "ipv6";
}

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kLoopback:
      return "loopback";
    case Scope::kLinkLocal:
      return "link_local";
    case Scope::kPrivate:
      return "private";
    case Scope::kPublic:
      return "public";
  }
  return "public";
}

std::optional<Scope> ParseScope(std::string_view name) {
  for (const Scope scope : {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate, Scope::kPublic}) {
    if (ScopeName(scope) == name) {
      return scope;
    }
  }
  return std::nullopt;
}

std::optional<Protocol> ParseProtocol(std::string_view name) {
  if (name == "tcp") {
    return Protocol::kTcp;
  }
  if (name == "udp") {
    return Protocol::kUdp;
  }
  return std::nullopt;
}

}  // namespace portwarden
