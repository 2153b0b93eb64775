// Resolve() without a network: IP literals, family filters, cancellation, /etc/hosts names.
// (A resolver that never answers is tested end to end in tests/integration/probe.)
#include "agent/probe/address_resolution.h"

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

using config::IpFamily;
using std::chrono::steady_clock;

ProbeDeadline In(std::chrono::milliseconds left, const std::atomic<bool>* cancelled = nullptr) {
  return ProbeDeadline{steady_clock::now() + left, cancelled};
}

TEST(ResolverTest, IpLiteralsNeedNoLookupAndNoTime) {
  // A deadline already passed: a literal is converted without asking any resolver.
  const ProbeDeadline passed = In(std::chrono::milliseconds(-1));
  auto v4 = Resolve("127.0.0.1", 443, IpFamily::kAny, 4, passed);
  ASSERT_TRUE(v4) << v4.error().detail;
  ASSERT_EQ(v4->size(), 1U);
  EXPECT_EQ((*v4)[0].text, "127.0.0.1:443");
  auto v6 = Resolve("::1", 8443, IpFamily::kIpv6, 4, passed);
  ASSERT_TRUE(v6) << v6.error().detail;
  ASSERT_EQ(v6->size(), 1U);
  EXPECT_EQ((*v6)[0].text, "[::1]:8443");
  EXPECT_EQ((*v6)[0].storage.ss_family, AF_INET6);
}

TEST(ResolverTest, LiteralOfTheWrongFamilyIsADnsFailure) {
  auto wrong = Resolve("127.0.0.1", 443, IpFamily::kIpv6, 4, In(std::chrono::seconds(5)));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().reason, "dns");
  EXPECT_EQ(wrong.error().detail, "127.0.0.1: address family not allowed by ip_family");
  wrong = Resolve("::1", 443, IpFamily::kIpv4, 4, In(std::chrono::seconds(5)));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().reason, "dns");
}

TEST(ResolverTest, NameFromHostsFileResolvesWithThePort) {
  auto local = Resolve("localhost", 8443, IpFamily::kIpv4, 4, In(std::chrono::seconds(5)));
  ASSERT_TRUE(local) << local.error().detail;
  ASSERT_FALSE(local->empty());
  EXPECT_EQ((*local)[0].text, "127.0.0.1:8443");
}

TEST(ResolverTest, CancelledProbeDoesNotStartALookup) {
  const std::atomic<bool> cancelled{true};
  const auto start = steady_clock::now();
  auto name = Resolve("localhost", 443, IpFamily::kAny, 4, In(std::chrono::seconds(5), &cancelled));
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().reason, "cancelled");
  EXPECT_LT(steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace portwarden::probe
