// Captures one raw NETLINK_SOCK_DIAG listener dump to a file, byte for byte, so the parser
// can be tested on real kernel output (the trick `ss` uses with TCPDIAG_FILE).
//   capture_inet_diag tcp|udp 4|6 OUTPUT
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "agent/inventory/inet_diag_parser.h"

namespace inv = portwarden::inventory;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s tcp|udp 4|6 OUTPUT\n", argv[0]);
    return 2;
  }
  const bool tcp = std::strcmp(argv[1], "tcp") == 0;
  const int family = std::strcmp(argv[2], "6") == 0 ? AF_INET6 : AF_INET;
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    std::perror("socket");
    return 1;
  }
  const auto request =
      inv::BuildInetDiagRequest(static_cast<std::uint8_t>(family), tcp ? IPPROTO_TCP : IPPROTO_UDP,
                                tcp ? inv::kTcpfListen : inv::kTcpfClose, 1);
  if (::send(fd, request.data(), request.size(), 0) < 0) {
    std::perror("send");
    return 1;
  }
  std::ofstream out(argv[3], std::ios::binary);
  std::vector<std::byte> buffer(64 * 1024);
  const auto protocol = tcp ? portwarden::Protocol::kTcp : portwarden::Protocol::kUdp;
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) {
      std::perror("recv");
      return 1;
    }
    out.write(reinterpret_cast<const char*>(buffer.data()), n);
    std::vector<inv::RawSocket> ignored;
    auto done =
        inv::ParseInetDiagBatch({buffer.data(), static_cast<std::size_t>(n)}, protocol, ignored);
    if (!done || *done) {
      break;
    }
  }
  ::close(fd);
  return 0;
}
