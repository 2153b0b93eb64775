#include "agent/inventory/listener_builder.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

namespace portwarden::inventory {
namespace {

RawSocket Socket(Protocol proto, const char* address, std::uint16_t port, std::uint64_t inode) {
  RawSocket socket;
  socket.protocol = proto;
  if (::inet_pton(AF_INET, address, socket.address.data()) != 1) {
    socket.family = AddressFamily::kIpv6;
    ::inet_pton(AF_INET6, address, socket.address.data());
  }
  socket.port = port;
  socket.inode = inode;
  return socket;
}

NamespaceDump Dump(const std::string& label, std::uint64_t inode) {
  NamespaceDump dump;
  dump.netns = {inode, label, "/proc/1/ns/net", "/proc/1/net", {}};
  IpAddress lo;
  ::inet_pton(AF_INET, "127.0.0.1", lo.bytes.data());
  IpAddress eth;
  ::inet_pton(AF_INET, "192.168.7.2", eth.bytes.data());
  dump.interfaces.names = {{1, "lo"}, {2, "eth0"}};
  dump.interfaces.addresses = {{"lo", 1, lo}, {"eth0", 2, eth}};
  return dump;
}

TEST(ListenerBuilderTest, MergesReusePortSocketsAndSorts) {
  auto host = Dump("host", 1);
  host.sockets = {
      Socket(Protocol::kUdp, "0.0.0.0", 53, 10), Socket(Protocol::kTcp, "127.0.0.1", 8080, 11),
      Socket(Protocol::kTcp, "127.0.0.1", 8080, 12), Socket(Protocol::kTcp, "0.0.0.0", 22, 13)};
  host.sockets[1].ifindex = 0;
  auto other = Dump("net:[5]", 5);
  other.sockets = {Socket(Protocol::kTcp, "::", 80, 20)};
  other.sockets[0].v6only = false;
  const std::vector<NamespaceDump> dumps{other, host};
  Attribution owners;
  owners.sockets = {{11, {7, 1}}, {12, {9, 1}}};
  owners.processes = {{7, {7, "web", "/w", "web.service", 0}},
                      {9, {9, "web", "/w", "web.service", 0}}};
  const auto listeners = BuildListeners(dumps, owners, {});
  ASSERT_EQ(listeners.size(), 4U);
  EXPECT_EQ(listeners[0].netns, "host");
  EXPECT_EQ(listeners[0].address, "0.0.0.0");
  EXPECT_EQ(listeners[0].port, 22);
  EXPECT_EQ(listeners[0].scope, Scope::kPrivate);  // widest of 127.0.0.1 and 192.168.7.2
  EXPECT_EQ(listeners[1].port, 8080);
  EXPECT_EQ(listeners[1].socket_count, 2);
  EXPECT_EQ(listeners[1].inodes, (std::vector<std::uint64_t>{11, 12}));
  EXPECT_EQ(listeners[1].process.pid, 7);  // lowest pid is the canonical owner
  EXPECT_EQ(listeners[1].scope, Scope::kLoopback);
  EXPECT_EQ(listeners[2].protocol, Protocol::kUdp);
  EXPECT_EQ(listeners[3].netns, "net:[5]");
  EXPECT_EQ(listeners[3].netns_inode, 5U);
  EXPECT_EQ(listeners[3].family, AddressFamily::kIpv6);
  EXPECT_EQ(listeners[3].scope, Scope::kPrivate);  // dual-stack: covers the IPv4 addresses
  ASSERT_TRUE(listeners[3].v6only.has_value());
  EXPECT_FALSE(*listeners[3].v6only);
}

TEST(ListenerBuilderTest, BoundDeviceNamesAndNarrowsScope) {
  auto host = Dump("host", 1);
  host.sockets = {Socket(Protocol::kUdp, "0.0.0.0", 67, 1)};
  host.sockets[0].ifindex = 1;
  const std::vector<NamespaceDump> dumps{host};
  const auto listeners = BuildListeners(dumps, {}, {});
  ASSERT_EQ(listeners.size(), 1U);
  EXPECT_EQ(listeners[0].interface, "lo");
  EXPECT_EQ(listeners[0].scope, Scope::kLoopback);
  EXPECT_EQ(listeners[0].process.pid, 0);
}

}  // namespace
}  // namespace portwarden::inventory
