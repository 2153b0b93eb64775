#include "agent/config/config.h"

#include <gtest/gtest.h>

namespace portwarden::config {
namespace {

using std::chrono::seconds;

TEST(ConfigTest, EmptyDocumentGivesDefaults) {
  auto config = LoadString("", "empty.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->agent.scan_interval, seconds(15));
  EXPECT_EQ(config->agent.probe_interval, seconds(60));
  EXPECT_EQ(config->agent.posture_interval, std::chrono::hours(1));
  EXPECT_EQ(config->agent.probe_timeout, seconds(5));
  EXPECT_EQ(config->agent.probe_concurrency, 32);
  EXPECT_EQ(config->web.listen_addresses, std::vector<std::string>{":19443"});
  EXPECT_EQ(config->web.telemetry_path, "/metrics");
  EXPECT_EQ(config->discovery.tls_ports, (std::vector<std::uint16_t>{443, 8443}));
  EXPECT_FALSE(config->discovery.http);
  EXPECT_TRUE(config->discovery.ca_file.empty());
  EXPECT_TRUE(config->endpoints.empty());
  EXPECT_EQ(config->inventory.process_walk, ProcessWalk::kAuto);
  EXPECT_EQ(config->source, "empty.toml");
}

TEST(ConfigTest, ProbeSpreadIsOffByDefaultAndTakesADurationUpToTheIntervalOrAuto) {
  auto defaults = LoadString("", "empty.toml");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->agent.probe_spread, Duration(0));
  EXPECT_FALSE(defaults->agent.probe_spread_auto);
  auto fixed = LoadString("[agent]\nprobe_interval = \"15s\"\nprobe_spread = \"15s\"\n", "a.toml");
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(fixed->agent.probe_spread, seconds(15));
  // The key may come before probe_interval in the table: the bound is the table's interval.
  auto before = LoadString("[agent]\nprobe_spread = \"90s\"\nprobe_interval = \"2m\"\n", "b.toml");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->agent.probe_spread, seconds(90));
  auto automatic = LoadString("[agent]\nprobe_spread = \"auto\"\n", "c.toml");
  ASSERT_TRUE(automatic) << automatic.error().message;
  EXPECT_TRUE(automatic->agent.probe_spread_auto);
  auto zero = LoadString("[agent]\nprobe_spread = \"0s\"\n", "d.toml");
  ASSERT_TRUE(zero) << zero.error().message;
  EXPECT_EQ(zero->agent.probe_spread, Duration(0));
}

TEST(ConfigTest, FullDocumentIsRead) {
  auto config = LoadString(R"(
[agent]
scan_interval = "30s"
probe_interval = "1m30s"
posture_interval = "6h"
probe_timeout = "2500ms"
probe_concurrency = 8
jitter = 0.2

[web]
listen_address = ["127.0.0.1:9999", "[::1]:9999"]
telemetry_path = "/m"

[discovery]
enabled = false
tls_ports = [443, 9443]
namespaces = "host"
server_name = "node1.example"

[inventory]
udp = false
max_listener_series = 50
process_walk = "procfs"
connection_tracking_max = 0

[revocation]
crl = false
crl_max_bytes = 2097152
crl_cache_entries = 4

[[endpoints]]
target = "example.com:443"
http = true
plain_http_companion = 80

[[endpoints]]
target = "[2001:db8::1]:8443"
server_name = "admin.example"
ip_family = "ipv6"
timeout = "3s"
max_addresses = 2
)",
                           "full.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->agent.scan_interval, seconds(30));
  EXPECT_EQ(config->agent.probe_interval, seconds(90));
  EXPECT_EQ(config->agent.posture_interval, std::chrono::hours(6));
  EXPECT_EQ(config->agent.probe_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(config->agent.probe_concurrency, 8);
  EXPECT_DOUBLE_EQ(config->agent.jitter, 0.2);
  EXPECT_EQ(config->web.listen_addresses,
            (std::vector<std::string>{"127.0.0.1:9999", "[::1]:9999"}));
  EXPECT_EQ(config->web.telemetry_path, "/m");
  EXPECT_FALSE(config->discovery.enabled);
  EXPECT_EQ(config->discovery.tls_ports, (std::vector<std::uint16_t>{443, 9443}));
  EXPECT_EQ(config->discovery.namespaces, NamespaceMode::kHost);
  EXPECT_EQ(config->discovery.server_name, "node1.example");
  EXPECT_FALSE(config->inventory.udp);
  EXPECT_EQ(config->inventory.max_listener_series, 50U);
  EXPECT_EQ(config->inventory.process_walk, ProcessWalk::kProcfs);
  EXPECT_EQ(config->inventory.connection_tracking_max, 0U);
  EXPECT_FALSE(config->revocation.crl);
  EXPECT_EQ(config->revocation.crl_max_bytes, 2097152U);
  EXPECT_EQ(config->revocation.crl_cache_entries, 4U);
  ASSERT_EQ(config->endpoints.size(), 2U);
  const auto& first = config->endpoints[0];
  EXPECT_EQ(first.host, "example.com");
  EXPECT_EQ(first.port, 443);
  EXPECT_EQ(first.server_name, "example.com");
  EXPECT_TRUE(first.http);
  EXPECT_EQ(first.plain_http_companion, 80);
  const auto& second = config->endpoints[1];
  EXPECT_EQ(second.host, "2001:db8::1");
  EXPECT_EQ(second.port, 8443);
  EXPECT_EQ(second.server_name, "admin.example");
  EXPECT_EQ(second.ip_family, IpFamily::kIpv6);
  EXPECT_EQ(second.timeout, seconds(3));
  EXPECT_EQ(second.max_addresses, 2);
}

TEST(ConfigTest, DiscoveryHttpCheckAndTrustStore) {
  auto config = LoadString(
      "[discovery]\nhttp = true\nca_file = \"/dev/null\"\nca_path = \"/etc\"\n", "d.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->discovery.http);
  EXPECT_EQ(config->discovery.ca_file, "/dev/null");
  EXPECT_EQ(config->discovery.ca_path, "/etc");
}

TEST(ConfigTest, SingleListenAddressString) {
  auto config = LoadString("[web]\nlisten_address = \"[::]:1234\"\n", "web.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->web.listen_addresses, std::vector<std::string>{"[::]:1234"});
}

TEST(ConfigTest, MissingFileNamesThePath) {
  auto config = LoadFile("/nonexistent/portwarden.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "/nonexistent/portwarden.toml: cannot open config file: No such file or directory");
}

}  // namespace
}  // namespace portwarden::config
