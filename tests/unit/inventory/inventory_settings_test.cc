#include "agent/inventory/inventory_settings.h"

#include <gtest/gtest.h>

namespace portwarden::inventory {
namespace {

TEST(InventorySettingsTest, TakesEachFieldFromItsSection) {
  auto config = config::LoadString(R"(
[inventory]
udp = false
max_listener_series = 7
proc_path = "/srv/proc"
process_walk = "procfs"
connection_tracking_max = 1000

[discovery]
namespaces = "host"

[[exposure.zones]]
interface = "eth9"
scope = "private"
)",
                                   "test.toml");
  ASSERT_TRUE(config) << config.error().message;
  const auto settings = InventorySettingsFrom(*config);
  EXPECT_FALSE(settings.udp);
  EXPECT_EQ(settings.max_listener_series, 7U);
  EXPECT_EQ(settings.proc_path, "/srv/proc");
  EXPECT_EQ(settings.process_walk, config::ProcessWalk::kProcfs);
  EXPECT_EQ(settings.connection_tracking_max, 1000U);
  EXPECT_EQ(settings.namespaces, config::NamespaceMode::kHost);
  ASSERT_EQ(settings.zones.size(), 1U);
  EXPECT_EQ(settings.zones[0].interface, "eth9");
  EXPECT_EQ(settings.zones[0].scope, Scope::kPrivate);

  const auto defaults = InventorySettingsFrom(config::Defaults());
  EXPECT_TRUE(defaults.udp);
  EXPECT_EQ(defaults.proc_path, "/proc");
  EXPECT_EQ(defaults.process_walk, config::ProcessWalk::kAuto);
  EXPECT_EQ(defaults.connection_tracking_max, 262144U);
}

}  // namespace
}  // namespace portwarden::inventory
