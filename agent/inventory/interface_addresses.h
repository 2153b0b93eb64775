#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/scope.h"

namespace portwarden::inventory {

/// The interfaces of one network namespace: names by index and configured addresses.
struct InterfaceTable {
  std::map<std::uint32_t, std::string> names;
  std::vector<InterfaceAddress> addresses;
};

/// Reads interface names (RTM_GETLINK) and addresses (RTM_GETADDR) over a NETLINK_ROUTE
/// socket bound to the namespace it was created in. Owns the socket. Not thread-safe.
class InterfaceAddressReader {
 public:
  /// Creates the route socket in the calling thread's current network namespace.
  static Result<std::unique_ptr<InterfaceAddressReader>> Open();

  Result<InterfaceTable> Read();

 private:
  explicit InterfaceAddressReader(UniqueFd fd) : fd_(std::move(fd)) {}

  Status Dump(int type, std::vector<std::byte>& out);

  UniqueFd fd_;
  std::uint32_t sequence_ = 1;
};

/// Pure parsers over dumps of RTM_NEWLINK / RTM_NEWADDR messages (batches concatenated).
Status ParseLinkDump(std::span<const std::byte> dump, InterfaceTable& table);
Status ParseAddressDump(std::span<const std::byte> dump, InterfaceTable& table);

}  // namespace portwarden::inventory
