#include "tests/integration/probe/probe_helpers.h"

#include <memory>

#include <gtest/gtest.h>

#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::testing {
namespace {

constexpr std::int64_t kDay = 86400;

void Build(TestPki& t) {
  const std::int64_t now = t.now;
  t.root = t.pki.SelfSigned("root", "Test Root CA", now - kDay, now + 3650 * kDay, true);
  t.other_root = t.pki.SelfSigned("other_root", "Other Root", now - kDay, now + 3650 * kDay, true);
  t.intermediate =
      t.pki.Issue("inter", "Test Intermediate", t.root, now - kDay, now + 730 * kDay, true);
  t.short_intermediate =
      t.pki.Issue("short_inter", "Short Intermediate", t.root, now - kDay, now + 5 * kDay, true);
  t.leaf = t.pki.Issue("leaf", "localhost", t.intermediate, now - 3600, now + 90 * kDay, false);
  t.leaf_rsa = t.pki.Issue("leaf_rsa", "localhost", t.intermediate, now - 3600, now + 80 * kDay,
                           false, "rsa");
  t.leaf_expiring = t.pki.Issue("leaf_expiring", "localhost", t.intermediate, now - 60 * kDay,
                                now + 3 * kDay, false);
  t.leaf_expired =
      t.pki.Issue("leaf_expired", "localhost", t.intermediate, now - 30 * kDay, now - kDay, false);
  t.leaf_not_yet =
      t.pki.Issue("leaf_not_yet", "localhost", t.intermediate, now + kDay, now + 91 * kDay, false);
  t.leaf_self_signed =
      t.pki.SelfSigned("leaf_self", "localhost", now - 3600, now + 30 * kDay, false);
  t.leaf_under_short = t.pki.Issue("leaf_short", "localhost", t.short_intermediate, now - 3600,
                                   now + 60 * kDay, false);
  t.client =
      t.pki.Issue("client", "probe-client", t.intermediate, now - 3600, now + 30 * kDay, false);
  t.intermediate_chain = t.intermediate.pem;
  t.client_bundle = t.pki.Bundle("client_bundle", {t.client.pem, t.intermediate.pem});
}

}  // namespace

const TestPki& SharedPki() {
  static const std::unique_ptr<TestPki> pki = [] {
    auto built = std::make_unique<TestPki>();
    Build(*built);
    return built;
  }();
  return *pki;
}

config::Config OneEndpoint(std::uint16_t port,
                           const std::string& server_name,
                           const std::string& ca_file) {
  config::Config config = config::Defaults();
  config::EndpointConfig endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.target = "127.0.0.1:" + std::to_string(port);
  endpoint.server_name = server_name;
  endpoint.ca_file = ca_file;
  config.agent.probe_timeout = std::chrono::seconds(3);
  config.endpoints.push_back(endpoint);
  return config;
}

probe::ProbeResult ProbeOnce(std::uint16_t port,
                             const std::string& server_name,
                             const std::string& ca_file,
                             const std::function<void(config::EndpointConfig&)>& tweak) {
  config::Config config = OneEndpoint(port, server_name, ca_file);
  if (tweak) {
    tweak(config.endpoints.front());
  }
  probe::OpenSslProber runner;
  probe::ProbeReport report =
      runner.RunCycle(probe::ConfiguredTargets(config.endpoints), probe::ProbeSettingsFrom(config));
  EXPECT_EQ(report.results.size(), 1U);
  return report.results.empty() ? probe::ProbeResult{} : report.results.front();
}

std::string TlsMetricsText(const probe::ProbeReport& report) {
  state::Snapshot snapshot;
  snapshot.probes = std::make_shared<probe::ProbeReport>(report);
  exporters::prom::Families families;
  exporters::prom::AppendTlsMetrics(snapshot, families);
  return exporters::prom::SerializeText(families);
}

std::string SeriesPrefix(const std::string& name,
                         std::uint16_t port,
                         const std::string& server_name) {
  const std::string target = "127.0.0.1:" + std::to_string(port);
  return name + "{target=\"" + target + "\",address=\"" + target + "\",server_name=\"" +
         server_name + "\",source=\"config\"";
}

}  // namespace portwarden::testing
