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

}  // namespace
}  // namespace portwarden::exporters::prom
