#include "exporters/http/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/config/host_port.h"

namespace portwarden::exporters::http {
namespace {

std::string BoundAddress(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    return "?";
  }
  char host[NI_MAXHOST] = {};
  char port[NI_MAXSERV] = {};
  ::getnameinfo(reinterpret_cast<sockaddr*>(&address), size, host, sizeof host, port, sizeof port,
                NI_NUMERICHOST | NI_NUMERICSERV);
  return config::JoinHostPort(host, static_cast<std::uint16_t>(std::atoi(port)));
}

int BindOne(const addrinfo& info) {
  const int fd =
      ::socket(info.ai_family, info.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, info.ai_protocol);
  if (fd < 0) {
    return -1;
  }
  const int yes = 1;
  const int no = 0;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (info.ai_family == AF_INET6) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
  }
  if (::bind(fd, info.ai_addr, info.ai_addrlen) != 0 || ::listen(fd, kListenBacklog) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

// Binds the first address `address` resolves to that accepts a socket.
Result<ListenSocket> ListenOn(const std::string& text, const ListenAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (const int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Fail("cannot listen on \"" + text + "\": " + gai_strerror(rc));
  }
  int fd = -1;
  int error = 0;
  for (const addrinfo* info = found; info != nullptr && fd < 0; info = info->ai_next) {
    fd = BindOne(*info);
    error = fd < 0 ? errno : 0;
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    return Fail("cannot listen on \"" + text + "\": bind failed: " + std::strerror(error), error);
  }
  return ListenSocket{fd, BoundAddress(fd)};
}

}  // namespace

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  auto parsed = config::SplitListenAddress(text);  // what --config.check validates
  if (!parsed) {
    return Fail("listen address: " + parsed.error().message);
  }
  // ":port" = every address, IPv4 and IPv6 (a dual-stack socket).
  return ListenAddress{parsed->host.empty() ? "::" : parsed->host, parsed->port};
}

Result<ListenSocket> Listen(const std::string& text) {
  auto address = ParseListenAddress(text);
  if (!address) {
    return std::unexpected(address.error());
  }
  auto socket = ListenOn(text, *address);
  if (!socket && socket.error().code == EAFNOSUPPORT && text.starts_with(':')) {
    // ":port" on a host without IPv6: every IPv4 address instead.
    socket = ListenOn(text, ListenAddress{"0.0.0.0", address->port});
  }
  return socket;
}

}  // namespace portwarden::exporters::http
