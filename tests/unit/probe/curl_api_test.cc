// libcurl is loaded by the first HTTP check, not at program start.
#include "agent/probe/curl_api.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

bool LibcurlMapped() {
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str().find("libcurl") != std::string::npos;
}

TEST(CurlApiTest, LoadsOnFirstUseOnlyAndOnce) {
  EXPECT_FALSE(LibcurlMapped()) << "linked at start-up again?";
  const auto first = LoadCurl();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(LibcurlMapped());
  const CurlApi& api = *first;
  EXPECT_STREQ(api.easy_strerror(CURLE_OK), "No error");
  CURL* easy = api.easy_init();
  ASSERT_NE(easy, nullptr);
  api.easy_cleanup(easy);
  const auto second = LoadCurl();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(&second->get(), &first->get());
}

}  // namespace
}  // namespace portwarden::probe
