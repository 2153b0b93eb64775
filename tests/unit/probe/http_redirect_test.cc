// The redirect verdict of the plain-HTTP companion: which statuses redirect, and how a
// Location reference resolves against the request URL (libcurl's URL API, loaded here).
#include "agent/probe/http_redirect.h"

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

const CurlApi& Api() {
  const auto loaded = LoadCurl();
  EXPECT_TRUE(loaded.has_value()) << loaded.error().message;
  return *loaded;
}

TEST(HttpRedirectTest, RedirectStatusesAreTheFiveThatPointSomewhere) {
  for (const int status : {301, 302, 303, 307, 308}) {
    EXPECT_TRUE(IsRedirectStatus(status)) << status;
  }
  for (const int status : {200, 204, 300, 304, 305, 306, 309, 399, 400, 0}) {
    EXPECT_FALSE(IsRedirectStatus(status)) << status;
  }
}

TEST(HttpRedirectTest, LocationResolvesAgainstTheRequestUrl) {
  struct Case {
    const char* location;
    std::optional<std::string> resolved;
    bool https;
  };

  const std::string request = "http://example.com:80/";
  const Case cases[] = {
      {"https://example.com/", "https://example.com/", true},
      {" https://example.com/a?b=c \r\n", "https://example.com/a?b=c", true},
      {"HTTPS://Example.com/", "https://Example.com/", true},
      {"https://[::1]:8443/x", "https://[::1]:8443/x", true},
      {"/x", "http://example.com:80/x", false},              // relative: keeps http
      {"x/y", "http://example.com:80/x/y", false},           // relative path
      {"//other.example/", "http://other.example/", false},  // scheme-relative: http
      {"http://example.com/", "http://example.com/", false},
      {"ftp://example.com/", "ftp://example.com/", false},
      {"https://", std::nullopt, false},  // no host: not a URL
      {"https:", std::nullopt, false},
  };
  for (const auto& c : cases) {
    const auto resolved = ResolveLocation(Api(), request, c.location);
    EXPECT_EQ(resolved, c.resolved) << c.location;
    EXPECT_EQ(RedirectsToHttps(301, resolved), c.https) << c.location;
    EXPECT_FALSE(RedirectsToHttps(200, resolved)) << c.location;
  }
}

TEST(HttpRedirectTest, SchemeRelativeLocationOnAnHttpsRequestStaysHttps) {
  EXPECT_EQ(ResolveLocation(Api(), "https://a.example/", "//b.example/p"),
            std::optional<std::string>("https://b.example/p"));
}

TEST(HttpRedirectTest, HttpsSchemeCheckIgnoresCase) {
  EXPECT_TRUE(IsHttpsUrl("https://a/"));
  EXPECT_TRUE(IsHttpsUrl("HtTpS://a/"));
  EXPECT_FALSE(IsHttpsUrl("http://a/"));
  EXPECT_FALSE(IsHttpsUrl("https:/a"));
  EXPECT_FALSE(IsHttpsUrl(""));
  EXPECT_FALSE(RedirectsToHttps(301, std::nullopt));
}

}  // namespace
}  // namespace portwarden::probe
