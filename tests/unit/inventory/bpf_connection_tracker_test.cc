// BpfConnectionTracker against the running kernel (root or CAP_BPF + CAP_PERFMON): real
// loopback connections in the test's own namespace, on a port chosen at run time, counted
// by the seeding iterator (before Watch) and by the tracepoint (after), then uncounted.
#include "agent/inventory/bpf_connection_tracker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agent/core/unique_fd.h"
#include "tests/lib/privilege.h"

namespace portwarden::inventory {
namespace {

struct Loopback {
  UniqueFd server;
  std::uint16_t port = 0;
  std::vector<UniqueFd> ends;  // clients and accepted sockets

  Loopback() : server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    EXPECT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&address), size), 0);
    EXPECT_EQ(::listen(server.get(), 16), 0);
    ::getsockname(server.get(), reinterpret_cast<sockaddr*>(&address), &size);
    port = ntohs(address.sin_port);
  }

  void Connect(int n) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    for (int i = 0; i < n; ++i) {
      UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
      ends.emplace_back(std::move(client));
      ends.emplace_back(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
    }
  }
};

std::uint64_t OwnNamespace() {
  struct stat st {};

  ::stat("/proc/thread-self/ns/net", &st);
  return st.st_ino;
}

// The established sockets counted on `port`, by scope, summed over local addresses.
std::int64_t Counted(const BpfConnectionTracker& tracker, std::uint16_t port, Scope scope) {
  const auto counts = tracker.Read();
  if (!counts) {
    ADD_FAILURE() << counts.error().message;
    return -1;
  }
  std::int64_t total = 0;
  for (const auto& [key, n] : *counts) {
    if (key.port == port && key.netns == static_cast<std::uint32_t>(OwnNamespace()) &&
        key.scope == static_cast<std::uint8_t>(scope)) {
      total += n;
    }
  }
  return total;
}

TEST(BpfConnectionTrackerTest, SeedsCountsEventsAndUncounts) {
  auto tracker = BpfConnectionTracker::Create(1024, {});
  if (!tracker) {
    PORTWARDEN_SKIP_UNPRIVILEGED(tracker.error().message);
  }
  Loopback loopback;
  loopback.Connect(2);  // before the port is watched: found by the seeding pass
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), "/proc/thread-self/ns/net", {loopback.port}));
  EXPECT_EQ((*tracker)->seeds(), 1);
  EXPECT_EQ(Counted(**tracker, loopback.port, Scope::kLoopback), 2);
  loopback.Connect(3);  // after: counted by the tracepoint, once each
  EXPECT_EQ(Counted(**tracker, loopback.port, Scope::kLoopback), 5);
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), "/proc/thread-self/ns/net", {loopback.port}));
  EXPECT_EQ((*tracker)->seeds(), 1) << "nothing new to seed";
  loopback.ends.erase(loopback.ends.begin(), loopback.ends.begin() + 4);  // two connections
  EXPECT_EQ(Counted(**tracker, loopback.port, Scope::kLoopback), 3);
  loopback.ends.clear();
  EXPECT_EQ(Counted(**tracker, loopback.port, Scope::kLoopback), 0);
  EXPECT_EQ((*tracker)->overflows(), 0U);
}

