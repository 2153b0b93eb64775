#include "agent/inventory/scope.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include "agent/config/cidr.h"

namespace portwarden::inventory {
namespace {

IpAddress Ip(const char* text) {
  IpAddress address;
  if (::inet_pton(AF_INET, text, address.bytes.data()) == 1) {
    return address;
  }
  address.family = AddressFamily::kIpv6;
  EXPECT_EQ(::inet_pton(AF_INET6, text, address.bytes.data()), 1) << text;
  return address;
}

config::Cidr MakeCidr(const char* text, int length) {
  const IpAddress ip = Ip(text);
  config::Cidr cidr;
  cidr.family = ip.family;
  std::copy(ip.bytes.begin(), ip.bytes.end(), cidr.bytes);
  cidr.prefix_length = length;
  cidr.text = text;
  return cidr;
}

struct Case {
  const char* address;
  Scope scope;
};

TEST(ScopeTest, IanaSpecialPurposeRegistries) {
  const Case cases[] = {
      {"127.0.0.1", Scope::kLoopback},
      {"127.255.0.9", Scope::kLoopback},
      {"::1", Scope::kLoopback},
      {"169.254.1.1", Scope::kLinkLocal},
      {"fe80::1", Scope::kLinkLocal},
      {"10.1.2.3", Scope::kPrivate},
      {"172.16.0.1", Scope::kPrivate},
      {"172.31.255.255", Scope::kPrivate},
      {"172.32.0.1", Scope::kPublic},
      {"192.168.1.1", Scope::kPrivate},
      {"100.64.0.1", Scope::kPrivate},
      {"100.127.255.255", Scope::kPrivate},
      {"100.128.0.1", Scope::kPublic},
      {"192.0.2.10", Scope::kPrivate},
      {"198.51.100.7", Scope::kPrivate},
      {"203.0.113.1", Scope::kPrivate},
      {"198.18.0.1", Scope::kPrivate},
      {"198.19.255.1", Scope::kPrivate},
      {"198.20.0.1", Scope::kPublic},
      {"240.0.0.1", Scope::kPrivate},
      {"192.0.0.8", Scope::kPrivate},
      {"8.8.8.8", Scope::kPublic},
      {"1.1.1.1", Scope::kPublic},
      {"fd12:3456::1", Scope::kPrivate},
      {"fc00::1", Scope::kPrivate},
      {"2001:db8::1", Scope::kPrivate},
      {"3fff::1", Scope::kPrivate},
      {"2001:2::1", Scope::kPrivate},
      {"2001:4:112::1", Scope::kPublic},
      {"2001:20::1", Scope::kPublic},
      {"100::1", Scope::kPrivate},
      {"64:ff9b:1::1", Scope::kPrivate},
      {"2a00:1450::1", Scope::kPublic},
      {"::ffff:10.0.0.1", Scope::kPrivate},
      {"::ffff:127.0.0.1", Scope::kLoopback},
      {"::ffff:8.8.4.4", Scope::kPublic},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ClassifyAddress(Ip(c.address)), c.scope) << c.address;
  }
}

std::vector<InterfaceAddress> HostAddresses() {
  return {{"lo", 1, Ip("127.0.0.1")},
          {"lo", 1, Ip("::1")},
          {"eth0", 2, Ip("10.0.0.5")},
          {"eth1", 3, Ip("fe80::2")},
          {"eth1", 3, Ip("2a00:1450::5")}};
}

TEST(ScopeTest, WildcardTakesWidestInterfaceScope) {
  const auto addresses = HostAddresses();
  // IPv4 wildcard sees only IPv4 addresses: lo + 10.0.0.5 -> private.
  EXPECT_EQ(BindScope(Ip("0.0.0.0"), false, "", addresses, {}), Scope::kPrivate);
  // IPv6 wildcard, V6ONLY: ::1, fe80::2, 2a00:... -> public.
  EXPECT_EQ(BindScope(Ip("::"), true, "", addresses, {}), Scope::kPublic);
  // Bound to a device: only that device's addresses count.
  EXPECT_EQ(BindScope(Ip("0.0.0.0"), false, "lo", addresses, {}), Scope::kLoopback);
  // A namespace with only loopback addresses.
  const std::vector<InterfaceAddress> lo_only{{"lo", 1, Ip("127.0.0.1")}};
  EXPECT_EQ(BindScope(Ip("::"), false, "", lo_only, {}), Scope::kLoopback);
  EXPECT_EQ(BindScope(Ip("0.0.0.0"), false, "", {}, {}), Scope::kLoopback);
}

TEST(ScopeTest, Ipv6WildcardWithoutV6OnlyCoversIpv4) {
  const std::vector<InterfaceAddress> addresses{{"lo", 1, Ip("::1")},
                                                {"eth0", 2, Ip("198.20.0.1")}};
  EXPECT_EQ(BindScope(Ip("::"), true, "", addresses, {}), Scope::kLoopback);
  EXPECT_EQ(BindScope(Ip("::"), false, "", addresses, {}), Scope::kPublic);
}

TEST(ScopeTest, ZoneOverridesByInterfaceAndCidr) {
  const auto addresses = HostAddresses();
  std::vector<config::ZoneOverride> zones(2);
  zones[0].interface = "eth1";
  zones[0].scope = Scope::kPrivate;  // the "public" NIC is really behind a firewall
  zones[1].cidr = MakeCidr("10.0.0.0", 8);
  zones[1].scope = Scope::kPublic;  // a 1:1 NAT makes 10/8 reachable from outside
  EXPECT_EQ(BindScope(Ip("2a00:1450::5"), true, "", addresses, zones), Scope::kPrivate);
  EXPECT_EQ(BindScope(Ip("::"), true, "", addresses, zones), Scope::kPrivate);
  EXPECT_EQ(BindScope(Ip("10.0.0.5"), false, "", addresses, zones), Scope::kPublic);
  EXPECT_EQ(BindScope(Ip("0.0.0.0"), false, "", addresses, zones), Scope::kPublic);
  EXPECT_EQ(BindScope(Ip("127.0.0.1"), false, "", addresses, zones), Scope::kLoopback);
  // A dual-stack listener's IPv4 client is an IPv4-mapped peer: it meets the IPv4 zones.
  EXPECT_EQ(AddressScope(Ip("::ffff:10.1.2.3"), "", zones), Scope::kPublic);
  EXPECT_EQ(AddressScope(Ip("::ffff:192.168.1.1"), "", zones), Scope::kPrivate);
}

TEST(ScopeTest, CidrContainsRespectsPrefixBits) {
  const auto cidr = MakeCidr("100.64.0.0", 10);
  EXPECT_TRUE(CidrContains(cidr, Ip("100.127.1.1")));
  EXPECT_FALSE(CidrContains(cidr, Ip("100.128.0.0")));
  EXPECT_FALSE(CidrContains(cidr, Ip("::1")));
  EXPECT_TRUE(IsWildcard(Ip("0.0.0.0")));
  EXPECT_TRUE(IsWildcard(Ip("::")));
  EXPECT_FALSE(IsWildcard(Ip("::1")));
}

}  // namespace
}  // namespace portwarden::inventory
