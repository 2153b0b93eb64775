// The parsers on files made by openssl and keytool, each compared with the tool's own view.
#include "agent/certfiles/cert_file_parser.h"

#include <ctime>

#include <gtest/gtest.h>

#include "cert_files_env.h"

namespace portwarden::certfiles {
namespace {

using testing_support::ReadGenerated;
using testing_support::ToolField;
using testing_support::ToolFingerprints;

std::vector<std::string> Fingerprints(const ParsedFile& parsed) {
  std::vector<std::string> out;
  for (const auto& cert : parsed.certificates) {
    out.push_back(DescribeDiskCertificate(cert.get(), "x", 0).info.fingerprint_sha256);
  }
  return out;
}

// "2027-03-01 10:36:52Z" (openssl -dateopt iso_8601) as Unix seconds.
double IsoSeconds(const std::string& text) {
  std::tm tm{};
  strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  return static_cast<double>(timegm(&tm));
}

std::string Leaf() {
  return ToolFingerprints("leaf.openssl.txt").at(0);
}

std::string Root() {
  return ToolFingerprints("ca.openssl.txt").at(0);
}

TEST(CertFileParserTest, PemChainMatchesOpenSsl) {
  auto parsed = ParseCertificateFile(ReadGenerated("chain.pem"), std::nullopt);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->format, "pem");
  EXPECT_FALSE(parsed->problem);
  EXPECT_EQ(Fingerprints(*parsed), (std::vector<std::string>{Leaf(), Root()}));
  const DiskCertificate leaf = DescribeDiskCertificate(parsed->certificates[0].get(), "p", 0);
  EXPECT_EQ(leaf.info.not_after, IsoSeconds(ToolField("leaf.openssl.txt", "notAfter")));
  EXPECT_EQ(leaf.info.not_before, IsoSeconds(ToolField("leaf.openssl.txt", "notBefore")));
  std::string serial = ToolField("leaf.openssl.txt", "serial");
  std::transform(serial.begin(), serial.end(), serial.begin(), ::tolower);
  // openssl pads to whole bytes ("0b1d…"); the agent prints the number (as for served chains).
  serial.erase(0, std::min(serial.find_first_not_of('0'), serial.size() - 1));
  EXPECT_EQ(leaf.info.serial, serial);
  EXPECT_EQ(leaf.info.subject_cn, "www.example.test");
  EXPECT_EQ(leaf.info.issuer_cn, "Test Root CA");
  EXPECT_EQ(leaf.names, (std::vector<std::string>{"www.example.test", "*.api.example.test"}));
  EXPECT_FALSE(leaf.is_ca);
  EXPECT_TRUE(DescribeDiskCertificate(parsed->certificates[1].get(), "p", 1).is_ca);
}

TEST(CertFileParserTest, DerSingleAndConcatenated) {
  auto one = ParseCertificateFile(ReadGenerated("leaf.der"), std::nullopt);
  ASSERT_TRUE(one) << one.error().detail;
  EXPECT_EQ(one->format, "der");
  EXPECT_EQ(Fingerprints(*one), (std::vector<std::string>{Leaf()}));
  auto two = ParseCertificateFile(ReadGenerated("chain.der"), std::nullopt);
  ASSERT_TRUE(two) << two.error().detail;
  EXPECT_EQ(Fingerprints(*two), (std::vector<std::string>{Leaf(), Root()}));
}

TEST(CertFileParserTest, Pkcs12WithPasswordMatchesOpenSslPkcs12) {
  auto parsed = ParseCertificateFile(ReadGenerated("bundle.p12"), std::string("changeit"));
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->format, "pkcs12");
  // `openssl pkcs12 -info -nokeys` prints the leaf first, as PKCS12_parse returns it.
  EXPECT_EQ(Fingerprints(*parsed).at(0), ToolFingerprints("pkcs12.first.txt").at(0));
  EXPECT_EQ(Fingerprints(*parsed), (std::vector<std::string>{Leaf(), Root()}));
}

