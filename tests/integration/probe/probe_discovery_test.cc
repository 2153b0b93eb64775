// Discovery end to end: a real TLS listener on a test-chosen port added to tls_ports is found
// by the real Inventory and probed with no endpoint configured; in the agent's own network
// namespace and in a namespace the test creates (probed from inside it via setns); with
// `discovery.http = true` the HTTP check runs too, from inside the listener's namespace.
// Discovery reads every namespace of the host, where other sessions' tests may listen on the
// same port number at the same time: each test looks only at the targets of its own
// listener's namespace (the agent's own, or the one it made).
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

#include "agent/discovery/discovery.h"
#include "agent/inventory/inventory.h"
#include "tests/integration/probe/probe_helpers.h"
#include "tests/lib/privilege.h"

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

// The targets discovery finds in the namespace labelled `netns` ("host": the agent's own).
std::vector<probe::ProbeTarget> Discover(const config::Config& config,
                                         const std::string& netns = "host") {
  inventory::Inventory inventory(inventory::InventorySettingsFrom(config));
  const inventory::InventoryReport report = inventory.Scan();
  EXPECT_TRUE(report.success) << report.error;
  std::vector<probe::ProbeTarget> targets =
      discovery::DiscoverTargets(report.listeners, report.namespaces, config.discovery,
                                 discovery::HostName())
          .targets;
  std::erase_if(targets, [&](const probe::ProbeTarget& target) {
    return (target.netns_path.empty() ? std::string("host") : target.netns) != netns;
  });
  return targets;
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
    probe::OpenSslProber runner;
    const auto report = runner.RunCycle(targets, probe::ProbeSettingsFrom(config));
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

TEST(ProbeDiscoveryTest, HttpCheckOfDiscoveredListenersIsOptIn) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  config::Config config = DiscoveryConfig(server.port());
  config.discovery.ca_file = t.root.pem;
  const auto targets = Discover(config);
  ASSERT_EQ(targets.size(), 1U);
  probe::OpenSslProber runner;
  auto report = runner.RunCycle(targets, probe::ProbeSettingsFrom(config));
  ASSERT_EQ(report.results.size(), 1U);
  EXPECT_TRUE(report.results[0].success) << report.results[0].failure_detail;
  EXPECT_FALSE(report.results[0].http_status.has_value());  // Default: TLS only.
  EXPECT_FALSE(report.results[0].phases.http.has_value());

  config.discovery.http = true;
  report = runner.RunCycle(Discover(config), probe::ProbeSettingsFrom(config));
  ASSERT_EQ(report.results.size(), 1U);
  const auto& r = report.results[0];
  EXPECT_TRUE(r.success) << r.failure_detail;
  EXPECT_EQ(r.verify_result, "ok");  // Verified against discovery.ca_file.
  EXPECT_EQ(r.http_status, std::optional<int>(200));
  EXPECT_EQ(r.hsts, std::optional<bool>(false));  // s_server -www sends no HSTS header.
  ASSERT_TRUE(r.phases.http.has_value());
  EXPECT_GT(*r.phases.http, 0.0);
  const std::string text = TlsMetricsText(report);
  const std::string labels = "{target=\"127.0.0.1:" + std::to_string(server.port()) +
                             "\",address=\"127.0.0.1:" + std::to_string(server.port()) +
                             "\",server_name=\"localhost\",source=\"discovered\"}";
  EXPECT_NE(text.find("portwarden_http_status_code" + labels + " 200\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_http_hsts_present" + labels + " 0\n"), std::string::npos);
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
    PORTWARDEN_SKIP_UNPRIVILEGED("needs root for ip netns");
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
    const auto targets = Discover(config, netns.name());
    ASSERT_EQ(targets.size(), 1U);
    const auto& target = targets[0];
    EXPECT_FALSE(target.netns_path.empty());  // probed from inside the namespace
    EXPECT_EQ(target.endpoint.target, netns.name() + "/127.0.0.1:" + std::to_string(port));
    probe::OpenSslProber runner;
    const auto report = runner.RunCycle({target}, probe::ProbeSettingsFrom(config));
    ASSERT_EQ(report.results.size(), 1U);
    ASSERT_FALSE(report.results[0].chain.empty()) << report.results[0].failure_detail;
    EXPECT_EQ(static_cast<std::int64_t>(report.results[0].chain[0].not_after), t.leaf.not_after);
  }
}

TEST(ProbeDiscoveryTest, HttpCheckOfAListenerInAnotherNamespaceConnectsFromInside) {
  if (::geteuid() != 0) {
    PORTWARDEN_SKIP_UNPRIVILEGED("needs root for ip netns");
  }
  const TestPki& t = SharedPki();
  TestNetns netns;
  ChildProcess server(
      {"ip", "netns", "exec", netns.name(), "openssl", "s_server", "-accept", "127.0.0.1:0",
       "-cert", t.leaf.pem, "-key", t.leaf.key, "-cert_chain", t.intermediate_chain, "-www"},
      "ACCEPT");
  const auto port = static_cast<std::uint16_t>(
      std::stoi(server.ready_line().substr(server.ready_line().rfind(':') + 1)));
  config::Config config = DiscoveryConfig(port);
  config.discovery.http = true;
  config.discovery.ca_file = t.root.pem;
  const auto targets = Discover(config, netns.name());
  ASSERT_EQ(targets.size(), 1U);
  ASSERT_FALSE(targets[0].netns_path.empty());
  probe::OpenSslProber runner;
  const auto report = runner.RunCycle(targets, probe::ProbeSettingsFrom(config));
  ASSERT_EQ(report.results.size(), 1U);
  const auto& r = report.results[0];
  // 127.0.0.1:port exists only inside the namespace: libcurl's socket must be made there.
  EXPECT_TRUE(r.success) << r.failure_reason << ": " << r.failure_detail;
  EXPECT_EQ(r.http_status, std::optional<int>(200));
}

}  // namespace
}  // namespace portwarden::testing
