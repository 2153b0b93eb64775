#include "agent/inventory/connection_keys.h"

#include <arpa/inet.h>

#include <random>

#include <gtest/gtest.h>

#include "agent/config/cidr.h"
#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

IpAddress Parse(const char* text) {
  IpAddress address;
  const bool v6 = std::string(text).find(':') != std::string::npos;
  address.family = v6 ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
  EXPECT_EQ(::inet_pton(v6 ? AF_INET6 : AF_INET, text, address.bytes.data()), 1) << text;
  return address;
}

config::ZoneOverride Zone(const char* cidr, Scope scope) {
  config::ZoneOverride zone;
  zone.cidr = *config::ParseCidr(cidr);
  zone.scope = scope;
  return zone;
}

// Addresses at and around every built-in block's edges, IPv4-mapped ones, and zone edges.
const char* const kAddresses[] = {
    "0.0.0.0",
    "0.255.255.255",
    "1.0.0.0",
    "9.255.255.255",
    "10.0.0.0",
    "10.1.2.3",
    "10.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "100.128.0.0",
    "127.0.0.1",
    "128.0.0.1",
    "169.254.1.1",
    "172.15.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "172.32.0.0",
    "192.0.0.1",
    "192.0.2.7",
    "192.0.3.1",
    "192.168.1.1",
    "198.17.255.255",
    "198.18.0.1",
    "198.19.255.255",
    "198.20.0.0",
    "198.51.100.1",
    "203.0.113.2",
    "203.0.114.1",
    "224.0.0.5",
    "224.0.1.1",
    "240.0.0.1",
    "255.255.255.255",
    "8.8.8.8",
    "1.1.1.1",
    "::",
    "::1",
    "::2",
    "::ffff:127.0.0.1",
    "::ffff:10.9.8.7",
    "::ffff:8.8.8.8",
    "::ffff:203.0.113.9",
    "64:ff9b:1::1",
    "64:ff9b::1",
    "100::1",
    "100:0:0:1::1",
    "2001::1",
    "2001:1::1",
    "2001:1::2",
    "2001:1::4",
    "2001:3::1",
    "2001:4:112::1",
    "2001:20::1",
    "2001:2f::1",
    "2001:30::1",
    "2001:1ff::1",
    "2001:200::1",
    "2001:db8::1",
    "2001:db9::1",
    "2606:4700::1",
    "3fff::1",
    "5f00::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff01::1",
    "ff02::1",
    "ff05::1",
};

void ExpectTableEqualsAddressScope(std::span<const config::ZoneOverride> zones) {
  const auto table = PeerScopeTable(zones);
  for (const char* text : kAddresses) {
    const IpAddress address = Parse(text);
    EXPECT_EQ(LookupPeerScope(table, address.family, address.bytes),
              AddressScope(address, "", zones))
        << text;
  }
}

TEST(PeerScopeTableTest, WithoutZonesEqualsClassifyAddress) {
  ExpectTableEqualsAddressScope({});
  const auto table = PeerScopeTable({});
  EXPECT_EQ(LookupPeerScope(table, AddressFamily::kIpv4, Parse("10.1.2.3").bytes), Scope::kPrivate);
  EXPECT_EQ(LookupPeerScope(table, AddressFamily::kIpv6, Parse("::ffff:127.0.0.1").bytes),
            Scope::kLoopback);
  EXPECT_EQ(LookupPeerScope(table, AddressFamily::kIpv6, Parse("2001:1::1").bytes), Scope::kPublic);
  EXPECT_LT(table.size(), 4096U);
}

// First zone wins, even over a more specific later zone; a zone of one family leaves the
// other alone, and an IPv4-mapped peer meets the IPv4 zones (a dual-stack listener's client).
TEST(PeerScopeTableTest, ZonesFirstMatchWinsAsAddressScope) {
  const std::vector<config::ZoneOverride> zones{
      Zone("203.0.113.0/24", Scope::kPublic),    Zone("10.0.0.0/8", Scope::kPublic),
      Zone("10.1.0.0/16", Scope::kLoopback),     Zone("8.8.8.0/24", Scope::kPrivate),
      Zone("192.168.0.0/24", Scope::kLinkLocal), Zone("0.0.0.0/1", Scope::kLinkLocal),
      Zone("fd12::/16", Scope::kPublic),         Zone("2606:4700::/32", Scope::kPrivate)};
  ExpectTableEqualsAddressScope(zones);
  const auto table = PeerScopeTable(zones);
  EXPECT_EQ(LookupPeerScope(table, AddressFamily::kIpv4, Parse("10.1.2.3").bytes), Scope::kPublic);
  EXPECT_EQ(LookupPeerScope(table, AddressFamily::kIpv6, Parse("::ffff:10.9.8.7").bytes),
            Scope::kPublic);
  EXPECT_EQ(LookupPeerScope(table, AddressFamily::kIpv6, Parse("::ffff:203.0.113.9").bytes),
            Scope::kPublic);
}

// Random addresses near random zone prefixes, against AddressScope.
TEST(PeerScopeTableTest, RandomZonesAndAddresses) {
  std::mt19937 random(14);
  for (int round = 0; round < 50; ++round) {
    std::vector<config::ZoneOverride> zones;
    std::vector<IpAddress> probes;
    for (int z = 0; z < 6; ++z) {
      const bool v6 = random() % 2 == 0;
      IpAddress base;
      base.family = v6 ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
      for (auto& byte : base.bytes) {
        byte = static_cast<std::uint8_t>(random() % 4 == 0 ? 10 : random());
      }
      if (!v6) {
        std::fill(base.bytes.begin() + 4, base.bytes.end(), 0);
      }
      const int bits = static_cast<int>(random() % (v6 ? 129 : 33));
      config::ZoneOverride zone;
      config::Cidr cidr;
      cidr.family = base.family;
      cidr.prefix_length = bits;
      for (int bit = 0; bit < bits; ++bit) {
        const auto mask = static_cast<std::uint8_t>(0x80U >> (bit % 8));
        cidr.bytes[bit / 8] |= static_cast<std::uint8_t>(base.bytes[bit / 8] & mask);
      }
      zone.cidr = cidr;
      zone.scope = static_cast<Scope>(random() % 4);
      zones.push_back(zone);
      probes.push_back(base);
      IpAddress flipped = base;
      flipped.bytes[static_cast<std::size_t>(random() % (v6 ? 16 : 4))] ^= 0x01;
      probes.push_back(flipped);
      if (!v6) {  // the same address as a dual-stack listener's peer
        IpAddress mapped{AddressFamily::kIpv6, {}};
        mapped.bytes[10] = mapped.bytes[11] = 0xff;
        std::copy_n(flipped.bytes.begin(), 4, mapped.bytes.begin() + 12);
        probes.push_back(mapped);
      }
    }
    const auto table = PeerScopeTable(zones);
    for (const auto& probe : probes) {
      EXPECT_EQ(LookupPeerScope(table, probe.family, probe.bytes), AddressScope(probe, "", zones))
          << AddressText(probe) << " round " << round;
    }
  }
}

TEST(PeerScopeTableTest, KeysAreWhatTheProgramsBuild) {
  // The programs look a peer up with 32 bits of family, then the whole address.
  const auto table = PeerScopeTable({});
  for (const auto& entry : table) {
    EXPECT_TRUE(entry.key.family == AF_INET || entry.key.family == AF_INET6);
    EXPECT_LE(entry.key.prefix_bits, entry.key.family == AF_INET ? 64U : 160U);
    EXPECT_GE(entry.key.prefix_bits, 32U);
  }
}

}  // namespace
}  // namespace portwarden::inventory
