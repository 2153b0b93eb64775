#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "agent/inventory/netlink_socket_source.h"
#include "agent/inventory/proc_net_socket_source.h"

namespace portwarden::inventory {
namespace {

// Mock (labelled): a netlink source that fails like a kernel without udp_diag. A real kernel
// without the module cannot be produced inside the test.
class FailingSource : public SocketSource {
 public:
  Result<std::vector<RawSocket>> Dump(Protocol protocol) override {
    if (protocol == Protocol::kUdp) {
      return Fail("inet_diag: request: No such file or directory", ENOENT);
    }
    return std::vector<RawSocket>{};
  }

  const char* Mechanism() const override { return "netlink"; }
};

class UdpSocket {
 public:
  UdpSocket() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }

  ~UdpSocket() { ::close(fd_); }

  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

bool HasPort(const std::vector<RawSocket>& sockets, std::uint16_t port) {
  return std::any_of(sockets.begin(), sockets.end(),
                     [&](const RawSocket& s) { return s.port == port; });
}

TEST(FallbackSocketSourceTest, FallsBackPerProtocolToProcNet) {
  UdpSocket udp;
  FallbackSocketSource source(std::make_unique<FailingSource>(),
                              std::make_unique<ProcNetSocketSource>("/proc/self/net"), "host");
  ASSERT_TRUE(source.Dump(Protocol::kTcp));
  EXPECT_FALSE(source.fallback_active());
  auto sockets = source.Dump(Protocol::kUdp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  EXPECT_TRUE(source.fallback_active());
  EXPECT_STREQ(source.Mechanism(), "proc");
  EXPECT_TRUE(HasPort(*sockets, udp.port()));
}

TEST(FallbackSocketSourceTest, NoNetlinkAtAllUsesProc) {
  UdpSocket udp;
  FallbackSocketSource source(nullptr, std::make_unique<ProcNetSocketSource>("/proc/self/net"),
                              "host");
  auto sockets = source.Dump(Protocol::kUdp);
  ASSERT_TRUE(sockets);
  EXPECT_TRUE(HasPort(*sockets, udp.port()));
  EXPECT_TRUE(source.fallback_active());
}

TEST(NetlinkSocketSourceTest, SeesARealUdpSocket) {
  UdpSocket udp;
  auto source = NetlinkSocketSource::Open();
  ASSERT_TRUE(source) << source.error().message;
  auto sockets = (*source)->Dump(Protocol::kUdp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  EXPECT_TRUE(HasPort(*sockets, udp.port()));
}

}  // namespace
}  // namespace portwarden::inventory
