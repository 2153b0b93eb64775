#include "agent/inventory/interface_addresses.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "agent/core/netlink_bytes.h"
#include "agent/core/text_sanitize.h"

namespace portwarden::inventory {
namespace {

using MessageFn = std::function<void(std::span<const std::byte>)>;

// Walks netlink messages of `type`; returns true at NLMSG_DONE.
Result<bool> ForEachMessage(std::span<const std::byte> batch, int type, const MessageFn& fn) {
  while (batch.size() >= sizeof(nlmsghdr)) {
    nlmsghdr header;
    std::memcpy(&header, batch.data(), sizeof(header));
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > batch.size()) {
      return Fail("rtnetlink: truncated message", EINVAL);
    }
    const auto payload = batch.subspan(sizeof(nlmsghdr), header.nlmsg_len - sizeof(nlmsghdr));
    if (header.nlmsg_type == NLMSG_DONE) {
      return true;
    }
    if (header.nlmsg_type == NLMSG_ERROR) {
      int status = -EINVAL;
      if (payload.size() >= sizeof(int)) {
        std::memcpy(&status, payload.data(), sizeof(int));
      }
      return std::unexpected(ErrnoError(status < 0 ? -status : EINVAL, "rtnetlink: dump"));
    }
    if (header.nlmsg_type == type) {
      fn(payload);
    }
    batch = batch.subspan(std::min(NetlinkAlign(header.nlmsg_len), batch.size()));
  }
  return false;
}

Status ToStatus(const Result<bool>& result) {
  if (!result) {
    return std::unexpected(result.error());
  }
  return {};
}

}  // namespace

Status ParseLinkDump(std::span<const std::byte> dump, InterfaceTable& table) {
  return ToStatus(ForEachMessage(dump, RTM_NEWLINK, [&](std::span<const std::byte> payload) {
    if (payload.size() < sizeof(ifinfomsg)) {
      return;
    }
    ifinfomsg info;
    std::memcpy(&info, payload.data(), sizeof(info));
    ForEachNetlinkAttribute(
        payload.subspan(NetlinkAlign(sizeof(ifinfomsg))), [&](auto type, auto value) {
          if (type == IFLA_IFNAME && !value.empty()) {
            const auto* name = reinterpret_cast<const char*>(value.data());
            table.names[static_cast<std::uint32_t>(info.ifi_index)] =
                text::Sanitize({name, ::strnlen(name, value.size())}, text::Kind::kInterfaceName);
          }
        });
  }));
}

Status ParseAddressDump(std::span<const std::byte> dump, InterfaceTable& table) {
  return ToStatus(ForEachMessage(dump, RTM_NEWADDR, [&](std::span<const std::byte> payload) {
    if (payload.size() < sizeof(ifaddrmsg)) {
      return;
    }
    ifaddrmsg info;
    std::memcpy(&info, payload.data(), sizeof(info));
    InterfaceAddress entry;
    entry.ifindex = info.ifa_index;
    entry.prefix_length = info.ifa_prefixlen;
    entry.interface = table.names.contains(info.ifa_index) ? table.names[info.ifa_index] : "";
    entry.address.family = info.ifa_family == AF_INET ? AddressFamily::kIpv4 : AddressFamily::kIpv6;
    const std::size_t size = info.ifa_family == AF_INET ? 4 : 16;
    bool found = false;
    ForEachNetlinkAttribute(
        payload.subspan(NetlinkAlign(sizeof(ifaddrmsg))), [&](auto type, auto value) {
          // IFA_LOCAL is the interface's own address on point-to-point links; prefer it.
          if ((type == IFA_LOCAL || (type == IFA_ADDRESS && !found)) && value.size() >= size) {
            std::memcpy(entry.address.bytes.data(), value.data(), size);
            found = true;
          }
        });
    if (found && (info.ifa_family == AF_INET || info.ifa_family == AF_INET6)) {
      table.addresses.push_back(entry);
    }
  }));
}

Result<std::unique_ptr<InterfaceAddressReader>> InterfaceAddressReader::Open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "socket(NETLINK_ROUTE)"));
  }
  return std::unique_ptr<InterfaceAddressReader>(new InterfaceAddressReader(std::move(fd)));
}

Status InterfaceAddressReader::Dump(int type, std::vector<std::byte>& out) {
  struct {
    nlmsghdr header;
    rtgenmsg body;
  } request{};

  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = static_cast<unsigned short>(type);
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = sequence_++;
  request.body.rtgen_family = AF_UNSPEC;
  if (::send(fd_.get(), &request, sizeof(request), 0) < 0) {
    return std::unexpected(ErrnoError(errno, "rtnetlink: send"));
  }
  std::vector<std::byte> buffer(64 * 1024);
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, "rtnetlink: recv"));
    }
    const std::span<const std::byte> batch(buffer.data(), static_cast<std::size_t>(n));
    auto done = ForEachMessage(batch, type + 0, [](auto) {});
    if (!done) {
      return std::unexpected(done.error());
    }
    out.insert(out.end(), batch.begin(), batch.end());
    if (*done) {
      return {};
    }
  }
}

Result<InterfaceTable> InterfaceAddressReader::Read() {
  InterfaceTable table;
  std::vector<std::byte> links;
  std::vector<std::byte> addresses;
  auto status = Dump(RTM_GETLINK, links).and_then([&] { return ParseLinkDump(links, table); });
  status = status.and_then([&] { return Dump(RTM_GETADDR, addresses); }).and_then([&] {
    return ParseAddressDump(addresses, table);
  });
  if (!status) {
    return std::unexpected(status.error());
  }
  return table;
}

}  // namespace portwarden::inventory
