#include "agent/probe/tcp_connect.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "agent/core/log.h"
#include "agent/probe/failure_reason.h"

namespace portwarden::probe {
namespace {

PhaseError SystemError(std::string_view reason, std::string_view what, int err) {
  return PhaseError{reason, std::string(what) + ": " + std::strerror(err)};
}

PhaseResult<UniqueFd> NewSocket(int family) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!fd.valid()) {
    return std::unexpected(SystemError(failure::kConnectError, "socket", errno));
  }
  return fd;
}

/// Creates the socket inside `netns_path`, then returns this thread to its own namespace.
PhaseResult<UniqueFd> NewSocketInNetns(int family, const std::string& netns_path) {
  UniqueFd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  UniqueFd target(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!own.valid() || !target.valid()) {
    return std::unexpected(SystemError(failure::kNetns, "open " + netns_path, errno));
  }
  if (::setns(target.get(), CLONE_NEWNET) != 0) {
    const bool denied = errno == EPERM;  // no CAP_SYS_ADMIN, or RestrictNamespaces=
    return std::unexpected(SystemError(
        failure::kNetns,
        (denied ? "cannot enter the listener's network namespace to connect (inventoried "
                  "through /proc instead): setns "
                : "setns ") +
            netns_path,
        errno));
  }
  auto fd = NewSocket(family);
  if (::setns(own.get(), CLONE_NEWNET) != 0) {
    log::Error("cannot return probe thread to its network namespace",
               {{"err", std::strerror(errno)}});
  }
  return fd;
}

}  // namespace

PhaseResult<UniqueFd> OpenTcpSocket(int family, const std::string& netns_path) {
  return netns_path.empty() ? NewSocket(family) : NewSocketInNetns(family, netns_path);
}

bool WaitFd(int fd, short events, const ProbeDeadline& deadline) {
  while (!deadline.Cancelled()) {
    const int slice = deadline.PollSliceMs();
    if (slice <= 0) {
      return false;
    }
    pollfd item{fd, events, 0};
    const int rc = ::poll(&item, 1, slice);
    if (rc > 0) {
      return true;
    }
    if (rc < 0 && errno != EINTR) {
      return false;
    }
  }
  return false;
}

PhaseResult<UniqueFd> StartConnect(const ResolvedAddress& address, const std::string& netns_path) {
  const int family = address.storage.ss_family;
  auto fd = OpenTcpSocket(family, netns_path);
  if (!fd) {
    return fd;
  }
  const auto* target = reinterpret_cast<const sockaddr*>(&address.storage);
  if (::connect(fd->get(), target, address.length) != 0 && errno != EINPROGRESS) {
    const int err = errno;
    return std::unexpected(SystemError(
        err == ECONNREFUSED ? failure::kConnectRefused : failure::kConnectError, "connect", err));
  }
  return fd;
}

std::optional<PhaseError> FinishConnect(int fd) {
  int err = 0;
  socklen_t length = sizeof(err);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &length);
  if (err != 0) {
    // ECONNRESET: the peer completed the TCP handshake, then reset it before we could speak.
    const std::string_view reason = err == ECONNREFUSED ? failure::kConnectRefused
                                    : err == ECONNRESET ? failure::kConnectReset
                                                        : failure::kConnectError;
    return SystemError(reason, "connect", err);
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return std::nullopt;
}

PhaseError ConnectTimeout(const ProbeDeadline& deadline) {
  return {deadline.Cancelled() ? failure::kCancelled : failure::kConnectTimeout,
          "connect: no answer before the deadline"};
}

PhaseResult<UniqueFd> ConnectTcp(const ResolvedAddress& address,
                                 const std::string& netns_path,
                                 const ProbeDeadline& deadline) {
  auto fd = StartConnect(address, netns_path);
  if (!fd) {
    return fd;
  }
  if (!WaitFd(fd->get(), POLLOUT, deadline)) {
    return std::unexpected(ConnectTimeout(deadline));
  }
  if (auto error = FinishConnect(fd->get())) {
    return std::unexpected(std::move(*error));
  }
  return fd;
}

}  // namespace portwarden::probe
