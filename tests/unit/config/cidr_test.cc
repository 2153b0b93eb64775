#include "agent/config/cidr.h"

#include <gtest/gtest.h>

namespace portwarden::config {
namespace {

bool Contains(const char* cidr, const char* address) {
  auto parsed = ParseCidr(cidr);
  EXPECT_TRUE(parsed) << cidr;
  return parsed && CidrContains(*parsed, address);
}

TEST(CidrTest, MatchesByPrefix) {
  EXPECT_TRUE(Contains("10.0.0.0/8", "10.255.0.1"));
  EXPECT_FALSE(Contains("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(Contains("172.16.0.0/12", "172.31.255.255"));
  EXPECT_FALSE(Contains("172.16.0.0/12", "172.32.0.0"));
  EXPECT_TRUE(Contains("0.0.0.0/0", "0.0.0.0"));
  EXPECT_TRUE(Contains("192.0.2.7", "192.0.2.7"));
  EXPECT_FALSE(Contains("192.0.2.7", "192.0.2.8"));
  EXPECT_TRUE(Contains("fe80::/10", "fe80::1"));
  EXPECT_TRUE(Contains("fe80::/10", "febf::1"));
  EXPECT_FALSE(Contains("fe80::/10", "fec0::1"));
  EXPECT_TRUE(Contains("::/0", "::"));
}

TEST(CidrTest, MappedIpv4IsComparedAsIpv4) {
  EXPECT_TRUE(Contains("127.0.0.0/8", "::ffff:127.0.0.1"));
  EXPECT_FALSE(Contains("::/0", "::ffff:127.0.0.1"));
}

TEST(CidrTest, FamiliesNeverMix) {
  EXPECT_FALSE(Contains("0.0.0.0/0", "::1"));
  EXPECT_FALSE(Contains("::/0", "127.0.0.1"));
  EXPECT_FALSE(Contains("0.0.0.0/0", "not-an-ip"));
}

TEST(CidrTest, RejectsMalformed) {
  EXPECT_EQ(ParseCidr("fd00::1/64").error().message,
            "invalid CIDR \"fd00::1/64\": host bits are set (did you mean \"fd00::/64\"?)");
  EXPECT_EQ(ParseCidr("::/129").error().message,
            "invalid CIDR \"::/129\": prefix length must be a number from 0 to 128");
  EXPECT_EQ(ParseCidr("10.0.0.0/").error().message,
            "invalid CIDR \"10.0.0.0/\": prefix length must be a number from 0 to 32");
  EXPECT_FALSE(ParseCidr("300.0.0.0/8"));
  EXPECT_FALSE(ParseCidr(""));
}

}  // namespace
}  // namespace portwarden::config
