#include "agent/firewall/interval_set.h"

#include <gtest/gtest.h>

namespace portwarden::firewall {
namespace {

TEST(IntervalSetTest, NormalisesAndMerges) {
  const IntervalSet set({{10, 20}, {5, 9}, {30, 40}, {35, 50}});
  ASSERT_EQ(set.parts().size(), 2u);
  EXPECT_TRUE(set.Contains(5));
  EXPECT_TRUE(set.Contains(50));
  EXPECT_FALSE(set.Contains(25));
}

TEST(IntervalSetTest, IntersectAndSubtractPartition) {
  const IntervalSet all({{0, 100}});
  const IntervalSet cut({{10, 20}, {50, 60}});
  const auto in = all.Intersect(cut);
  const auto out = all.Subtract(cut);
  EXPECT_EQ(in.parts().size(), 2u);
  ASSERT_EQ(out.parts().size(), 3u);
  EXPECT_EQ(out.parts()[1].lo, 21u);
  EXPECT_EQ(out.parts()[1].hi, 49u);
  EXPECT_TRUE(all.Subtract(all).empty());
  EXPECT_TRUE(in.Intersect(out).empty());
}

TEST(IntervalSetTest, Prefix) {
  const auto p = IntervalSet::Prefix(0x0a010203, 8, 32);
  EXPECT_EQ(p.lo, 0x0a000000u);
  EXPECT_EQ(p.hi, 0x0affffffu);
  const auto any = IntervalSet::Prefix(0, 0, 128);
  EXPECT_EQ(any.hi, ~U128{0});
}

}  // namespace
}  // namespace portwarden::firewall
