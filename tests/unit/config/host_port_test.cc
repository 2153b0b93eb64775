#include "agent/config/host_port.h"

#include <gtest/gtest.h>

namespace portwarden::config {
namespace {

TEST(HostPortTest, SplitsNamesAndLiterals) {
  auto name = SplitHostPort("example.com:443");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->host, "example.com");
  EXPECT_EQ(name->port, 443);
  auto v6 = SplitHostPort("[fe80::1]:8443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fe80::1");
  EXPECT_EQ(v6->port, 8443);
}

TEST(HostPortTest, RejectsMalformed) {
  EXPECT_FALSE(SplitHostPort("[::1]443"));
  EXPECT_FALSE(SplitHostPort("host:"));
  EXPECT_FALSE(SplitHostPort("host:0"));
  EXPECT_FALSE(SplitHostPort("host:44x"));
}

TEST(HostPortTest, JoinBracketsIpv6) {
  EXPECT_EQ(JoinHostPort("::1", 443), "[::1]:443");
  EXPECT_EQ(JoinHostPort("127.0.0.1", 80), "127.0.0.1:80");
}

}  // namespace
}  // namespace portwarden::config
