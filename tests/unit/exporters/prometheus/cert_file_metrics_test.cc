// portwarden_cert_file_*, portwarden_tls_cert_renewed_not_served and
// portwarden_tls_posture_inconsistent rendered from hand-built reports.
#include <gtest/gtest.h>

#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {
namespace {

state::Snapshot Sample() {
  certfiles::CertFileReport files;
  certfiles::DiskCertificate cert;
  cert.path = "/etc/ssl/site.pem";
  cert.index = 1;
  cert.info.not_after = 1800000000;
  cert.info.not_before = 1700000000;
  cert.info.subject_cn = "www.example.test";
  cert.info.issuer_cn = "CA";
  cert.info.serial = "0a";
  cert.info.fingerprint_sha256 = "ab";
  cert.info.san = "www.example.test";
  files.certificates.push_back(cert);
  files.errors.push_back({"/opt/tomcat/keystore.jks", certfiles::FileError::kBadPassword, "x"});
  certfiles::CrossCheckReport checks;
  checks.drift.push_back({"www.example.test:443", "127.0.0.1:443", "www.example.test",
                          probe::TargetSource::kConfig, "/etc/ssl/site.pem", true});
  checks.consistency.push_back({"127.0.0.1", "host1", "leaf_certificate", true});
  state::Snapshot snapshot;
  snapshot.cert_files = std::make_shared<certfiles::CertFileReport>(files);
  snapshot.cross_checks = std::make_shared<certfiles::CrossCheckReport>(checks);
  return snapshot;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(CertFileMetricsTest, EveryFamilyRendersItsSeries) {
  const state::Snapshot snapshot = Sample();
  Families families;
  AppendCertFileMetrics(snapshot, families);
  AppendConsistencyMetrics(snapshot, families);
  const std::string text = SerializeText(families);
  const std::string file = "{path=\"/etc/ssl/site.pem\",index=\"1\"";
  EXPECT_TRUE(Has(text, "portwarden_cert_file_not_after_timestamp_seconds" + file + "} 1800000000"))
      << text;
  EXPECT_TRUE(
      Has(text, "portwarden_cert_file_not_before_timestamp_seconds" + file + "} 1700000000"));
  EXPECT_TRUE(Has(text, "portwarden_cert_file_info" + file +
                            ",subject_cn=\"www.example.test\",issuer_cn=\"CA\",serial=\"0a\","
                            "fingerprint_sha256=\"ab\",san=\"www.example.test\"} 1"));
  EXPECT_TRUE(Has(text,
                  "portwarden_cert_file_error{path=\"/opt/tomcat/keystore.jks\","
                  "reason=\"bad_password\"} 1"));
  EXPECT_TRUE(Has(text,
                  "portwarden_tls_cert_renewed_not_served{target=\"www.example.test:443\","
                  "address=\"127.0.0.1:443\",server_name=\"www.example.test\","
                  "source=\"config\",path=\"/etc/ssl/site.pem\"} 1"));
  EXPECT_TRUE(Has(text,
                  "portwarden_tls_posture_inconsistent{host=\"127.0.0.1\","
                  "server_name=\"host1\",aspect=\"leaf_certificate\"} 1"));
}

TEST(CertFileMetricsTest, EveryReasonHasAName) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(certfiles::FileError::kUnsupported); ++i) {
    names.insert(certfiles::FileErrorName(static_cast<certfiles::FileError>(i)));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(certfiles::FileError::kUnsupported) + 1);
}

}  // namespace
}  // namespace portwarden::exporters::prom
