#include "agent/inventory/proc_interfaces.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace portwarden::inventory {
namespace {

// Captured from a namespace with lo, v0 (10.9.0.1/24, fd00::1/64) and 198.20.0.1/32 on lo;
// the local and main tables share one trie, so it is printed twice.
constexpr const char* kFibTrie = R"(Main:
  +-- 0.0.0.0/0 3 0 5
     +-- 10.9.0.0/24 2 0 2
        +-- 10.9.0.0/31 1 0 0
           |-- 10.9.0.0
              /24 link UNICAST
           |-- 10.9.0.1
              /32 host LOCAL
        |-- 10.9.0.255
           /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
     |-- 198.20.0.1
        /32 host LOCAL
Local:
  +-- 0.0.0.0/0 3 0 5
           |-- 10.9.0.1
              /32 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
     |-- 198.20.0.1
        /32 host LOCAL
)";

constexpr const char* kRoute =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "v0\t00000000\t0100090A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "v0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

constexpr const char* kIfInet6 =
    "00000000000000000000000000000001 01 80 10 80       lo\n"
    "fd000000000000000000000000000001 03 40 00 82       v0\n";

std::vector<std::string> Texts(const InterfaceTable& table) {
  std::vector<std::string> out;
  for (const auto& entry : table.addresses) {
    out.push_back(AddressText(entry.address) + "@" + entry.interface);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ProcInterfacesTest, LocalIpv4AddressesFromFibTrieNamedByRoute) {
  InterfaceTable table;
  ASSERT_TRUE(ParseFibTrieLocal(kFibTrie, table));
  NameIpv4Interfaces(kRoute, table);
  EXPECT_EQ(Texts(table), (std::vector<std::string>{"10.9.0.1@v0", "127.0.0.1@lo", "198.20.0.1@"}));
}

TEST(ProcInterfacesTest, Ipv6AddressesWithIndexAndName) {
  InterfaceTable table;
  ASSERT_TRUE(ParseIfInet6(kIfInet6, table));
  EXPECT_EQ(Texts(table), (std::vector<std::string>{"::1@lo", "fd00::1@v0"}));
  EXPECT_EQ(table.names.at(3), "v0");
  EXPECT_EQ(table.addresses[1].ifindex, 3U);
}

TEST(ProcInterfacesTest, HostileTextIsAnErrorOrIgnored) {
  InterfaceTable table;
  EXPECT_FALSE(ParseIfInet6("zz 01 80 10 80 lo\n", table));
  EXPECT_FALSE(ParseIfInet6("fd00000000000000000000000000000g 01 80 10 80 lo\n", table));
  ASSERT_TRUE(ParseFibTrieLocal("|-- not-an-address\n /32 host LOCAL\n/32 host LOCAL\n", table));
  EXPECT_TRUE(table.addresses.empty());
  NameIpv4Interfaces("garbage\n\n\t\t\n", table);  // no crash, nothing named
}

TEST(ProcInterfacesTest, ReadsOwnNamespaceLikeRtnetlink) {
  // The agent's own namespace through both paths: every IPv4 address RTM_GETADDR lists on an
  // interface that is up, and every IPv6 address, appear in the /proc view too.
  auto proc = ReadProcInterfaces("/proc/self/net");
  ASSERT_TRUE(proc) << proc.error().message;
  auto reader = InterfaceAddressReader::Open();
  ASSERT_TRUE(reader);
  auto netlink = (*reader)->Read();
  ASSERT_TRUE(netlink);
  std::vector<std::string> from_proc;
  for (const auto& entry : proc->addresses) {
    from_proc.push_back(AddressText(entry.address));
  }
  for (const auto& entry : netlink->addresses) {
    EXPECT_NE(std::find(from_proc.begin(), from_proc.end(), AddressText(entry.address)),
              from_proc.end())
        << AddressText(entry.address) << " on " << entry.interface;
  }
}

}  // namespace
}  // namespace portwarden::inventory
