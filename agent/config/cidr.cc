#include "agent/config/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <string>

#include "agent/config/excerpt.h"

namespace portwarden::config {
namespace {

// `unmap` turns an IPv4-mapped IPv6 address into plain IPv4 (for bind addresses, not prefixes).
std::optional<IpAddress> ParseIp(std::string_view text, bool unmap) {
  char copy[INET6_ADDRSTRLEN + 1] = {};
  if (text.size() >= sizeof copy) {
    return std::nullopt;
  }
  text.copy(copy, text.size());
  IpAddress ip;
  if (::inet_pton(AF_INET, copy, ip.bytes.data()) == 1) {
    return ip;
  }
  if (::inet_pton(AF_INET6, copy, ip.bytes.data()) != 1) {
    return std::nullopt;
  }
  ip.family = AddressFamily::kIpv6;
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (unmap && std::memcmp(ip.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    ip.family = AddressFamily::kIpv4;
    std::memmove(ip.bytes.data(), ip.bytes.data() + 12, 4);
    std::memset(ip.bytes.data() + 4, 0, 12);
  }
  return ip;
}

// Whether the first `bits` bits of a and b are equal.
}  // namespace

Result<Cidr> ParseCidr(std::string_view text) {
  const std::string quoted = "invalid CIDR " + Quote(text);
  const auto slash = text.find('/');
  const auto ip = ParseIp(text.substr(0, slash), /*unmap=*/false);
  if (!ip) {
    return Fail(quoted + ": not an IPv4 or IPv6 address");
  }
  Cidr cidr;
  cidr.family = ip->family;
  std::memcpy(cidr.bytes, ip->bytes.data(), sizeof cidr.bytes);
  cidr.text = std::string(text);
  const int max_length = ip->family == AddressFamily::kIpv4 ? 32 : 128;
  cidr.prefix_length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view length = text.substr(slash + 1);
    int value = -1;
    const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), value);
    if (length.empty() || ec != std::errc() || end != length.data() + length.size() || value < 0 ||
        value > max_length) {
      return Fail(quoted + ": prefix length must be a number from 0 to " +
                  std::to_string(max_length));
    }
    cidr.prefix_length = value;
  }
  Cidr network = cidr;
  for (int bit = cidr.prefix_length; bit < max_length; ++bit) {
    network.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (std::memcmp(network.bytes, cidr.bytes, sizeof cidr.bytes) != 0) {
    char buffer[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(cidr.family == AddressFamily::kIpv4 ? AF_INET : AF_INET6, network.bytes, buffer,
                sizeof buffer);
    return Fail(quoted + ": host bits are set (did you mean \"" + buffer + "/" +
                std::to_string(cidr.prefix_length) + "\"?)");
  }
  return cidr;
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  return ParseIp(text, /*unmap=*/true);
}

bool CidrContains(const Cidr& cidr, const IpAddress& address) {
  return address.family == cidr.family &&
         PrefixMatches(address.bytes.data(), cidr.bytes, cidr.prefix_length);
}

bool CidrContains(const Cidr& cidr, std::string_view address) {
  const auto ip = ParseIpAddress(address);
  return ip && CidrContains(cidr, *ip);
}

}  // namespace portwarden::config
