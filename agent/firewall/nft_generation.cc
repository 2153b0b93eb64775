#include "agent/firewall/nft_generation.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "agent/core/netlink_bytes.h"
#include "agent/core/unique_fd.h"

namespace portwarden::firewall {
namespace {

constexpr std::uint16_t kGetGen = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
constexpr std::uint16_t kNewGen = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;

Result<std::uint32_t> GenId(std::span<const std::byte> payload) {
  if (payload.size() < NLMSG_ALIGN(sizeof(nfgenmsg))) {
    return Fail("nft generation: short nfgenmsg", EINVAL);
  }
  std::optional<std::uint32_t> id;  // the first NFTA_GEN_ID; what follows it is not looked at
  const bool well_formed = ForEachNetlinkAttribute(
      payload.subspan(NLMSG_ALIGN(sizeof(nfgenmsg))),
      [&id](std::uint16_t type, std::span<const std::byte> value) {
        if (!id && (type & NLA_TYPE_MASK) == NFTA_GEN_ID && value.size() >= sizeof(std::uint32_t)) {
          id = ntohl(LoadUnaligned<std::uint32_t>(value));
        }
      });
  if (id) {
    return *id;
  }
  return well_formed ? Fail("nft generation: no NFTA_GEN_ID", EINVAL)
                     : Fail("nft generation: malformed attribute", EINVAL);
}

}  // namespace

std::vector<std::byte> BuildGetGenRequest(std::uint32_t sequence) {
  struct {
    nlmsghdr header;
    nfgenmsg body;
  } message{};

  static_assert(sizeof(message) == NLMSG_LENGTH(sizeof(nfgenmsg)));
  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = kGetGen;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.header.nlmsg_seq = sequence;
  message.body.nfgen_family = AF_UNSPEC;
  message.body.version = NFNETLINK_V0;
  return MessageBytes(message);
}

Result<std::uint32_t> ParseGenReply(std::span<const std::byte> reply, std::uint32_t sequence) {
  while (reply.size() >= sizeof(nlmsghdr)) {
    const auto header = LoadUnaligned<nlmsghdr>(reply);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > reply.size()) {
      return Fail("nft generation: truncated netlink message", EINVAL);
    }
    const auto payload = reply.subspan(sizeof(nlmsghdr), header.nlmsg_len - sizeof(nlmsghdr));
    if (header.nlmsg_seq == sequence) {
      if (header.nlmsg_type == NLMSG_ERROR) {
        const int status = payload.size() >= sizeof(int) ? LoadUnaligned<int>(payload) : -EINVAL;
        const int code = status < 0 && status > -4096 ? -status : EINVAL;
        return std::unexpected(ErrnoError(code, "nft generation: request"));
      }
      if (header.nlmsg_type == kNewGen) {
        return GenId(payload);
      }
    }
    reply = reply.subspan(std::min(NetlinkAlign(header.nlmsg_len), reply.size()));
  }
  return Fail("nft generation: no answer in reply", EINVAL);
}

Result<RulesetGeneration> ReadNftGeneration() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "socket(NETLINK_NETFILTER)"));
  }
  RulesetGeneration out;
  socklen_t length = sizeof(out.netns_cookie);
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_NETNS_COOKIE, &out.netns_cookie, &length) != 0) {
    return std::unexpected(ErrnoError(errno, "nft generation: SO_NETNS_COOKIE"));
  }
  // The kernel answers inside sendto(); the timeout only bounds a kernel that does not.
  const timeval timeout{1, 0};
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  constexpr std::uint32_t kSequence = 1;
  const auto request = BuildGetGenRequest(kSequence);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd.get(), request.data(), request.size(), 0,
               reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    return std::unexpected(ErrnoError(errno, "nft generation: send"));
  }
  alignas(nlmsghdr) std::byte buffer[1024];
  for (;;) {
    const ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, "nft generation: recv"));
    }
    auto id = ParseGenReply({buffer, static_cast<std::size_t>(n)}, kSequence);
    if (!id) {
      return std::unexpected(id.error());
    }
    out.id = *id;
    return out;
  }
}

}  // namespace portwarden::firewall
