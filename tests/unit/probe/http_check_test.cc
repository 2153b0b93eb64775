// Pure pieces of the HTTP checks: HSTS parsing. (The checks themselves run against real
// servers in tests/integration/probe.)
#include "agent/probe/http_check.h"

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

TEST(HstsTest, ParsesMaxAge) {
  EXPECT_EQ(ParseHstsMaxAge(" max-age=31536000; includeSubDomains\r\n"),
            std::optional<double>(31536000));
  EXPECT_EQ(ParseHstsMaxAge("includeSubDomains; Max-Age = \"600\""), std::optional<double>(600));
  EXPECT_EQ(ParseHstsMaxAge("includeSubDomains"), std::nullopt);
  EXPECT_EQ(ParseHstsMaxAge("max-age=abc"), std::nullopt);
}

}  // namespace
}  // namespace portwarden::probe
