#include "agent/probe/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <memory>

#include "agent/probe/failure_reason.h"

namespace portwarden::probe {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

int FamilyHint(config::IpFamily family) {
  switch (family) {
    case config::IpFamily::kIpv4:
      return AF_INET;
    case config::IpFamily::kIpv6:
      return AF_INET6;
    case config::IpFamily::kAny:
      break;
  }
  return AF_UNSPEC;
}

}  // namespace

std::string AddressText(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
  return std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
}

PhaseResult<std::vector<ResolvedAddress>> Resolve(const std::string& host,
                                                  std::uint16_t port,
                                                  config::IpFamily family,
                                                  int max_addresses) {
  addrinfo hints{};
  hints.ai_family = FamilyHint(family);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* raw = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &raw);
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  if (rc != 0) {
    return std::unexpected(PhaseError{failure::kDns, host + ": " + gai_strerror(rc)});
  }
  std::vector<ResolvedAddress> out;
  for (const addrinfo* it = list.get(); it != nullptr; it = it->ai_next) {
    if (static_cast<int>(out.size()) >= max_addresses) {
      break;
    }
    ResolvedAddress address;
    std::memcpy(&address.storage, it->ai_addr, it->ai_addrlen);
    address.length = it->ai_addrlen;
    address.text = AddressText(it->ai_addr);
    bool seen = false;
    for (const auto& other : out) {
      seen = seen || other.text == address.text;
    }
    if (!seen) {
      out.push_back(std::move(address));
    }
  }
  if (out.empty()) {
    return std::unexpected(PhaseError{failure::kDns, host + ": no usable address"});
  }
  return out;
}

}  // namespace portwarden::probe