TEST(CertFileParserTest, Pkcs12WrongOrMissingPasswordIsBadPassword) {
  auto wrong = ParseCertificateFile(ReadGenerated("bundle.p12"), std::string("nope"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().reason, FileError::kBadPassword);
  auto none = ParseCertificateFile(ReadGenerated("bundle.p12"), std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, FileError::kBadPassword);
}

TEST(CertFileParserTest, Pkcs12WithEmptyPasswordNeedsNoPasswordFile) {
  auto parsed = ParseCertificateFile(ReadGenerated("nopass.p12"), std::nullopt);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(Fingerprints(*parsed), (std::vector<std::string>{Leaf(), Root()}));
}

TEST(CertFileParserTest, KeytoolPkcs12KeystoreMatchesKeytoolList) {
  auto parsed = ParseCertificateFile(ReadGenerated("keystore.p12"), std::string("changeit"));
  ASSERT_TRUE(parsed) << parsed.error().detail;
  auto ours = Fingerprints(*parsed);
  auto theirs = ToolFingerprints("keytool.p12.txt");
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  theirs.erase(std::unique(theirs.begin(), theirs.end()), theirs.end());
  ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
  EXPECT_EQ(ours, theirs);
}

TEST(CertFileParserTest, JksMatchesKeytoolListInEntryOrder) {
  for (const std::optional<std::string>& password :
       {std::optional<std::string>("changeit"), std::optional<std::string>()}) {
    auto parsed = ParseCertificateFile(ReadGenerated("keystore.jks"), password);
    ASSERT_TRUE(parsed) << parsed.error().detail;
    EXPECT_EQ(parsed->format, "jks");
    // keytool -list -v prints the entries (sorted by alias here: root, site) and each chain.
    auto ours = Fingerprints(*parsed);
    auto theirs = ToolFingerprints("keytool.jks.txt");
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs);
    EXPECT_EQ(ours.size(), 3U);  // root; site's leaf and root
  }
}

TEST(CertFileParserTest, JksWrongPasswordIsBadPassword) {
  auto parsed = ParseCertificateFile(ReadGenerated("keystore.jks"), std::string("wrongpass"));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().reason, FileError::kBadPassword);
}

TEST(CertFileParserTest, KeyOnlyPemHasNoCertificate) {
  auto parsed = ParseCertificateFile(ReadGenerated("key_only.pem"), std::nullopt);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().reason, FileError::kNoCertificate);
}

TEST(CertFileParserTest, GarbageAndEmptyAreMalformed) {
  for (const std::string& bytes :
       {std::string(), std::string("hello world"), std::string("\x30\x82\xff\xff garbage", 13),
        std::string("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")}) {
    auto parsed = ParseCertificateFile(bytes, std::nullopt);
    ASSERT_FALSE(parsed) << bytes;
    EXPECT_EQ(parsed.error().reason, FileError::kMalformed) << bytes;
  }
}

TEST(CertFileParserTest, TruncatedChainKeepsTheCertificatesBeforeTheCut) {
  const std::string chain = ReadGenerated("chain.pem");
  const std::string leaf = ReadGenerated("leaf.pem");
  auto parsed = ParseCertificateFile(chain.substr(0, leaf.size() + 100), std::nullopt);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(Fingerprints(*parsed), (std::vector<std::string>{Leaf()}));
  ASSERT_TRUE(parsed->problem);
  EXPECT_EQ(parsed->problem->reason, FileError::kMalformed);
}

TEST(CertFileParserTest, EveryPrefixOfEveryFormatIsSafe) {
  for (const char* name : {"chain.der", "bundle.p12", "keystore.jks", "keystore.p12"}) {
    const std::string bytes = ReadGenerated(name);
    for (std::size_t size = 0; size < bytes.size(); size += 7) {
      auto parsed = ParseCertificateFile(bytes.substr(0, size), std::string("changeit"));
      if (parsed) {
        EXPECT_LE(parsed->certificates.size(), 3U);
      }
    }
  }
}

TEST(CertFileParserTest, ManyCertificatesAreCapped) {
  const std::string leaf = ReadGenerated("leaf.pem");
  std::string bundle;
  for (std::size_t i = 0; i < kMaxCertificatesPerFile + 5; ++i) {
    bundle += leaf;
  }
  auto parsed = ParseCertificateFile(bundle, std::nullopt);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->certificates.size(), kMaxCertificatesPerFile);
  ASSERT_TRUE(parsed->problem);
  EXPECT_EQ(parsed->problem->reason, FileError::kTooManyCertificates);
}

}  // namespace
}  // namespace portwarden::certfiles
