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
