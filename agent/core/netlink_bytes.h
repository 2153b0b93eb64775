#pragma once

#include <cstddef>
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

}  // namespace portwarden
