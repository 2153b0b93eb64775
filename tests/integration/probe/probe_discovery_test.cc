// Discovery end to end: a real TLS listener on a test-chosen port added to tls_ports is found
// by the real Inventory and probed with no endpoint configured; in the agent's own network
// namespace and in a namespace the test creates (probed from inside it via setns).
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "agent/inventory/inventory.h"
#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

config::Config DiscoveryConfig(std::uint16_t port) {
  config::Config config = config::Defaults();
  config.discovery.enabled = true;
  config.discovery.tls_ports = {port};
  config.discovery.server_name = "localhost";
  config.discovery.namespaces = config::NamespaceMode::kAll;
  config.agent.probe_timeout = std::chrono::seconds(3);
  return config;
}

std::vector<probe::ProbeTarget> Discover(const config::Config& config) {
  inventory::Inventory inventory(config);
  const inventory::InventoryReport report = inventory.Scan();
  EXPECT_TRUE(report.success) << report.error;
  return probe::DiscoveredTargets(report.listeners, config);
}

TEST(ProbeDiscoveryTest, LocalTlsListenerIsFoundAndProbed) {
  const TestPki& t = SharedPki();
  config::Config config;
  std::vector<probe::ProbeTarget> targets;
  std::string target_name;
  {
    TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
    config = DiscoveryConfig(server.port());
    targets = Discover(config);
    target_name = "127.0.0.1:" + std::to_string(server.port());
    ASSERT_EQ(targets.size(), 1U);
    EXPECT_EQ(targets[0].endpoint.target, target_name);
    EXPECT_EQ(targets[0].source, probe::TargetSource::kDiscovered);
    probe::ProbeRunner runner;
    const auto report = runner.RunCycle(targets, config);
    ASSERT_EQ(report.results.size(), 1U);
    const auto& r = report.results[0];
    EXPECT_EQ(r.server_name, "localhost");
    ASSERT_EQ(r.chain.size(), 2U);  // Not trusted by the system store, but fully described.
    EXPECT_EQ(static_cast<std::int64_t>(r.chain[0].not_after), t.leaf.not_after);
    EXPECT_EQ(r.verify_result, "untrusted");
    EXPECT_NE(TlsMetricsText(report).find("source=\"discovered\""), std::string::npos);
  }
  // The listener went away: the inventory no longer yields it, so it is no longer probed.
  EXPECT_TRUE(Discover(config).empty());
}

/// A network namespace made with `ip netns`, deleted on destruction.
class TestNetns {
 public:
  TestNetns() : name_("pwprobe" + std::to_string(::getpid())) {
    Shell("ip netns add " + name_ + " && ip -n " + name_ + " link set lo up");
  }

  ~TestNetns() { Shell("ip netns del " + name_); }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

TEST(ProbeDiscoveryTest, ListenerInsideAnotherNamespaceIsProbedFromInside) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root for ip netns";
  }
  const TestPki& t = SharedPki();
  TestNetns netns;
  std::uint16_t port = 0;
  {
    ChildProcess server(
        {"ip", "netns", "exec", netns.name(), "openssl", "s_server", "-accept", "127.0.0.1:0",
         "-cert", t.leaf.pem, "-key", t.leaf.key, "-cert_chain", t.intermediate_chain, "-www"},
        "ACCEPT");
    port = static_cast<std::uint16_t>(
        std::stoi(server.ready_line().substr(server.ready_line().rfind(':') + 1)));
    const config::Config config = DiscoveryConfig(port);
    const auto targets = Discover(config);
    const auto it = std::find_if(targets.begin(), targets.end(),
                                 [](const auto& target) { return !target.netns_path.empty(); });
    ASSERT_NE(it, targets.end());
    EXPECT_EQ(it->endpoint.target, it->netns + "/127.0.0.1:" + std::to_string(port));
    probe::ProbeRunner runner;
    const auto report = runner.RunCycle({*it}, config);
    ASSERT_EQ(report.results.size(), 1U);
    ASSERT_FALSE(report.results[0].chain.empty()) << report.results[0].failure_detail;
    EXPECT_EQ(static_cast<std::int64_t>(report.results[0].chain[0].not_after), t.leaf.not_after);
  }
}

}  // namespace
}  // namespace portwarden::testing
