#include <cstdio>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "exporters/json/state_json.h"
#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"
#include "exporters/report/report.h"

namespace portwarden {
namespace {

inventory::InventoryReport SampleReport() {
  inventory::InventoryReport report;
  report.success = true;
  inventory::Listener web;
  web.address = "0.0.0.0";
  web.port = 443;
  web.netns = "host";
  web.scope = Scope::kPublic;
  web.socket_count = 4;
  web.inodes = {1, 2, 3, 4};
  web.process = {812, "nginx", "/usr/sbin/nginx", "nginx.service", 3};
  inventory::Listener dns;
  dns.protocol = Protocol::kUdp;
  dns.family = AddressFamily::kIpv6;
  dns.address = "::1";
  dns.port = 53;
  dns.netns = "net:[4026532000]";
  dns.scope = Scope::kLoopback;
  dns.v6only = true;
  report.listeners = {web, dns};
  report.stats.series_cap = 1;
  report.stats.series_dropped_total = 5;
  report.stats.attribution_partial = true;
  report.stats.unattributed_sockets = 1;
  report.stats.namespaces_scanned = 2;
  report.stats.namespaces_via_netlink = 1;
  report.stats.namespaces_via_proc = 1;
  report.stats.namespaces_unreadable = 1;
  return report;
}

std::string Metrics(const inventory::InventoryReport& report) {
  state::Snapshot snapshot;
  snapshot.inventory = std::make_shared<inventory::InventoryReport>(report);
  exporters::prom::Families families;
  exporters::prom::AppendListenerMetrics(snapshot, families);
  return exporters::prom::SerializeText(families);
}

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(ListenerMetricsTest, InfoSeriesAreCappedAndCountsAreComplete) {
  const std::string text = Metrics(SampleReport());
  EXPECT_TRUE(Has(text,
                  "portwarden_listener_info{netns=\"host\",proto=\"tcp\",family=\"ipv4\","
                  "address=\"0.0.0.0\",port=\"443\",scope=\"public\",process=\"nginx\","
                  "unit=\"nginx.service\"} 1\n"))
      << text;
  EXPECT_FALSE(Has(text, "port=\"53\""));  // beyond the cap of 1
  EXPECT_TRUE(Has(text, "portwarden_listener_sockets{netns=\"host\""));
  EXPECT_TRUE(Has(text, "portwarden_listener_series_dropped_total 5\n"));
  EXPECT_TRUE(Has(text, "portwarden_listeners{proto=\"tcp\",scope=\"public\"} 1\n"));
  EXPECT_TRUE(Has(text, "portwarden_listeners{proto=\"udp\",scope=\"loopback\"} 1\n"));
  EXPECT_TRUE(Has(text, "portwarden_listeners{proto=\"udp\",scope=\"link_local\"} 0\n"));
  EXPECT_TRUE(Has(text, "portwarden_inventory_attribution_partial 1\n"));
  EXPECT_TRUE(Has(text, "portwarden_inventory_namespaces{state=\"via_netlink\"} 1\n"));
  EXPECT_TRUE(Has(text, "portwarden_inventory_namespaces{state=\"via_proc\"} 1\n"));
  EXPECT_TRUE(Has(text, "portwarden_inventory_namespaces{state=\"unreadable\"} 1\n"));
  EXPECT_TRUE(Has(text, "portwarden_inventory_namespaces{state=\"failed\"} 0\n"));
  EXPECT_TRUE(Has(text, "portwarden_inventory_view_partial 1\n"));
}

TEST(ListenerJsonTest, EveryFieldAndVerdict) {
  exporters::json::JsonWriter out;
  policy::PolicyReport policy;
  policy.verdicts = {{"no-public-admin", true}};
  exporters::json::WriteListeners(out, SampleReport(), policy);
  const std::string& json = out.str();
  EXPECT_TRUE(Has(json, "\"address\":\"0.0.0.0\",\"port\":443,\"scope\":\"public\"")) << json;
  EXPECT_TRUE(Has(json, "\"socket_count\":4,\"inodes\":[1,2,3,4]"));
  EXPECT_TRUE(Has(json, "\"pid\":812,\"comm\":\"nginx\",\"exe\":\"/usr/sbin/nginx\""));
  EXPECT_TRUE(Has(json, "\"rule\":\"no-public-admin\",\"violation\":true"));
  EXPECT_TRUE(Has(json, "\"v6only\":true"));
  EXPECT_EQ(json.find("\"rule\"", json.find("\"::1\"")), std::string::npos);  // no verdict
}

// Streamed in chunks, the printed text is the same document plus a newline.
TEST(ListenerJsonTest, PrintMatchesWriteAcrossChunks) {
  auto report = SampleReport();
  const auto sample = report.listeners;
  while (report.listeners.size() < 600) {  // > 64 KiB of JSON: several chunks
    report.listeners.insert(report.listeners.end(), sample.begin(), sample.end());
  }
  policy::PolicyReport policy;
  policy.verdicts = {{"no-public-admin", true}};
  exporters::json::JsonWriter out;
  exporters::json::WriteListeners(out, report, policy);
  ASSERT_GT(out.str().size(), 64u * 1024);
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::tmpfile(), &std::fclose);
  ASSERT_NE(file, nullptr);
  exporters::json::PrintListeners(file.get(), report, policy);
  std::rewind(file.get());
  std::string printed;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) {
    printed.append(buffer, n);
  }
  EXPECT_EQ(printed, out.str() + "\n");
}

TEST(ListenerTableTest, ColumnsAndVerdicts) {
  policy::PolicyReport policy;
  policy.verdicts = {{"no-public-admin", true}, {"default", false}};
  const std::string table = exporters::report::ListenerTable(SampleReport(), policy);
  EXPECT_TRUE(Has(table, "PROTO")) << table;
  EXPECT_TRUE(Has(table, "VERDICT"));
  EXPECT_TRUE(Has(table, "0.0.0.0:443"));
  EXPECT_TRUE(Has(table, "[::1]:53"));
  EXPECT_TRUE(Has(table, "nginx.service"));
  EXPECT_TRUE(Has(table, "VIOLATION no-public-admin"));
  EXPECT_TRUE(Has(table, "net:[4026532000]"));
  const std::string plain = exporters::report::ListenerTable(SampleReport(), {});
  EXPECT_FALSE(Has(plain, "VERDICT"));
}

}  // namespace
}  // namespace portwarden