// IPv6 and IPv4-mapped peers of a dual-stack [::] listener: family AF_INET6, the local
// address as the socket has it, the peer classified (both loopback).
TEST(BpfConnectionTrackerTest, CountsIpv6AndMappedPeersOfADualStackListener) {
  auto tracker = BpfConnectionTracker::Create(1024, {});
  if (!tracker) {
    PORTWARDEN_SKIP_UNPRIVILEGED(tracker.error().message);
  }
  UniqueFd server(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int off = 0;
  ::setsockopt(server.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  socklen_t size = sizeof(address);
  ASSERT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&address), size), 0);
  ASSERT_EQ(::listen(server.get(), 8), 0);
  ::getsockname(server.get(), reinterpret_cast<sockaddr*>(&address), &size);
  const std::uint16_t port = ntohs(address.sin6_port);
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), "/proc/thread-self/ns/net", {port}));
  std::vector<UniqueFd> ends;
  for (const char* peer : {"::1", "127.0.0.1"}) {
    const bool v6 = std::string(peer) == "::1";
    UniqueFd client(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_storage to{};
    socklen_t to_size = 0;
    if (v6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&to);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      ::inet_pton(AF_INET6, peer, &in6->sin6_addr);
      to_size = sizeof(sockaddr_in6);
    } else {
      auto* in4 = reinterpret_cast<sockaddr_in*>(&to);
      in4->sin_family = AF_INET;
      in4->sin_port = htons(port);
      ::inet_pton(AF_INET, peer, &in4->sin_addr);
      to_size = sizeof(sockaddr_in);
    }
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&to), to_size), 0) << peer;
    ends.emplace_back(std::move(client));
    ends.emplace_back(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
  }
  const auto counts = (*tracker)->Read();
  ASSERT_TRUE(counts);
  std::array<std::uint8_t, 16> loopback6{};
  loopback6[15] = 1;
  std::array<std::uint8_t, 16> mapped{};
  mapped[10] = mapped[11] = 0xff;
  mapped[12] = 127;
  mapped[15] = 1;
  int v6_seen = 0;
  int mapped_seen = 0;
  for (const auto& [key, n] : *counts) {
    if (key.port != port || n == 0) {
      continue;
    }
    EXPECT_EQ(key.family, AF_INET6);
    EXPECT_EQ(key.scope, static_cast<std::uint8_t>(Scope::kLoopback));
    v6_seen += key.local == loopback6 ? static_cast<int>(n) : 0;
    mapped_seen += key.local == mapped ? static_cast<int>(n) : 0;
  }
  EXPECT_EQ(v6_seen, 1);
  EXPECT_EQ(mapped_seen, 1);
}

TEST(BpfConnectionTrackerTest, RefusedInsertsAreOverflows) {
  auto tracker = BpfConnectionTracker::Create(1, {});
  if (!tracker) {
    PORTWARDEN_SKIP_UNPRIVILEGED(tracker.error().message);
  }
  Loopback loopback;
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), "/proc/thread-self/ns/net", {loopback.port}));
  loopback.Connect(3);
  EXPECT_EQ(Counted(**tracker, loopback.port, Scope::kLoopback), 1);
  EXPECT_EQ((*tracker)->overflows(), 2U);
}

TEST(BpfConnectionTrackerTest, UnwatchedPortsAreNotCounted) {
  auto tracker = BpfConnectionTracker::Create(1024, {});
  if (!tracker) {
    PORTWARDEN_SKIP_UNPRIVILEGED(tracker.error().message);
  }
  Loopback loopback;
  loopback.Connect(1);
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), "/proc/thread-self/ns/net", {}));
  EXPECT_EQ((*tracker)->seeds(), 0);
  EXPECT_EQ(Counted(**tracker, loopback.port, Scope::kLoopback), 0);
}

// Connections to distinct 127/8 addresses of a wildcard listener, one at a time: a count
// key each. Once the port is unwatched, the zero keys are deleted at the second Retain().
TEST(BpfConnectionTrackerTest, ZeroCountsOfUnwatchedPortsAreDeleted) {
  auto tracker = BpfConnectionTracker::Create(1024, {});
  if (!tracker) {
    PORTWARDEN_SKIP_UNPRIVILEGED(tracker.error().message);
  }
  UniqueFd server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  socklen_t size = sizeof(address);
  ASSERT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&address), size), 0);
  ASSERT_EQ(::listen(server.get(), 16), 0);
  ::getsockname(server.get(), reinterpret_cast<sockaddr*>(&address), &size);
  const std::uint16_t port = ntohs(address.sin_port);
  const std::string own = "/proc/thread-self/ns/net";
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), own, {port}));
  const auto keys = [&] {
    const auto counts = (*tracker)->Read();
    if (!counts) {
      ADD_FAILURE() << counts.error().message;
      return -1;
    }
    int n = 0;
    for (const auto& entry : *counts) {
      n += entry.first.port == port ? 1 : 0;
    }
    return n;
  };
  constexpr int kAddresses = 300;
  for (int i = 0; i < kAddresses; ++i) {
    address.sin_addr.s_addr = htonl((127U << 24) | static_cast<std::uint32_t>(2 + i));
    UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    const UniqueFd accepted(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
  }
  (*tracker)->Retain({OwnNamespace()});
  EXPECT_EQ(keys(), kAddresses) << "zero counts of a watched port stay";
  ASSERT_TRUE((*tracker)->Watch(OwnNamespace(), own, {}));
  (*tracker)->Retain({OwnNamespace()});
  EXPECT_EQ(keys(), kAddresses) << "unwatched one scan only: a program may still add";
  (*tracker)->Retain({OwnNamespace()});
  EXPECT_EQ(keys(), 0);
  EXPECT_EQ((*tracker)->overflows(), 0U);
}

}  // namespace
}  // namespace portwarden::inventory
