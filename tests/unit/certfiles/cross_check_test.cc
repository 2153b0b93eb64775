// Drift over synthetic probe and file reports (pure functions); consistency: consistency_test.cc.
#include "agent/certfiles/cross_check.h"

#include <gtest/gtest.h>

namespace portwarden::certfiles {
namespace {

probe::ProbeResult Served(const std::string& target,
                          const std::string& server_name,
                          const std::string& fingerprint,
                          double not_before) {
  probe::ProbeResult result;
  result.target = target;
  result.address = target;
  result.server_name = server_name;
  probe::CertificateInfo leaf;
  leaf.fingerprint_sha256 = fingerprint;
  leaf.not_before = not_before;
  result.chain.push_back(leaf);
  return result;
}

DiskCertificate OnDisk(const std::string& path,
                       std::vector<std::string> names,
                       const std::string& fingerprint,
                       double not_before) {
  DiskCertificate cert;
  cert.path = path;
  cert.names = std::move(names);
  cert.info.san = "x";
  cert.info.fingerprint_sha256 = fingerprint;
  cert.info.not_before = not_before;
  return cert;
}

TEST(CrossCheckTest, NameCovers) {
  EXPECT_TRUE(NameCovers("www.example.test", "WWW.Example.Test"));
  EXPECT_TRUE(NameCovers("*.example.test", "a.example.test"));
  EXPECT_FALSE(NameCovers("*.example.test", "example.test"));
  EXPECT_FALSE(NameCovers("*.example.test", "a.b.example.test"));
  EXPECT_FALSE(NameCovers("*.test", "example.test"));
  EXPECT_FALSE(NameCovers("", "example.test"));
  EXPECT_FALSE(NameCovers("example.test", ""));
}

TEST(CrossCheckTest, CertificateMatchesIpSansAndNotCaByCn) {
  DiskCertificate cert = OnDisk("p", {}, "f", 0);
  cert.info.san = "www.example.test,127.0.0.1";
  EXPECT_TRUE(CertificateMatches(cert, "127.0.0.1"));
  EXPECT_FALSE(CertificateMatches(cert, "127.0.0.2"));
  DiskCertificate root = OnDisk("p", {"example.test"}, "f", 0);
  root.info.san = "";
  root.is_ca = true;
  EXPECT_FALSE(CertificateMatches(root, "example.test"));
  root.is_ca = false;
  EXPECT_TRUE(CertificateMatches(root, "example.test"));
}

TEST(CrossCheckTest, RenewedNotServedOnlyWhenNewerAndDifferent) {
  probe::ProbeReport probes;
  probes.results.push_back(Served("127.0.0.1:443", "www.example.test", "old", 100));
  probes.results.push_back(Served("127.0.0.1:8443", "other.test", "x", 100));
  probes.results.push_back(Served("127.0.0.1:9443", "www.example.test", "", 100));
  probes.results.back().chain.clear();  // a failed probe: nothing served, nothing compared
  CertFileReport files;
  files.certificates.push_back(OnDisk("/new.pem", {"*.example.test"}, "new", 200));
  files.certificates.push_back(OnDisk("/old.pem", {"www.example.test"}, "old", 100));
  files.certificates.push_back(OnDisk("/older.pem", {"www.example.test"}, "older", 50));
  files.certificates.push_back(OnDisk("/unrelated.pem", {"a.test"}, "a", 300));
  const auto drift = FindRenewedNotServed(probes, files);
  std::map<std::string, bool> by_path;
  for (const auto& entry : drift) {
    EXPECT_EQ(entry.target, "127.0.0.1:443");
    by_path[entry.path] = entry.renewed_not_served;
  }
  EXPECT_EQ(by_path, (std::map<std::string, bool>{
                         {"/new.pem", true}, {"/old.pem", false}, {"/older.pem", false}}));
  // Reloaded: the new certificate is served; nothing is renewed-not-served any more.
  probes.results[0] = Served("127.0.0.1:443", "www.example.test", "new", 200);
  for (const auto& entry : FindRenewedNotServed(probes, files)) {
    EXPECT_FALSE(entry.renewed_not_served) << entry.path;
  }
}

}  // namespace
}  // namespace portwarden::certfiles
