#include <gtest/gtest.h>

#include "exporters/http/http_server.h"

namespace portwarden::exporters::http {
namespace {

TEST(ListenAddressTest, ParsesPrometheusForms) {
  auto all = ParseListenAddress(":19443");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->host, "::");
  EXPECT_EQ(all->port, 19443);
  auto v4 = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 0);
  auto v6 = ParseListenAddress("[::1]:19443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
}

TEST(ListenAddressTest, RejectsMalformed) {
  EXPECT_EQ(ParseListenAddress("19443").error().message,
            "listen address: invalid address \"19443\": missing port (expected \"host:port\")");
  EXPECT_EQ(ParseListenAddress("::1:80").error().message,
            "listen address: invalid address \"::1:80\": IPv6 addresses need brackets, as in "
            "\"[::1]:443\"");
  EXPECT_EQ(ParseListenAddress("host:http").error().message,
            "listen address: invalid address \"host:http\": port must be a number from 0 to 65535");
  EXPECT_FALSE(ParseListenAddress(":65536"));
}

}  // namespace
}  // namespace portwarden::exporters::http
