// Observed activity (connections, accept queues), observed violations and the baseline, as
// rendered from a synthetic snapshot.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "exporters/prometheus/metric_groups.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::exporters::prom {
namespace {

using policy::testing_support::MakeListener;

constexpr const char* kL8443 =
    "netns=\"host\",proto=\"tcp\",family=\"ipv4\",address=\"10.0.0.5\",port=\"8443\","
    "scope=\"private\",process=\"java\",unit=\"\"";

state::Snapshot MakeSnapshot(bool baseline) {
  auto inventory = std::make_shared<inventory::InventoryReport>();
  inventory->success = true;
  auto admin = MakeListener("10.0.0.5", 8443, Scope::kPrivate, "java");
  admin.connections = std::array<std::uint32_t, 4>{0, 0, 2, 1};
  admin.accept_queue = 3;
  admin.accept_queue_limit = 128;
  auto dns = MakeListener("0.0.0.0", 53, Scope::kPublic, "named", Protocol::kUdp);
  inventory->listeners = {admin, dns};
  inventory->stats.connections_seen = 3;
  auto policy = std::make_shared<policy::PolicyReport>();
  policy->verdicts = {{"https-alt-internal", false, {Scope::kLoopback, Scope::kPrivate}, true},
                      {"default", true, {}}};
  policy->rule_names = {"https-alt-internal", "default"};
  if (baseline) {
    policy->baseline.file = "/etc/portwarden/baseline.toml";
    policy->baseline.loaded = true;
    policy->baseline.entries = 1;
    policy->unapproved = {false, true};
  }
  state::Snapshot snapshot;
  snapshot.inventory = inventory;
  snapshot.policy = policy;
  return snapshot;
}

std::string Render(const state::Snapshot& snapshot) {
  Families families;
  AppendListenerActivityMetrics(snapshot, families);
  AppendConnectionDumpMetrics(snapshot, families);
  AppendExposureViolationMetrics(snapshot, families);
  AppendBaselineMetrics(snapshot, families);
  return prometheus::TextSerializer().Serialize(families);
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(ActivityMetricsTest, ConnectionsByPeerScopeAndAcceptQueue) {
  const std::string text = Render(MakeSnapshot(false));
  const std::string l = kL8443;
  EXPECT_TRUE(Has(text, "portwarden_listener_connections{" + l + ",peer_scope=\"public\"} 1"))
      << text;
  EXPECT_TRUE(Has(text, "portwarden_listener_connections{" + l + ",peer_scope=\"private\"} 2"));
  EXPECT_TRUE(Has(text, "portwarden_listener_connections{" + l + ",peer_scope=\"loopback\"} 0"));
  EXPECT_TRUE(Has(text, "portwarden_listener_accept_queue{" + l + "} 3"));
  EXPECT_TRUE(Has(text, "portwarden_listener_accept_queue_limit{" + l + "} 128"));
  EXPECT_EQ(text.find("port=\"53\",scope=\"public\",process=\"named\",unit=\"\",peer_scope"),
            std::string::npos)
      << "UDP and unwatched listeners have no connection series";
  EXPECT_TRUE(Has(text, "portwarden_inventory_connections_seen 3"));
}

TEST(ActivityMetricsTest, ObservedViolationHasItsOwnBasis) {
  const std::string text = Render(MakeSnapshot(false));
  EXPECT_TRUE(Has(text, std::string("portwarden_exposure_violation{") + kL8443 +
                            ",rule=\"https-alt-internal\",basis=\"observed\"} 1"))
      << text;
  EXPECT_EQ(text.find(std::string(kL8443) + ",rule=\"https-alt-internal\",basis=\"bind\""),
            std::string::npos);
  EXPECT_NE(text.find("port=\"53\",scope=\"public\",process=\"named\",unit=\"\",rule=\"default\","
                      "basis=\"bind\"} 1"),
            std::string::npos);
}

TEST(ActivityMetricsTest, BaselineSeriesOnlyWithABaseline) {
  EXPECT_EQ(Render(MakeSnapshot(false)).find("portwarden_listener_unapproved"), std::string::npos);
  const std::string text = Render(MakeSnapshot(true));
  EXPECT_TRUE(Has(text,
                  "portwarden_listener_unapproved{netns=\"host\",proto=\"udp\",family=\"ipv4\","
                  "address=\"0.0.0.0\",port=\"53\",scope=\"public\",process=\"named\","
                  "unit=\"\"} 1"))
      << text;
  EXPECT_EQ(text.find(std::string("portwarden_listener_unapproved{") + kL8443), std::string::npos);
  EXPECT_TRUE(Has(text, "portwarden_listeners_unapproved 1"));
  EXPECT_TRUE(Has(text, "portwarden_baseline_loaded 1"));
  EXPECT_TRUE(Has(text, "portwarden_baseline_last_load_successful 1"));
  EXPECT_TRUE(Has(text, "portwarden_baseline_entries 1"));
}

}  // namespace
}  // namespace portwarden::exporters::prom
