#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace portwarden {

/// A T read from the start of `bytes`, whatever their alignment (netlink payloads are only
/// 4-byte aligned). The caller has checked that `bytes` holds at least sizeof(T).
template <typename T>
T LoadUnaligned(std::span<const std::byte> bytes) {
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

/// The bytes of a request `message` (a struct starting with its nlmsghdr), ready to send.
template <typename Message>
std::vector<std::byte> MessageBytes(const Message& message) {
  std::vector<std::byte> bytes(sizeof(message));
  std::memcpy(bytes.data(), &message, sizeof(message));
  return bytes;
}

/// Netlink's alignment of messages and attributes (NLMSG_ALIGN, RTA_ALIGN, NLA_ALIGN): 4.
constexpr std::size_t NetlinkAlign(std::size_t n) {
  return (n + 3U) & ~std::size_t{3};
}

/// Calls `each(type, value)` for every netlink attribute of `attrs` in order (nlattr and rtattr
/// share the layout: 16-bit length, 16-bit type; `type` is passed as the header has it, flag bits
/// included). Stops at the first malformed attribute and returns false; attributes before it were
/// visited.
template <typename Each>
bool ForEachNetlinkAttribute(std::span<const std::byte> attrs, Each&& each) {
  struct Header {
    std::uint16_t length;
    std::uint16_t type;
  };

  while (attrs.size() >= sizeof(Header)) {
    const auto attr = LoadUnaligned<Header>(attrs);
    if (attr.length < sizeof(Header) || attr.length > attrs.size()) {
      return false;
    }
    each(attr.type, attrs.subspan(sizeof(Header), attr.length - sizeof(Header)));
    attrs = attrs.subspan(std::min(NetlinkAlign(attr.length), attrs.size()));
  }
  return true;
}

}  // namespace portwarden
