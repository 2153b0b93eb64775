// portwarden_tls_protocol_accepted and portwarden_tls_posture_* rendered from a hand-built
// report (the integration tests cover real posture runs).
#include <set>

#include <gtest/gtest.h>

#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {
namespace {

std::string Render(const posture::PostureReport& report) {
  state::Snapshot snapshot;
  snapshot.posture = std::make_shared<posture::PostureReport>(report);
  Families families;
  AppendPostureMetrics(snapshot, families);
  return SerializeText(families);
}

posture::PostureResult Reached() {
  posture::PostureResult result;
  result.target = "a:443";
  result.address = "127.0.0.1:443";
  result.server_name = "a";
  result.timestamp = 1700000000;
  result.reached = true;
  for (const auto version : posture::kVersions) {
    result.versions.push_back({std::string(version), version != "TLS 1.3", "", ""});
  }
  result.findings = {posture::Check::kLegacyProtocol, posture::Check::kValidityTooLong};
  return result;
}

const std::string kE =
    "{target=\"a:443\",address=\"127.0.0.1:443\",server_name=\"a\",source=\"config\"";

TEST(PostureMetricsTest, VersionsAndFindingsOfAReachedEndpoint) {
  const std::string text = Render({{Reached()}});
  EXPECT_NE(text.find("portwarden_tls_posture_success" + kE + "} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("portwarden_tls_posture_timestamp_seconds" + kE + "} 1700000000\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_protocol_accepted" + kE + ",version=\"TLS 1.0\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_protocol_accepted" + kE + ",version=\"TLS 1.3\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_posture_finding" + kE + ",check=\"legacy_protocol\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_posture_finding" + kE + ",check=\"validity_too_long\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("check=\"weak_key\""), std::string::npos);  // Not fired, no series.
}

TEST(PostureMetricsTest, AnUnreachedEndpointHasOnlyItsSuccessAndTimestamp) {
  posture::PostureResult result = Reached();
  result.reached = false;
  result.failure_reason = "connect_refused";
  const std::string text = Render({{result}});
  EXPECT_NE(text.find("portwarden_tls_posture_success" + kE + "} 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("portwarden_tls_protocol_accepted{"), std::string::npos);
  EXPECT_EQ(text.find("portwarden_tls_posture_finding{"), std::string::npos);
}

TEST(PostureMetricsTest, EveryCheckHasADistinctLabel) {
  std::set<std::string_view> names(posture::kCheckNames.begin(), posture::kCheckNames.end());
  EXPECT_EQ(names.size(), posture::kCheckNames.size());
  EXPECT_EQ(posture::CheckName(posture::Check::kNoOcspStaple), "no_ocsp_staple");
}

}  // namespace
}  // namespace portwarden::exporters::prom
