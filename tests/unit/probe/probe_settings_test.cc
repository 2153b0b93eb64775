// What the probe stage takes from the configuration, and the configured targets.
#include "agent/probe/probe_settings.h"

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

TEST(ProbeSettingsTest, TakesTheAgentProbeKeys) {
  config::Config config;
  config.agent.probe_timeout = std::chrono::seconds(7);
  config.agent.probe_concurrency = 3;
  const ProbeSettings settings = ProbeSettingsFrom(config);
  EXPECT_EQ(settings.timeout, Duration(std::chrono::seconds(7)));
  EXPECT_EQ(settings.concurrency, 3);
}

TEST(ProbeSettingsTest, TheSpreadIsTheKeyOrAutoShareOfTheInterval) {
  config::Config config;
  EXPECT_EQ(ProbeSettingsFrom(config).spread, Duration(0));
  config.agent.probe_spread = std::chrono::seconds(20);
  EXPECT_EQ(ProbeSettingsFrom(config).spread, Duration(std::chrono::seconds(20)));
  config.agent.probe_spread_auto = true;
  config.agent.probe_interval = std::chrono::seconds(60);
  EXPECT_EQ(ProbeSettingsFrom(config).spread, Duration(std::chrono::seconds(48)));
}

TEST(ProbeSettingsTest, ATargetsOwnTimeoutWins) {
  const ProbeSettings settings{.timeout = std::chrono::seconds(5), .concurrency = 1};
  ProbeTarget target;
  EXPECT_EQ(TimeoutOf(target, settings), Duration(std::chrono::seconds(5)));
  target.endpoint.timeout = std::chrono::seconds(2);
  EXPECT_EQ(TimeoutOf(target, settings), Duration(std::chrono::seconds(2)));
}

TEST(ProbeSettingsTest, ConfiguredTargetsDefaultTheServerNameToTheHost) {
  std::vector<config::EndpointConfig> endpoints(2);
  endpoints[0].host = "example.test";
  endpoints[1].host = "192.0.2.1";
  endpoints[1].server_name = "sni.test";
  const auto targets = ConfiguredTargets(endpoints);
  ASSERT_EQ(targets.size(), 2U);
  EXPECT_EQ(targets[0].endpoint.server_name, "example.test");
  EXPECT_EQ(targets[1].endpoint.server_name, "sni.test");
  EXPECT_EQ(targets[0].source, TargetSource::kConfig);
}

}  // namespace
}  // namespace portwarden::probe
