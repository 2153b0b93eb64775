#include "agent/probe/group_probe.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <openssl/rand.h>

#include "agent/probe/client_hello.h"
#include "agent/probe/key_share.h"
#include "agent/probe/tcp_connect.h"

namespace portwarden::probe {
namespace {

constexpr std::uint16_t kTls13 = 0x0304;
constexpr std::uint8_t kProtocolVersionAlert = 70;

GroupVerdict Unknown(const groups::Group& group, std::string_view reason, std::string detail) {
  return {std::string(group.name), std::nullopt, std::string(reason), std::move(detail)};
}

GroupVerdict Known(const groups::Group& group, bool supported, std::string detail) {
  return {std::string(group.name), supported, "", std::move(detail)};
}

std::string GroupText(std::uint16_t codepoint) {
  if (auto known = groups::FindByCodepoint(codepoint)) {
    return std::string(known->name);
  }
  char text[8];
  std::snprintf(text, sizeof(text), "0x%04x", codepoint);
  return text;
}

std::string_view TimeoutReason(const ProbeDeadline& deadline) {
  return deadline.Cancelled() ? group_failure::kCancelled : group_failure::kTimeout;
}

/// Writes all of `bytes` to the non-blocking `fd` before the deadline.
bool SendAll(int fd, std::span<const std::uint8_t> bytes, const ProbeDeadline& deadline) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFd(fd, POLLOUT, deadline)) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

/// Reads until the reply parses (or fails to), the peer closes, the buffer cap is reached or
/// the deadline passes: a peer that floods fills the cap and stops; one that stalls or
/// trickles meets the deadline.
GroupVerdict ReadVerdict(const groups::Group& group, int fd, const ProbeDeadline& deadline) {
  std::vector<std::uint8_t> buffer(hello::kMaxServerReplyBytes);
  std::size_t filled = 0;
  while (true) {
    if (!WaitFd(fd, POLLIN, deadline)) {
      return Unknown(group, TimeoutReason(deadline), "no complete reply before the deadline");
    }
    const ssize_t got = ::recv(fd, buffer.data() + filled, buffer.size() - filled, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
      continue;
    }
    if (got <= 0) {
      return Unknown(group, group_failure::kClosed,
                     got == 0 ? "connection closed without a reply"
                              : std::string("recv: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(got);
    const auto reply = hello::ParseServerReply({buffer.data(), filled});
    if (reply || !reply.error().incomplete) {
      return JudgeReply(group, reply);
    }
    if (filled == buffer.size()) {
      return Unknown(group, group_failure::kMalformed, "reply larger than the cap");
    }
  }
}

}  // namespace

GroupVerdict JudgeReply(const groups::Group& offered,
                        const std::expected<hello::ServerReply, hello::ReplyError>& reply) {
  if (!reply) {
    return Unknown(offered, group_failure::kMalformed, reply.error().reason);
  }
  if (reply->kind == hello::ReplyKind::kAlert) {
    const std::string detail = "alert " + std::to_string(reply->alert_description);
    if (reply->alert_description == kProtocolVersionAlert) {
      return Unknown(offered, group_failure::kNoTls13, detail + " (protocol_version)");
    }
    return Known(offered, false, detail);
  }
  if (reply->selected_version != kTls13) {
    return Unknown(offered, group_failure::kNoTls13, "the server chose a version below TLS 1.3");
  }
  if (!reply->group) {
    return Unknown(offered, group_failure::kMalformed, "TLS 1.3 reply without key_share");
  }
  const bool hrr = reply->kind == hello::ReplyKind::kHelloRetryRequest;
  const std::string what = (hrr ? "HelloRetryRequest for " : "ServerHello with ");
  if (*reply->group != offered.codepoint) {
    return Known(offered, false, what + GroupText(*reply->group) + " (not offered)");
  }
  return Known(offered, true, what + std::string(offered.name));
}

GroupVerdict ProbeGroup(const groups::Group& group,
                        const ResolvedAddress& address,
                        const std::string& netns_path,
                        const std::string& server_name,
                        const ProbeDeadline& deadline) {
  auto share = groups::SharedKeyShare(group);
  if (!share) {
    return Unknown(group, group_failure::kLocal, share.error().message);
  }
  hello::ClientHelloSpec spec;
  spec.group = group.codepoint;
  spec.key_share = **share;
  spec.server_name = IsIpLiteral(server_name) ? std::string_view() : server_name;
  if (RAND_bytes(spec.random.data(), spec.random.size()) != 1 ||
      RAND_bytes(spec.session_id.data(), spec.session_id.size()) != 1) {
    return Unknown(group, group_failure::kLocal, "RAND_bytes failed");
  }
  auto fd = ConnectTcp(address, netns_path, deadline);
  if (!fd) {
    return Unknown(group, fd.error().reason, fd.error().detail);
  }
  if (!SendAll(fd->get(), hello::BuildClientHello(spec), deadline)) {
    return deadline.Expired() || deadline.Cancelled()
               ? Unknown(group, TimeoutReason(deadline), "ClientHello not sent before the deadline")
               : Unknown(group, group_failure::kClosed,
                         std::string("send: ") + std::strerror(errno));
  }
  return ReadVerdict(group, fd->get(), deadline);
}

std::vector<GroupVerdict> ProbeGroups(const ResolvedAddress& address,
                                      const std::string& netns_path,
                                      const std::string& server_name,
                                      const ProbeDeadline& deadline) {
  std::vector<GroupVerdict> verdicts;
  for (const groups::Group& group : groups::All()) {
    if (deadline.Expired() || deadline.Cancelled()) {
      verdicts.push_back(
          Unknown(group, TimeoutReason(deadline), "not probed: the deadline had passed"));
      continue;
    }
    verdicts.push_back(ProbeGroup(group, address, netns_path, server_name, deadline));
  }
  return verdicts;
}

}  // namespace portwarden::probe
