#include "agent/inventory/inet_diag_parser.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "agent/core/netlink_bytes.h"

namespace portwarden::inventory {
namespace {

// Reads INET_DIAG_SKV6ONLY from the attributes after the fixed inet_diag_msg.
void ParseAttributes(std::span<const std::byte> attrs, RawSocket& socket) {
  ForEachNetlinkAttribute(attrs, [&socket](std::uint16_t type, std::span<const std::byte> value) {
    if (type == INET_DIAG_SKV6ONLY && !value.empty()) {
      socket.v6only = LoadUnaligned<std::uint8_t>(value) != 0;
    }
  });
}

Result<RawSocket> ParseSocket(std::span<const std::byte> payload, Protocol protocol) {
  if (payload.size() < sizeof(inet_diag_msg)) {
    return Fail("inet_diag: short inet_diag_msg", EINVAL);
  }
  const auto msg = LoadUnaligned<inet_diag_msg>(payload);
  RawSocket socket;
  socket.protocol = protocol;
  if (msg.idiag_family == AF_INET) {
    socket.family = AddressFamily::kIpv4;
    std::memcpy(socket.address.data(), msg.id.idiag_src, 4);
    std::memcpy(socket.peer.data(), msg.id.idiag_dst, 4);
  } else if (msg.idiag_family == AF_INET6) {
    socket.family = AddressFamily::kIpv6;
    std::memcpy(socket.address.data(), msg.id.idiag_src, 16);
    std::memcpy(socket.peer.data(), msg.id.idiag_dst, 16);
  } else {
    return Fail("inet_diag: unexpected family " + std::to_string(msg.idiag_family), EINVAL);
  }
  socket.port = ntohs(msg.id.idiag_sport);
  socket.peer_port = ntohs(msg.id.idiag_dport);
  socket.rqueue = msg.idiag_rqueue;
  socket.wqueue = msg.idiag_wqueue;
  socket.inode = msg.idiag_inode;
  socket.uid = msg.idiag_uid;
  socket.ifindex = msg.id.idiag_if;
  ParseAttributes(payload.subspan(NetlinkAlign(sizeof(inet_diag_msg)) <= payload.size()
                                      ? NetlinkAlign(sizeof(inet_diag_msg))
                                      : payload.size()),
                  socket);
  return socket;
}

// The errno of a negative netlink status; EINVAL for anything the kernel cannot have sent
// (INT_MIN, found by the fuzzer, has no positive counterpart).
int KernelErrno(int status) {
  return status < 0 && status > -4096 ? -status : EINVAL;
}

}  // namespace

std::vector<std::byte> BuildInetDiagRequest(std::uint8_t family,
                                            std::uint8_t protocol,
                                            std::uint32_t states,
                                            std::uint32_t sequence) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};

  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = sequence;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = protocol;
  message.request.idiag_states = states;
  return MessageBytes(message);
}

std::vector<std::byte> BuildTcpDiagRequest(std::uint32_t states, std::uint32_t sequence) {
  struct {
    nlmsghdr header;
    inet_diag_req request;
  } message{};

  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = TCPDIAG_GETSOCK;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = sequence;
  message.request.idiag_states = states;  // idiag_family is ignored: both are dumped
  return MessageBytes(message);
}

Result<bool> ParseInetDiagBatch(std::span<const std::byte> batch,
                                Protocol protocol,
                                std::vector<RawSocket>& out) {
  while (batch.size() >= sizeof(nlmsghdr)) {
    const auto header = LoadUnaligned<nlmsghdr>(batch);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > batch.size()) {
      return Fail("inet_diag: truncated netlink message", EINVAL);
    }
    const auto payload = batch.subspan(sizeof(nlmsghdr), header.nlmsg_len - sizeof(nlmsghdr));
    if (header.nlmsg_type == NLMSG_DONE) {
      const int status = payload.size() >= sizeof(int) ? LoadUnaligned<int>(payload) : 0;
      if (status < 0) {
        return std::unexpected(ErrnoError(KernelErrno(status), "inet_diag: dump ended with error"));
      }
      return true;
    }
    if (header.nlmsg_type == NLMSG_ERROR) {
      const int status = payload.size() >= sizeof(int) ? LoadUnaligned<int>(payload) : -EINVAL;
      return std::unexpected(ErrnoError(KernelErrno(status), "inet_diag: request"));
    }
    // TCPDIAG_GETSOCK: the answer to a compat request (the connection dump) has its type.
    if (header.nlmsg_type == SOCK_DIAG_BY_FAMILY || header.nlmsg_type == TCPDIAG_GETSOCK) {
      auto socket = ParseSocket(payload, protocol);
      if (!socket) {
        return std::unexpected(socket.error());
      }
      out.push_back(*socket);
    }
    batch = batch.subspan(std::min(NetlinkAlign(header.nlmsg_len), batch.size()));
  }
  if (!batch.empty()) {
    return Fail("inet_diag: trailing bytes in batch", EINVAL);
  }
  return false;
}

Result<std::vector<RawSocket>> ParseInetDiagDump(std::span<const std::byte> dump,
                                                 Protocol protocol) {
  std::vector<RawSocket> sockets;
  auto done = ParseInetDiagBatch(dump, protocol, sockets);
  if (!done) {
    return std::unexpected(done.error());
  }
  if (!*done) {
    return Fail("inet_diag: dump has no NLMSG_DONE", EINVAL);
  }
  return sockets;
}

}  // namespace portwarden::inventory
