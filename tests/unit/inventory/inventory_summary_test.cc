#include "agent/inventory/inventory_summary.h"

#include <gtest/gtest.h>

namespace portwarden::inventory {
namespace {

TEST(InventorySummaryTest, ViaProcIsAPathNotAGap) {
  InventoryStats stats;
  stats.namespaces_via_netlink = 1;
  stats.namespaces_via_proc = 3;
  EXPECT_FALSE(ViewPartial(stats));
  EXPECT_EQ(PartialReasons(stats), "");
  EXPECT_EQ(NamespaceSummary(stats), "1 via netlink, 3 via /proc");
}

TEST(InventorySummaryTest, UnreadableNamespacesAndOrphanSocketsArePartial) {
  InventoryStats stats;
  stats.namespaces_via_netlink = 1;
  stats.namespaces_unreadable = 2;
  stats.unattributed_sockets = 4;
  EXPECT_TRUE(ViewPartial(stats));
  EXPECT_EQ(PartialReasons(stats),
            "2 network namespaces unreadable, 4 sockets without a readable owner process");
  EXPECT_EQ(NamespaceSummary(stats), "1 via netlink, 2 unreadable");
  EXPECT_EQ(NamespaceSummary(InventoryStats{}), "none");
}

}  // namespace
}  // namespace portwarden::inventory
