#include "exporters/prometheus/family_builder.h"

#include <gtest/gtest.h>

#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {
namespace {

TEST(FamilyBuilderTest, SerializesGaugesInLabelOrder) {
  Families families;
  Gauge("portwarden_test_value", "A test gauge.")
      .Add({{"b", "2"}, {"a", "quote\"d"}}, 1.5)
      .MoveInto(families);
  EXPECT_EQ(SerializeText(families),
            "# HELP portwarden_test_value A test gauge.\n"
            "# TYPE portwarden_test_value gauge\n"
            "portwarden_test_value{b=\"2\",a=\"quote\\\"d\"} 1.5\n");
}

TEST(FamilyBuilderTest, HistogramGetsInfBucket) {
  Families families;
  Histogram("portwarden_test_seconds", "A test histogram.")
      .AddHistogram({{"target", "t"}}, {0.1, 1}, {2, 3}, 4, 2.5)
      .MoveInto(families);
  const std::string text = SerializeText(families);
  EXPECT_NE(text.find("portwarden_test_seconds_bucket{target=\"t\",le=\"0.1\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_test_seconds_bucket{target=\"t\",le=\"+Inf\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_test_seconds_count{target=\"t\"} 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_test_seconds_sum{target=\"t\"} 2.5\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace portwarden::exporters::prom
