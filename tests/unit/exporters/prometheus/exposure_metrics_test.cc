// The exposure metric group rendered from a synthetic snapshot.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "exporters/prometheus/listener_labels.h"
#include "exporters/prometheus/metric_groups.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::exporters::prom {
namespace {

using policy::testing_support::MakeListener;

std::string Render(const state::Snapshot& snapshot) {
  Families families;
  AppendExposureMetrics(snapshot, families);
  return prometheus::TextSerializer().Serialize(families);
}

state::Snapshot MakeSnapshot() {
  auto inventory = std::make_shared<inventory::InventoryReport>();
  inventory->success = true;
  auto l = MakeListener("0.0.0.0", 8443, Scope::kPublic, "java");
  l.process.unit = "tomcat.service";
  inventory->listeners = {l, MakeListener("127.0.0.1", 5432, Scope::kLoopback, "postgres")};
  auto policy = std::make_shared<policy::PolicyReport>();
  policy->verdicts = {{"https-alt-internal", true, {}}, {"database-internal", false, {}}};
  policy->first_seen_timestamps = {1700000000, 1700000100};
  policy->appeared_total = 3;
  policy->rule_names = {"https-alt-internal", "database-internal", "default"};
  state::Snapshot snapshot;
  snapshot.inventory = inventory;
  snapshot.policy = policy;
  return snapshot;
}

TEST(ExposureMetricsTest, RendersViolationsFirstSeenAndChanges) {
  const std::string text = Render(MakeSnapshot());
  EXPECT_NE(text.find("portwarden_exposure_violation{netns=\"host\",proto=\"tcp\",family=\"ipv4\","
                      "address=\"0.0.0.0\",port=\"8443\",scope=\"public\",process=\"java\","
                      "unit=\"tomcat.service\",rule=\"https-alt-internal\",basis=\"bind\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("port=\"5432\",scope=\"loopback\",process=\"postgres\",unit=\"\",rule="),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_exposure_violations{rule=\"https-alt-internal\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_exposure_violations{rule=\"database-internal\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_exposure_violations{rule=\"default\"} 0"), std::string::npos);
  EXPECT_NE(text.find("portwarden_listener_first_seen_timestamp_seconds{netns=\"host\",proto="
                      "\"tcp\",family=\"ipv4\",address=\"127.0.0.1\",port=\"5432\",scope="
                      "\"loopback\",process=\"postgres\",unit=\"\"} 1700000100"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_listener_changes_total{change=\"appeared\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_listener_changes_total{change=\"disappeared\"} 0"),
            std::string::npos);
}

TEST(ExposureMetricsTest, BoundUnreachableIsItsOwnFinding) {
  state::Snapshot snapshot = MakeSnapshot();
  auto policy = std::make_shared<policy::PolicyReport>(*snapshot.policy);
  policy->verdicts[0].violation = false;
  policy->verdicts[0].basis = "effective";
  policy->verdicts[0].bound_unreachable = true;
  snapshot.policy = policy;
  const std::string text = Render(snapshot);
  EXPECT_EQ(text.find("portwarden_exposure_violation{"), std::string::npos) << text;
  EXPECT_NE(text.find("portwarden_exposure_bound_unreachable{netns=\"host\",proto=\"tcp\","
                      "family=\"ipv4\",address=\"0.0.0.0\",port=\"8443\",scope=\"public\","
                      "process=\"java\",unit=\"tomcat.service\",rule=\"https-alt-internal\"} 1"),
            std::string::npos)
      << text;
}

TEST(FirewallMetricsTest, TwoVerdictsPerListenerAndReadableNamespaces) {
  state::Snapshot snapshot = MakeSnapshot();
  auto firewall = std::make_shared<firewall::FirewallReport>();
  firewall->enabled = true;
  firewall->listeners.resize(2);
  firewall->listeners[0].from_public = firewall::Verdict::kDrop;
  firewall->listeners[0].from_private = firewall::Verdict::kAccept;
  firewall->namespaces.push_back({"host", true, "", 12});
  snapshot.firewall = firewall;
  Families families;
  AppendFirewallMetrics(snapshot, families);
  const std::string text = prometheus::TextSerializer().Serialize(families);
  const std::string l =
      "netns=\"host\",proto=\"tcp\",family=\"ipv4\",address=\"0.0.0.0\",port=\"8443\","
      "scope=\"public\",process=\"java\",unit=\"tomcat.service\"";
  EXPECT_NE(text.find("portwarden_listener_firewall_verdict{" + l +
                      ",from=\"public\",verdict=\"drop\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_listener_firewall_verdict{" + l +
                      ",from=\"private\",verdict=\"accept\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("port=\"5432\",scope=\"loopback\",process=\"postgres\",unit=\"\","
                      "from=\"public\",verdict=\"unknown\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_firewall_ruleset_readable{netns=\"host\"} 1"), std::string::npos);
  families.clear();
  AppendFirewallMetrics(state::Snapshot{}, families);  // stage off: nothing at all
  EXPECT_TRUE(families.empty());
}

TEST(ExposureMetricsTest, EmptySnapshotStillAnnouncesCounters) {
  const std::string text = Render(state::Snapshot{});
  EXPECT_NE(text.find("portwarden_listener_changes_total{change=\"appeared\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE portwarden_exposure_violation gauge"), std::string::npos);
}

TEST(ExposureMetricsTest, PerListenerSeriesFollowTheInventoryCap) {
  state::Snapshot snapshot = MakeSnapshot();
  auto inventory = std::make_shared<inventory::InventoryReport>(*snapshot.inventory);
  inventory->stats.series_cap = 0;
  snapshot.inventory = inventory;
  const std::string text = Render(snapshot);
  EXPECT_EQ(text.find("portwarden_exposure_violation{"), std::string::npos) << text;
  EXPECT_EQ(text.find("portwarden_listener_first_seen_timestamp_seconds{"), std::string::npos);
  EXPECT_NE(text.find("portwarden_exposure_violations{rule=\"https-alt-internal\"} 1"),
            std::string::npos);
}

TEST(ListenerLabelsTest, FixedOrder) {
  const LabelList labels = ListenerLabels(MakeListener("::1", 443, Scope::kLoopback, "nginx"));
  std::vector<std::string> names;
  for (const auto& label : labels) {
    names.push_back(label.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"netns", "proto", "family", "address", "port", "scope",
                                             "process", "unit"}));
  EXPECT_EQ(labels[2].value, "ipv6");
}

}  // namespace
}  // namespace portwarden::exporters::prom
