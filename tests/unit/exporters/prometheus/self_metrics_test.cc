#include <gtest/gtest.h>

#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {
namespace {

std::string Render(const state::Snapshot& snapshot) {
  Families families;
  AppendSelfMetrics(snapshot, families);
  return SerializeText(families);
}

TEST(SelfMetricsTest, CollectorStatusAndReload) {
  state::Snapshot snapshot;
  snapshot.collectors.push_back({"inventory", true, 0.25, 1700000000, ""});
  snapshot.collectors.push_back({"tls", false, 1.5, 1700000001, "boom"});
  snapshot.reload.last_successful = false;
  snapshot.reload.last_success_timestamp = 1700000000;
  const std::string text = Render(snapshot);
  EXPECT_NE(text.find("portwarden_collector_success{collector=\"inventory\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_collector_success{collector=\"tls\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("portwarden_collector_duration_seconds{collector=\"tls\"} 1.5\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_config_last_reload_successful 0\n"), std::string::npos);
  EXPECT_NE(text.find("portwarden_config_last_reload_success_timestamp_seconds 1700000000\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_build_info{version=\""), std::string::npos);
}

TEST(SelfMetricsTest, ProcessMetricsUseClientGolangNames) {
  Families families;
  ProcessStats stats;
  stats.cpu_seconds = 1.25;
  stats.open_fds = 7;
  AppendProcessMetrics(stats, families);
  const std::string text = SerializeText(families);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.25\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("process_open_fds 7\n"), std::string::npos);
  EXPECT_NE(text.find("process_virtual_memory_max_bytes 1.844674407370955e+19\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace portwarden::exporters::prom
