#include "agent/core/host_port.h"

#include <gtest/gtest.h>

namespace portwarden {
namespace {

TEST(CoreHostPortTest, Ipv6IsAlwaysBracketed) {
  EXPECT_EQ(JoinHostPort("::1", 443), "[::1]:443");
  EXPECT_EQ(JoinHostPort("2001:db8::1", 8443), "[2001:db8::1]:8443");
  EXPECT_EQ(JoinHostPort("::ffff:127.0.0.1", 80), "[::ffff:127.0.0.1]:80");
  EXPECT_EQ(BracketHost("fe80::1"), "[fe80::1]");
}

TEST(CoreHostPortTest, Ipv4AndNamesStayBare) {
  EXPECT_EQ(JoinHostPort("127.0.0.1", 80), "127.0.0.1:80");
  EXPECT_EQ(JoinHostPort("example.com", 443), "example.com:443");
  EXPECT_EQ(JoinHostPort("", 9100), ":9100");
  EXPECT_EQ(JoinHostPort("10.0.0.1", 65535), "10.0.0.1:65535");
  EXPECT_EQ(BracketHost("localhost"), "localhost");
}

}  // namespace
}  // namespace portwarden
