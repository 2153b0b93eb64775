#include <gtest/gtest.h>

#include "agent/state/snapshot.h"

namespace portwarden::state {
namespace {

TEST(SnapshotStoreTest, ReadersKeepTheSnapshotTheyGot) {
  SnapshotStore store;
  const auto before = store.Get();
  store.Update([](Snapshot& next) { next.collectors.push_back({"inventory", true, 0.5, 1, ""}); });
  const auto after = store.Get();
  EXPECT_TRUE(before->collectors.empty());
  ASSERT_EQ(after->collectors.size(), 1U);
  EXPECT_EQ(after->collectors[0].name, "inventory");
  // Unchanged parts are shared, not copied.
  EXPECT_EQ(before->inventory.get(), after->inventory.get());
}

}  // namespace
}  // namespace portwarden::state
