// portwarden_tls_* rendering from a hand-built report (no network: the integration tests
// cover real probes).
#include <gtest/gtest.h>

#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {
namespace {

TEST(TlsMetricsTest, FailedVerificationKeepsCertificateSeries) {
  probe::ProbeReport report;
  probe::ProbeResult result;
  result.target = "a:443";
  result.address = "127.0.0.1:443";
  result.server_name = "a";
  result.timestamp = 1700000000;
  result.failure_reason = "verify";
  result.verify_result = "expired";
  result.tls_version = "TLS 1.3";
  result.cipher = "TLS_AES_128_GCM_SHA256";
  result.phases.connect = 0.5;
  probe::CertificateInfo leaf;
  leaf.not_after = 1600000000;
  leaf.not_before = 1500000000;
  leaf.key_bits = 256;
  result.chain.push_back(leaf);
  report.results.push_back(result);
  state::Snapshot snapshot;
  snapshot.probes = std::make_shared<probe::ProbeReport>(report);
  Families families;
  AppendTlsMetrics(snapshot, families);
  const std::string text = SerializeText(families);
  const std::string e =
      "{target=\"a:443\",address=\"127.0.0.1:443\",server_name=\"a\",source=\"config\"";
  EXPECT_NE(text.find("portwarden_tls_probe_success" + e + "} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("portwarden_tls_cert_not_after_timestamp_seconds" + e +
                      ",chain_pos=\"0\"} 1600000000\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_verify_result_info" + e + ",result=\"expired\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_probe_duration_seconds" + e + ",phase=\"connect\"} 0.5\n"),
            std::string::npos);
  EXPECT_EQ(text.find("phase=\"http\""), std::string::npos);  // Absent phase, absent series.
  EXPECT_NE(text.find("portwarden_tls_version_info" + e + ",version=\"TLS 1.3\"} 1\n"),
            std::string::npos);
}

std::string Render(const probe::ProbeReport& report) {
  state::Snapshot snapshot;
  snapshot.probes = std::make_shared<probe::ProbeReport>(report);
  Families families;
  AppendTlsMetrics(snapshot, families);
  return SerializeText(families);
}

probe::ProbeResult Companion(const std::string& target, const std::string& address, bool https) {
  probe::ProbeResult result;
  result.target = target;
  result.address = address;
  result.server_name = "host.example";
  result.source = probe::TargetSource::kDiscovered;
  result.companion_address = address.substr(0, address.rfind(':')) + ":80";
  result.companion_status = https ? 301 : 200;
  result.companion_redirects_to_https = https;
  return result;
}

TEST(TlsMetricsTest, CompanionSeriesCarryTheEndpointIdentity) {
  probe::ProbeReport report;
  // The same loopback address in two namespaces, and an IPv6 one.
  report.results.push_back(Companion("ns1/127.0.0.1:443", "127.0.0.1:443", true));
  report.results.push_back(Companion("ns2/127.0.0.1:443", "127.0.0.1:443", false));
  report.results.push_back(Companion("[::1]:443", "[::1]:443", true));
  const std::string text = Render(report);
  const std::string name = "portwarden_http_redirects_to_https";
  EXPECT_NE(text.find(name + "{target=\"ns1/127.0.0.1:443\",address=\"127.0.0.1:443\","
                             "server_name=\"host.example\",source=\"discovered\","
                             "companion=\"127.0.0.1:80\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(name + "{target=\"ns2/127.0.0.1:443\",address=\"127.0.0.1:443\","
                             "server_name=\"host.example\",source=\"discovered\","
                             "companion=\"127.0.0.1:80\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find(name + "{target=\"[::1]:443\",address=\"[::1]:443\","
                             "server_name=\"host.example\",source=\"discovered\","
                             "companion=\"[::1]:80\"} 1\n"),
            std::string::npos);
}

TEST(TlsMetricsTest, HandshakeHistogramSeparatesServerNamesNotAddresses) {
  probe::ProbeReport report;
  report.handshake_bounds = {0.01, 0.1};
  auto add = [&](const std::string& address, const std::string& server_name, double seconds) {
    probe::ProbeCounters counters;
    counters.target = "lb.example:443";
    counters.address = address;
    counters.server_name = server_name;
    counters.handshake_bucket_counts = {seconds <= 0.01 ? 1U : 0U, seconds <= 0.1 ? 1U : 0U};
    counters.handshake_count = 1;
    counters.handshake_sum = seconds;
    report.counters[address + server_name] = counters;
  };
  add("192.0.2.1:443", "a.example", 0.005);
  add("192.0.2.2:443", "a.example", 0.05);
  add("192.0.2.1:443", "b.example", 0.05);
  const std::string text = Render(report);
  const std::string a = "{target=\"lb.example:443\",server_name=\"a.example\",source=\"config\"";
  const std::string b = "{target=\"lb.example:443\",server_name=\"b.example\",source=\"config\"";
  EXPECT_NE(text.find("portwarden_tls_handshake_seconds_count" + a + "} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_tls_handshake_seconds_bucket" + a + ",le=\"0.01\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_handshake_seconds_count" + b + "} 1\n"), std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_handshake_seconds_bucket" + b + ",le=\"0.01\"} 0\n"),
            std::string::npos);
}

}  // namespace
}  // namespace portwarden::exporters::prom
