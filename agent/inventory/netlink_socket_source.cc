#include "agent/inventory/netlink_socket_source.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <memory>

#include "agent/inventory/inet_diag_filter.h"
#include "agent/inventory/inet_diag_parser.h"

namespace portwarden::inventory {
namespace {

constexpr std::size_t kReceiveBuffer = 64 * 1024;  // the kernel sends at most 32 KiB a batch
constexpr int kSocketReceiveBuffer = 1024 * 1024;

}  // namespace

Result<std::unique_ptr<NetlinkSocketSource>> NetlinkSocketSource::Open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "socket(NETLINK_SOCK_DIAG)"));
  }
  const int size = kSocketReceiveBuffer;
  // Best effort: a smaller kernel buffer only means more, smaller batches.
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  return std::unique_ptr<NetlinkSocketSource>(new NetlinkSocketSource(std::move(fd)));
}

Result<std::vector<RawSocket>> NetlinkSocketSource::Dump(Protocol protocol) {
  std::vector<RawSocket> sockets;
  if (protocol == Protocol::kTcp && tcp_compat_) {
    // Both families in one walk of the listening hash; a kernel that refuses the compat
    // request gets the two per-family dumps from then on.
    const auto request = BuildTcpDiagRequest(kTcpfListen, sequence_++);
    if (Exchange(request, protocol, sockets, nullptr)) {
      return sockets;
    }
    Drain();
    sockets.clear();
    tcp_compat_ = false;
  }
  for (const int family : {AF_INET, AF_INET6}) {
    auto done = DumpFamily(family, protocol, sockets);
    if (!done) {
      Drain();
      return std::unexpected(done.error());
    }
  }
  return sockets;
}

// After a failed dump the rest of its messages may still arrive; read them off so the next
// dump does not parse a stale reply. Netlink continues a dump as we read, so this ends.
void NetlinkSocketSource::Drain() {
  std::vector<std::byte> buffer(kReceiveBuffer);
  while (::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT) > 0) {
  }
}

Status NetlinkSocketSource::DumpEstablished(std::span<const LocalPortRange> ports,
                                            const SocketBatchSink& sink) {
  const auto filter = BuildLocalPortFilter(ports);
  const auto request = BuildEstablishedRequest(filter, sequence_++);
  std::vector<RawSocket> batch;
  if (auto done = Exchange(request, Protocol::kTcp, batch, &sink); !done) {
    Drain();
    return std::unexpected(done.error());
  }
  return {};
}

Result<bool> NetlinkSocketSource::DumpFamily(int family,
                                             Protocol protocol,
                                             std::vector<RawSocket>& out) {
  const bool tcp = protocol == Protocol::kTcp;
  const auto request =
      BuildInetDiagRequest(static_cast<std::uint8_t>(family), tcp ? IPPROTO_TCP : IPPROTO_UDP,
                           tcp ? kTcpfListen : kTcpfClose, sequence_++);
  return Exchange(request, protocol, out, nullptr);
}

// Sends one dump request and reads batches until NLMSG_DONE. Each recv returns whole
// messages; a batch larger than the buffer is reported by MSG_TRUNC and treated as an error
// rather than silently losing sockets.
Result<bool> NetlinkSocketSource::Exchange(std::span<const std::byte> request,
                                           Protocol protocol,
                                           std::vector<RawSocket>& out,
                                           const SocketBatchSink* sink) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), request.data(), request.size(), 0,
               reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    return std::unexpected(ErrnoError(errno, "inet_diag: send"));
  }
  // Not zero-filled: the kernel writes what recvmsg returns, and only that is parsed.
  const auto buffer = std::make_unique_for_overwrite<std::byte[]>(kReceiveBuffer);
  for (;;) {
    iovec iov{buffer.get(), kReceiveBuffer};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd_.get(), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::unexpected(ErrnoError(errno, "inet_diag: recvmsg"));
    }
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      return Fail("inet_diag: batch truncated (MSG_TRUNC)", EMSGSIZE);
    }
    auto done = ParseInetDiagBatch({buffer.get(), static_cast<std::size_t>(n)}, protocol, out);
    if (!done) {
      return std::unexpected(done.error());
    }
    if (sink != nullptr) {
      (*sink)(out);
      out.clear();
    }
    if (*done) {
      return true;
    }
  }
}

}  // namespace portwarden::inventory
