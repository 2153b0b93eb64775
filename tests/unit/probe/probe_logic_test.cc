// Pure pieces of the prober: reason mapping, HSTS parsing, discovery, the bounded pool.
// (Resolution against a resolver that never answers: tests/integration/probe.)
#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "agent/probe/failure_reason.h"
#include "agent/probe/http_check.h"
#include "agent/probe/probe_runner.h"
#include "agent/probe/prober_pool.h"
#include "agent/probe/verify_reason.h"

namespace portwarden::probe {
namespace {

TEST(VerifyReasonTest, MapsOpenSslCodesOntoTheClosedSet) {
  EXPECT_EQ(VerifyResultName(X509_V_OK), "ok");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_CERT_HAS_EXPIRED), "expired");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_CERT_NOT_YET_VALID), "not_yet_valid");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT), "self_signed");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN), "self_signed_in_chain");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY), "untrusted");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_HOSTNAME_MISMATCH), "hostname_mismatch");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_CERT_REVOKED), "revoked");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_OUT_OF_MEM), "other");
  const auto all = AllVerifyResults();
  for (long code = 0; code < 100; ++code) {
    EXPECT_NE(std::find(all.begin(), all.end(), VerifyResultName(code)), all.end()) << code;
  }
}

TEST(FailureReasonTest, ClosedSetHasNoDuplicates) {
  const auto all = failure::All();
  EXPECT_EQ(std::set<std::string_view>(all.begin(), all.end()).size(), all.size());
  EXPECT_NE(std::find(all.begin(), all.end(), "connect_refused"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "dns_timeout"), all.end());
}

TEST(HstsTest, ParsesMaxAge) {
  EXPECT_EQ(ParseHstsMaxAge(" max-age=31536000; includeSubDomains\r\n"),
            std::optional<double>(31536000));
  EXPECT_EQ(ParseHstsMaxAge("includeSubDomains; Max-Age = \"600\""), std::optional<double>(600));
  EXPECT_EQ(ParseHstsMaxAge("includeSubDomains"), std::nullopt);
  EXPECT_EQ(ParseHstsMaxAge("max-age=abc"), std::nullopt);
}

inventory::Listener Tcp(const std::string& address,
                        std::uint16_t port,
                        const std::string& netns = "host",
                        const std::string& path = "") {
  inventory::Listener listener;
  listener.protocol = Protocol::kTcp;
  listener.address = address;
  listener.port = port;
  listener.netns = netns;
  listener.netns_path = path;
  return listener;
}

TEST(DiscoveryTest, TlsPortsOnlyLoopbackForWildcardsNamespacedTargets) {
  config::Config config = config::Defaults();
  config.discovery.server_name = "host.example";
  auto udp = Tcp("0.0.0.0", 443);
  udp.protocol = Protocol::kUdp;
  const std::vector<inventory::Listener> listeners{Tcp("0.0.0.0", 443),
                                                   Tcp("::", 8443),
                                                   Tcp("10.0.0.5", 443),
                                                   Tcp("0.0.0.0", 22),
                                                   udp,
                                                   Tcp("0.0.0.0", 443, "web", "/run/netns/web")};
  const auto targets = DiscoveredTargets(listeners, config);
  ASSERT_EQ(targets.size(), 4U);
  EXPECT_EQ(targets[0].endpoint.target, "127.0.0.1:443");
  EXPECT_EQ(targets[0].endpoint.host, "127.0.0.1");
  EXPECT_EQ(targets[0].endpoint.server_name, "host.example");
  EXPECT_EQ(targets[0].source, TargetSource::kDiscovered);
  EXPECT_TRUE(targets[0].netns_path.empty());
  EXPECT_EQ(targets[1].endpoint.target, "[::1]:8443");
  EXPECT_EQ(targets[2].endpoint.target, "10.0.0.5:443");
  EXPECT_EQ(targets[3].endpoint.target, "web/127.0.0.1:443");
  EXPECT_EQ(targets[3].netns_path, "/run/netns/web");
  EXPECT_FALSE(targets[0].endpoint.http);  // HTTP checks of discovered listeners are opt-in.
  EXPECT_TRUE(targets[0].endpoint.ca_file.empty());
  config.discovery.http = true;
  config.discovery.ca_file = "/etc/internal-ca.pem";
  for (const auto& target : DiscoveredTargets(listeners, config)) {
    EXPECT_TRUE(target.endpoint.http);
    EXPECT_EQ(target.endpoint.ca_file, "/etc/internal-ca.pem");
    EXPECT_EQ(target.endpoint.http_path, "/");
  }
  config.discovery.enabled = false;
  EXPECT_TRUE(DiscoveredTargets(listeners, config).empty());
}

TEST(ProberPoolTest, RunsEveryJobOnceWithinTheBound) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<std::atomic<int>> runs(40);
  RunBounded(runs.size(), 4, [&](std::size_t i) {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++runs[i];
    --running;
  });
  for (const auto& count : runs) {
    EXPECT_EQ(count.load(), 1);
  }
  EXPECT_LE(peak.load(), 4);
  EXPECT_GE(peak.load(), 2);
}

}  // namespace
}  // namespace portwarden::probe
