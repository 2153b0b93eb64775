#include "agent/inventory/connection_counter.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

namespace portwarden::inventory {
namespace {

Listener MakeListener(const char* address, std::uint16_t port, std::uint64_t netns = 1) {
  Listener l;
  l.family = std::string(address).find(':') != std::string::npos ? AddressFamily::kIpv6
                                                                 : AddressFamily::kIpv4;
  l.address = address;
  l.port = port;
  l.netns_inode = netns;
  return l;
}

RawSocket Established(const char* local, std::uint16_t port, const char* peer) {
  RawSocket s;
  const bool v6 = std::string(local).find(':') != std::string::npos;
  s.family = v6 ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
  ::inet_pton(v6 ? AF_INET6 : AF_INET, local, s.address.data());
  ::inet_pton(v6 ? AF_INET6 : AF_INET, peer, s.peer.data());
  s.port = port;
  s.peer_port = 40000;
  return s;
}

std::array<std::uint32_t, 4> Counts(std::uint32_t lo, std::uint32_t priv, std::uint32_t pub) {
  return {lo, 0, priv, pub};
}

TEST(ConnectionCounterTest, CountsBySpecificBindThenWildcardAndPeerScope) {
  std::vector<Listener> listeners{MakeListener("0.0.0.0", 8443), MakeListener("127.0.0.1", 8443),
                                  MakeListener("::", 443), MakeListener("0.0.0.0", 22)};
  const std::vector<LocalPortRange> watched{{443, 443}, {8443, 8443}};
  ConnectionCounter counter(listeners, 1, watched, {});
  ASSERT_FALSE(counter.empty());
  const std::vector<RawSocket> batch{
      Established("127.0.0.1", 8443, "127.0.0.1"),            // the loopback bind
      Established("10.0.0.2", 8443, "198.18.0.1"),            // wildcard, benchmarking net
      Established("10.0.0.2", 8443, "1.1.1.1"),               // wildcard, public peer
      Established("::ffff:10.0.0.2", 443, "::ffff:8.8.8.8"),  // dual-stack [::], IPv4 peer
      Established("2001:db8::1", 443, "2606:4700::1"),        // IPv6 public
      Established("10.0.0.2", 9999, "8.8.8.8"),               // no listener: not counted
  };
  counter.Add(batch);
  EXPECT_EQ(counter.counted(), 5);
  EXPECT_EQ(listeners[0].connections, Counts(0, 1, 1)) << "198.18/15 is not global";
  EXPECT_EQ(listeners[1].connections, Counts(1, 0, 0));
  EXPECT_EQ(listeners[2].connections, Counts(0, 0, 2));
  EXPECT_FALSE(listeners[3].connections) << "port 22 is not watched";
}

TEST(ConnectionCounterTest, OtherNamespacesAndUdpAreLeftAlone) {
  std::vector<Listener> listeners{MakeListener("0.0.0.0", 8443, 2), MakeListener("0.0.0.0", 8443)};
  listeners[1].protocol = Protocol::kUdp;
  const std::vector<LocalPortRange> watched{{8443, 8443}};
  ConnectionCounter counter(listeners, 1, watched, {});
  EXPECT_TRUE(counter.empty());
  EXPECT_FALSE(listeners[0].connections);
}

TEST(ConnectionCounterTest, ForgetMakesTheCountsUnknown) {
  std::vector<Listener> listeners{MakeListener("0.0.0.0", 8443)};
  const std::vector<LocalPortRange> watched{{8443, 8443}};
  ConnectionCounter counter(listeners, 1, watched, {});
  EXPECT_EQ(listeners[0].connections, Counts(0, 0, 0));
  counter.Forget();
  EXPECT_FALSE(listeners[0].connections);
}

TEST(ConnectionCounterTest, PortWatched) {
  const std::vector<LocalPortRange> ranges{{443, 443}, {8000, 8100}};
  EXPECT_TRUE(PortWatched(ranges, 443));
  EXPECT_TRUE(PortWatched(ranges, 8050));
  EXPECT_FALSE(PortWatched(ranges, 444));
}

// The in-kernel tracker's counts land where the dump's sockets would: the specific bind,
// else the wildcard; unknown local ends and non-positive counts add nothing.
TEST(ConnectionCounterTest, AddCountedPlacesTrackerCountsLikeTheDump) {
  std::vector<Listener> listeners{MakeListener("0.0.0.0", 8443), MakeListener("127.0.0.1", 8443),
                                  MakeListener("::", 443)};
  const std::vector<LocalPortRange> watched{{443, 443}, {8443, 8443}};
  ConnectionCounter counter(listeners, 1, watched, {});
  EXPECT_EQ(counter.Ports(), (std::set<std::uint16_t>{443, 8443}));
  const auto local = [](const char* text) {
    std::array<std::uint8_t, 16> bytes{};
    const bool v6 = std::string(text).find(':') != std::string::npos;
    ::inet_pton(v6 ? AF_INET6 : AF_INET, text, bytes.data());
    return bytes;
  };
  counter.AddCounted(AddressFamily::kIpv4, 8443, local("127.0.0.1"), Scope::kLoopback, 2);
  counter.AddCounted(AddressFamily::kIpv4, 8443, local("10.0.0.2"), Scope::kPublic, 3);
  counter.AddCounted(AddressFamily::kIpv6, 443, local("::ffff:10.0.0.2"), Scope::kPrivate, 1);
  counter.AddCounted(AddressFamily::kIpv4, 443, local("10.0.0.2"), Scope::kPublic,
                     5);  // no v4 listener
  counter.AddCounted(AddressFamily::kIpv4, 8443, local("10.0.0.3"), Scope::kPublic, 0);
  counter.AddCounted(AddressFamily::kIpv4, 8443, local("10.0.0.3"), Scope::kPublic, -1);
  EXPECT_EQ(counter.counted(), 6);
  EXPECT_EQ(listeners[0].connections, Counts(0, 0, 3));
  EXPECT_EQ(listeners[1].connections, Counts(2, 0, 0));
  EXPECT_EQ(listeners[2].connections, Counts(0, 1, 0));
}

}  // namespace
}  // namespace portwarden::inventory
