// portwarden_tls_group_*, portwarden_tls_cert_revoked, portwarden_tls_crl_* and
// portwarden_tls_ocsp_staple_* rendered from a hand-built posture report.
#include <gtest/gtest.h>

#include "agent/posture/posture_report.h"
#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {
namespace {

const std::string kE =
    "{target=\"a:443\",address=\"127.0.0.1:443\",server_name=\"a\",source=\"config\"";

std::string Render(const posture::PostureResult& result) {
  posture::PostureReport report;
  report.results.push_back(result);
  state::Snapshot snapshot;
  snapshot.posture = std::make_shared<posture::PostureReport>(report);
  Families families;
  AppendGroupMetrics(snapshot, families);
  AppendRevocationMetrics(snapshot, families);
  return SerializeText(families);
}

posture::PostureResult Reached() {
  posture::PostureResult result;
  result.target = "a:443";
  result.address = "127.0.0.1:443";
  result.server_name = "a";
  result.reached = true;
  return result;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(RevocationMetricsTest, GroupsAreSupportedUnsupportedOrAnError) {
  auto result = Reached();
  result.groups = {{"X25519MLKEM768", true, "", ""},
                   {"x25519", false, "", "alert 40"},
                   {"x448", std::nullopt, "timeout", ""}};
  const std::string text = Render(result);
  EXPECT_TRUE(Has(text, "portwarden_tls_group_supported" + kE + ",group=\"X25519MLKEM768\"} 1"))
      << text;
  EXPECT_TRUE(Has(text, "portwarden_tls_group_supported" + kE + ",group=\"x25519\"} 0"));
  EXPECT_TRUE(
      Has(text, "portwarden_tls_group_probe_error" + kE + ",group=\"x448\",reason=\"timeout\"} 1"));
  EXPECT_EQ(text.find("group_supported" + kE + ",group=\"x448\""), std::string::npos);
}

TEST(RevocationMetricsTest, CrlAndStapleSeries) {
  auto result = Reached();
  probe::CrlCheck leaf;
  leaf.chain_pos = 0;
  leaf.revoked = true;
  leaf.this_update = 1700000000;
  leaf.next_update = 1700086400;
  leaf.fetched_at = 1700000100;
  leaf.stale = true;
  probe::CrlCheck inter;
  inter.chain_pos = 1;
  inter.error = "issuer_not_served";
  result.revocation.crls = {leaf, inter};
  result.revocation.staple.status = "good";
  result.revocation.staple.next_update = 1700003600;
  const std::string text = Render(result);
  const std::string pos0 = kE + ",chain_pos=\"0\"}";
  EXPECT_TRUE(Has(text, "portwarden_tls_cert_revoked" + pos0 + " 1")) << text;  // CRL wins
  EXPECT_TRUE(Has(text, "portwarden_tls_crl_this_update_timestamp_seconds" + pos0 + " 1700000000"));
  EXPECT_TRUE(Has(text, "portwarden_tls_crl_next_update_timestamp_seconds" + pos0 + " 1700086400"));
  EXPECT_TRUE(Has(text, "portwarden_tls_crl_fetch_timestamp_seconds" + pos0 + " 1700000100"));
  EXPECT_TRUE(Has(text, "portwarden_tls_crl_stale" + pos0 + " 1"));
  EXPECT_TRUE(Has(text, "portwarden_tls_crl_check_error" + kE +
                            ",chain_pos=\"1\",reason=\"issuer_not_served\"} 1"));
  EXPECT_EQ(text.find("portwarden_tls_cert_revoked" + kE + ",chain_pos=\"1\""), std::string::npos);
  EXPECT_TRUE(Has(text, "portwarden_tls_ocsp_staple_info" + kE + ",status=\"good\"} 1"));
  EXPECT_TRUE(
      Has(text, "portwarden_tls_ocsp_staple_next_update_timestamp_seconds" + kE + "} 1700003600"));
}

TEST(RevocationMetricsTest, StapleAloneGivesTheLeafVerdictAndUnreachedGivesNothing) {
  auto result = Reached();
  result.revocation.staple.status = "revoked";
  EXPECT_TRUE(Has(Render(result), "portwarden_tls_cert_revoked" + kE + ",chain_pos=\"0\"} 1"));
  result.revocation.staple.status = "invalid";
  EXPECT_EQ(Render(result).find("portwarden_tls_cert_revoked{"), std::string::npos);
  result.reached = false;
  EXPECT_EQ(Render(result).find("portwarden_tls_ocsp_staple_info{"), std::string::npos);
}

}  // namespace
}  // namespace portwarden::exporters::prom
