// BpfConnectionTracker against the running kernel (root or CAP_BPF + CAP_PERFMON): real
// loopback connections in the test's own namespace, on a port chosen at run time, counted
// by the seeding iterator (before Watch) and by the tracepoint (after), then uncounted.
#include "agent/inventory/bpf_connection_tracker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace
}  // namespace portwarden::inventory
