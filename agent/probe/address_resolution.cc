#include "agent/probe/address_resolution.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <memory>

#include "agent/core/host_port.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/getaddrinfo_lookup.h"

namespace portwarden::probe {
namespace {

void SetPort(ResolvedAddress& address, std::uint16_t port) {
  if (address.storage.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
  }
}

/// The first `max_addresses` distinct addresses of `list`, each with `port`.
std::vector<ResolvedAddress> DistinctAddresses(const addrinfo* list,
                                               std::uint16_t port,
                                               int max_addresses) {
  std::vector<ResolvedAddress> out;
  for (const addrinfo* it = list; it != nullptr; it = it->ai_next) {
    if (static_cast<int>(out.size()) >= max_addresses) {
      break;
    }
    ResolvedAddress address;
    std::memcpy(&address.storage, it->ai_addr, it->ai_addrlen);
    address.length = it->ai_addrlen;
    SetPort(address, port);
    address.text = AddressText(reinterpret_cast<const sockaddr*>(&address.storage));
    bool seen = false;
    for (const auto& other : out) {
      seen = seen || other.text == address.text;
    }
    if (!seen) {
      out.push_back(std::move(address));
    }
  }
  return out;
}

/// getaddrinfo restricted to IP literals: never blocks, never asks a resolver.
LookupAnswer ParseLiteral(const std::string& host, config::IpFamily family) {
  addrinfo hints{};
  hints.ai_family = FamilyHint(family);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* raw = nullptr;
  const int code = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  return LookupAnswer{code, AddrInfoList(raw)};
}

bool IsLiteralOfOtherFamily(const std::string& host) {
  return ParseLiteral(host, config::IpFamily::kAny).code == 0;
}

PhaseResult<std::vector<ResolvedAddress>> AddressesOf(const LookupAnswer& answer,
                                                      const std::string& host,
                                                      std::uint16_t port,
                                                      int max_addresses) {
  if (answer.code != 0) {
    return std::unexpected(PhaseError{failure::kDns, host + ": " + gai_strerror(answer.code)});
  }
  std::vector<ResolvedAddress> out = DistinctAddresses(answer.list.get(), port, max_addresses);
  if (out.empty()) {
    return std::unexpected(PhaseError{failure::kDns, host + ": no usable address"});
  }
  return out;
}

}  // namespace

bool IsIpLiteral(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string AddressText(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
    return JoinHostPort(host, ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
  return JoinHostPort(host, ntohs(v4->sin_port));
}

PhaseResult<std::vector<ResolvedAddress>> Resolve(const std::string& host,
                                                  std::uint16_t port,
                                                  config::IpFamily family,
                                                  int max_addresses,
                                                  const ProbeDeadline& deadline) {
  const LookupAnswer literal = ParseLiteral(host, family);
  if (literal.code != EAI_NONAME && literal.code != EAI_ADDRFAMILY) {
    return AddressesOf(literal, host, port, max_addresses);
  }
  if (IsLiteralOfOtherFamily(host)) {
    return std::unexpected(
        PhaseError{failure::kDns, host + ": address family not allowed by ip_family"});
  }
  auto answer = LookUpName(host, family, deadline);
  if (!answer) {
    return std::unexpected(answer.error());
  }
  return AddressesOf(**answer, host, port, max_addresses);
}

}  // namespace portwarden::probe
